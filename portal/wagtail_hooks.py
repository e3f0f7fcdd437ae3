from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets.button import Button

from portal import audit
from portal.accounts.admin_views import EndSessionsView
from portal.audit_views import AuditTrailView, audit_trail_menu_item
from portal.export_views import (
    SpreadsheetExportsView,
    download_spreadsheet_export,
    spreadsheet_exports_menu_item,
)
from portal.job_views import FailedJobsView, failed_jobs_menu_item
from portal.permissions import can_end_sessions


@hooks.register("register_admin_urls")
def register_account_admin_urls():
    return [
        path(
            "accounts/users/<int:pk>/end-sessions/",
            EndSessionsView.as_view(),
            name="accounts_end_sessions",
        )
    ]


@hooks.register("register_admin_urls")
def register_failed_jobs_urls():
    return [path("jobs/failed/", FailedJobsView.as_view(), name="portal_failed_jobs")]


hooks.register("register_settings_menu_item", failed_jobs_menu_item)


@hooks.register("register_admin_urls")
def register_audit_trail_urls():
    return [
        path("audit-trail/", AuditTrailView.as_view(), name="portal_audit_trail"),
        path(
            "audit-trail/results/",
            AuditTrailView.as_view(results_only=True),
            name="portal_audit_trail_results",
        ),
    ]


hooks.register("register_reports_menu_item", audit_trail_menu_item)


@hooks.register("register_admin_urls")
def register_spreadsheet_export_urls():
    return [
        path(
            "downloads/",
            SpreadsheetExportsView.as_view(),
            name="portal_spreadsheet_exports",
        ),
        path(
            "downloads/<int:pk>/",
            download_spreadsheet_export,
            name="portal_spreadsheet_export_download",
        ),
    ]


hooks.register("register_reports_menu_item", spreadsheet_exports_menu_item)
hooks.register("before_edit_user", audit.remember_roles)
hooks.register("after_edit_user", audit.record_role_change)
hooks.register("after_create_user", audit.record_role_change)


@hooks.register("register_log_actions")
def register_audit_log_actions(actions):
    for action, label, message in [
        (
            audit.PERMISSION_DENIED,
            _("Refused access"),
            _("Was refused a page or an action"),
        ),
        (audit.CHANGE_ROLES, _("Change roles"), _("Roles were given or taken away")),
        ("portal.retry_job", _("Run a job again"), _("Queued a failed job again")),
        ("portal.dismiss_job", _("Dismiss a job"), _("Dismissed a failed job")),
        (
            "portal.download_spreadsheet",
            _("Download a spreadsheet export"),
            _("Downloaded a spreadsheet export of a staff listing"),
        ),
        (
            audit.EXPORT_AUDIT_TRAIL,
            _("Export the audit trail"),
            _("Downloaded a copy of the audit trail"),
        ),
    ]:
        actions.register_action(action, label, message)


@hooks.register("register_user_listing_buttons")
def end_sessions_button(user, request_user):
    if not can_end_sessions(request_user):
        return []
    return [
        Button(
            _("Sign out everywhere"),
            url=reverse("accounts_end_sessions", args=[user.pk]),
            icon_name="lock",
            priority=90,
        )
    ]


@hooks.register("register_log_actions")
def register_account_log_actions(actions):
    for action, label, message in [
        ("accounts.signup", _("Sign up"), _("Created an account")),
        (
            "accounts.confirm_email",
            _("Confirm email"),
            _("Confirmed the email address"),
        ),
        (
            "accounts.request_email_change",
            _("Request email change"),
            _("Asked to change the email address"),
        ),
        ("accounts.change_email", _("Change email"), _("Changed the email address")),
        ("accounts.change_password", _("Change password"), _("Changed the password")),
        ("accounts.reset_password", _("Reset password"), _("Reset the password")),
        ("accounts.login", _("Sign in"), _("Signed in")),
        ("accounts.logout", _("Sign out"), _("Signed out")),
        ("accounts.login_failed", _("Failed sign-in"), _("A sign-in did not match")),
        (
            "accounts.enable_two_factor",
            _("Turn on two-step verification"),
            _("Set up an authenticator app"),
        ),
        (
            "accounts.verify_two_factor",
            _("Two-step verification"),
            _("Passed two-step verification"),
        ),
        (
            "accounts.two_factor_failed",
            _("Failed two-step verification"),
            _("A two-step verification code did not match"),
        ),
        (
            "accounts.set_email_preferences",
            _("Email preferences"),
            _("Changed which emails to receive"),
        ),
        (
            "accounts.regenerate_backup_codes",
            _("New backup codes"),
            _("Made new backup codes"),
        ),
        (
            "accounts.end_all_sessions",
            _("Sign out everywhere"),
            _("Signed the person out on every device"),
        ),
    ]:
        actions.register_action(action, label, message)
