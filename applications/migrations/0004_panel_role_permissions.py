"""Program staff run panels, rubrics and decisions; finance sees stipends.

Panelists and chairs get no model-wide rights at all: each assignment grants
``review_application`` on one application, and each chair seat grants
``chair_panel`` on one panel.
"""

from django.db import migrations

from portal.migration_helpers import ensure_permissions, grant, revoke

PROGRAM = [
    "applications.add_panel",
    "applications.change_panel",
    "applications.view_panel",
    "applications.chair_panel",
    "applications.add_rubric",
    "applications.change_rubric",
    "applications.view_rubric",
    "applications.view_review",
    "applications.reopen_review",
    "applications.decide_application",
    "applications.view_conflictdeclaration",
    "grants.view_stipend",
    "grants.add_stipend",
]
FINANCE = ["grants.view_stipend"]


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    grant(apps, "Program staff", PROGRAM)
    grant(apps, "Finance staff", FINANCE)


def backwards(apps, schema_editor):
    revoke(apps, "Program staff", PROGRAM)
    revoke(apps, "Finance staff", FINANCE)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0003_review_panels"),
        ("grants", "0004_add_panel_stipends"),
        ("portal", "0002_create_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
