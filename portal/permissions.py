"""The one permission gate: every "may this user do this?" question is answered here.

Model-wide grants come from role groups; object grants (this panelist on this
application, this member on this organization) are django-guardian rows written only
by services. guardian's object check ignores model-wide grants, so ``has_perm`` asks
both explicitly.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from guardian.shortcuts import get_objects_for_user

from portal import roles


def has_perm(user, perm: str, obj=None) -> bool:
    """True when the user holds perm model-wide or, for obj, on that object."""
    if not user.is_active:
        return False
    if user.has_perm(perm):
        return True
    return obj is not None and user.has_perm(perm, obj)


def require_perm(user, perm: str, obj=None) -> None:
    """Refuse the action unless the user holds perm model-wide or on obj."""
    if not has_perm(user, perm, obj):
        raise PermissionDenied(perm)


def visible_to(user, perm: str, queryset):
    """Narrow queryset to the rows the user may see with perm."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.has_perm(perm):
        return queryset
    return get_objects_for_user(user, perm, klass=queryset, accept_global_perms=False)


def has_role(user, role: str) -> bool:
    """True when the user belongs to the role group (superusers hold every role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def is_city_staff(user) -> bool:
    """True for program, finance and communications staff and administrators."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=roles.STAFF_ROLES).exists()


def email_is_confirmed(user) -> bool:
    """True once the person has confirmed their email address (needed to apply)."""
    return (
        user.is_authenticated and getattr(user, "email_confirmed_at", None) is not None
    )


def can_review(user, application) -> bool:
    """Only a panelist assigned to the application may open it for review.

    The grant is a guardian row written by assignment and deleted by unassignment,
    read afresh on every request, so taking an application back works at once.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm("applications.review_application", application)


def can_chair(user, panel) -> bool:
    """Program staff, and the chair of this very panel, run its deliberation."""
    return has_perm(user, "applications.chair_panel", panel)


def can_deliberate_on(user, application) -> bool:
    """Chairs and staff deliberate on an application unless they declared a conflict
    with it or belong to the organization that sent it."""
    if application.conflict_declarations.filter(
        panelist_id=user.pk, has_conflict=True
    ).exists():
        return False
    return not application.organization.memberships.filter(user_id=user.pk).exists()


def can_accept_award(user, award) -> bool:
    """An owner of the organization answers an award offer on its behalf."""
    return has_perm(user, "grants.manage_members", award.organization)


def can_report_on(user, award) -> bool:
    """Owners and editors of the grantee organization write its progress reports."""
    return email_is_confirmed(user) and has_perm(
        user, "grants.apply_for_organization", award.organization
    )


def can_verify_report(user, report) -> bool:
    """Program staff verify or return a grantee's report, unless they belong to the
    grantee organization or sent the report themselves: verifying releases money."""
    if not has_perm(user, "grants.verify_hiringreport"):
        return False
    if report.submitted_by_id == user.pk:
        return False
    return not report.award.organization.memberships.filter(user_id=user.pk).exists()


def can_end_sessions(user) -> bool:
    """Only administrators sign other people out everywhere."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def can_erase_personal_data(user) -> bool:
    """Only administrators erase a person's or an organization's personal data."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def can_request_data_export(user, organization) -> bool:
    """An organization's owners download everything it gave us."""
    if not (user.is_authenticated and user.is_active):
        return False
    return organization.memberships.filter(user_id=user.pk, role="owner").exists()


def can_view_audit_trail(user) -> bool:
    """Only administrators read and export the audit trail: it names every actor."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


ADMINISTRATOR = "administrator"


def roles_held(user) -> list[str]:
    """The role groups a person holds now, and "administrator" for a superuser."""
    names = sorted(user.groups.values_list("name", flat=True))
    return [*names, ADMINISTRATOR] if user.is_superuser else names


def can_download_spreadsheet_export(user, export) -> bool:
    """A staff spreadsheet export is for the person who asked for it, and nobody
    else (administrators included): it may hold what only they could see. It was
    made with the roles they held then; once they lose one, it is theirs no more."""
    if not (
        user.is_authenticated and user.is_active and export.requested_by_id == user.pk
    ):
        return False
    held_then = {name for name in export.roles.split("\n") if name}
    return held_then <= set(roles_held(user))


def can_manage_background_jobs(user) -> bool:
    """Program staff, finance staff and administrators see failed background jobs
    (emails, payments, daily jobs) and run them again."""
    return has_role(user, roles.PROGRAM_STAFF) or has_role(user, roles.FINANCE_STAFF)


def can_create_organization(user) -> bool:
    """Any signed-in, active person may start an organization (email checked apart)."""
    return bool(user.is_authenticated and user.is_active)


def can_remove_member(user, membership) -> bool:
    """Owners remove members; every member may remove themselves (leave)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if membership.user_id == user.pk:
        return True
    return has_perm(user, "grants.manage_members", membership.organization)


def can_transfer_ownership(user, organization) -> bool:
    """Only an owner who belongs to the organization may hand ownership on."""
    if not has_perm(user, "grants.manage_members", organization):
        return False
    return organization.memberships.filter(user_id=user.pk, role="owner").exists()


# Roles whose work touches applications, money or the public site: they sign in with a
# second factor before reaching their areas or the Wagtail admin.
SECOND_FACTOR_ROLES = [
    roles.PROGRAM_STAFF,
    roles.FINANCE_STAFF,
    roles.COMMUNICATIONS_STAFF,
    roles.PANEL_CHAIRS,
    roles.PANELISTS,
]
DEMO_EMAIL_DOMAIN = "@demo.test"


def requires_second_factor(user) -> bool:
    """Staff, finance, chairs, panelists, administrators and admin users need 2FA."""
    if not user.is_authenticated or not user.is_active:
        return False
    # Demo accounts skip the second factor only in the embedded default (DEBUG on).
    if settings.DEBUG and user.email.lower().endswith(DEMO_EMAIL_DOMAIN):
        return False
    return holds_privileged_role(user)


def holds_privileged_role(user) -> bool:
    """Administrators, admin users and the roles that see applications or money."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Anyone granted the admin directly, outside a role, is held to the same rule.
    if user.has_perm("wagtailadmin.access_admin"):
        return True
    return user.groups.filter(name__in=SECOND_FACTOR_ROLES).exists()
