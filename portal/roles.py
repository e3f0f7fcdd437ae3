"""Role names. Roles are Django groups created by migrations, never by hand."""

PROGRAM_STAFF = "Program staff"
FINANCE_STAFF = "Finance staff"
COMMUNICATIONS_STAFF = "Communications staff"
PANEL_CHAIRS = "Panel chairs"
PANELISTS = "Panelists"
APPLICANTS = "Applicants"

ALL_ROLES = [
    PROGRAM_STAFF,
    FINANCE_STAFF,
    COMMUNICATIONS_STAFF,
    PANEL_CHAIRS,
    PANELISTS,
    APPLICANTS,
]
STAFF_ROLES = [PROGRAM_STAFF, FINANCE_STAFF, COMMUNICATIONS_STAFF]
