from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets.button import Button

from applications import privacy_admin_views as privacy
from applications.admin_views import ExportSelectedBulkAction, MoveToScreeningBulkAction
from applications.viewsets import ApplicationsViewSetGroup
from portal.permissions import can_erase_personal_data


@hooks.register("register_log_actions")
def register_application_log_actions(actions):
    for name, label in [
        ("start_application", "Start application"),
        ("upload_attachment", "Upload attachment"),
        ("download_attachment", "Download attachment"),
        ("submit_application", "Submit application"),
        ("answer_information_request", "Answer information request"),
        ("withdraw_application", "Withdraw application"),
        ("change_status", "Change application status"),
        ("request_information", "Request more information"),
        ("add_internal_note", "Add internal note"),
        ("create_application_form", "Create application form"),
        ("update_application_form", "Edit application form"),
        ("export_applications", "Export applications"),
        ("create_panel", "Create review panel"),
        ("update_panel", "Edit review panel"),
        ("save_rubric", "Save rubric"),
        ("set_content_note", "Set content note"),
        ("invite_panel_member", "Invite panel member"),
        ("revoke_panel_invitation", "Cancel panel invitation"),
        ("join_panel", "Join review panel"),
        ("set_stipend_rate", "Change stipend rate"),
        ("pause_reviewing", "Pause reviewing"),
        ("resume_reviewing", "Resume reviewing"),
        ("log_hours", "Log panel hours"),
        ("remove_panel_member", "Take someone off a panel"),
        ("send_stipends_to_finance", "Send stipends to finance"),
        ("assign_reviewer", "Assign reviewer"),
        ("withdraw_reviewer", "Unassign reviewer"),
        ("apply_assignment_plan", "Assign reviewers automatically"),
        ("declare_conflict", "Declare conflict of interest"),
        ("submit_review", "Submit review"),
        ("reopen_review", "Reopen review"),
        ("record_recommendation", "Record panel recommendation"),
        ("record_decision", "Record funding decision"),
    ]:
        actions.register_action(f"applications.{name}", label, label)
    for name, label in [
        ("erase_person", "Erase a person's personal data"),
        ("erase_organization", "Erase an organization's personal data"),
        ("request_data_export", "Request a copy of an organization's data"),
        ("download_data_export", "Download a copy of an organization's data"),
    ]:
        actions.register_action(f"privacy.{name}", label, label)


@hooks.register("register_admin_viewset")
def register_application_viewsets():
    return ApplicationsViewSetGroup()


hooks.register("register_bulk_action", MoveToScreeningBulkAction)
hooks.register("register_bulk_action", ExportSelectedBulkAction)


@hooks.register("register_admin_urls")
def register_privacy_admin_urls():
    return [
        path(
            "privacy/people/<int:pk>/erase/",
            privacy.ErasePersonView.as_view(),
            name="privacy_erase_person",
        ),
        path(
            "privacy/organizations/",
            privacy.OrganizationErasureIndexView.as_view(),
            name="privacy_organizations",
        ),
        path(
            "privacy/organizations/<int:pk>/erase/",
            privacy.EraseOrganizationView.as_view(),
            name="privacy_erase_organization",
        ),
    ]


@hooks.register("register_user_listing_buttons")
def erase_person_button(user, request_user):
    if not can_erase_personal_data(request_user) or user.pk == request_user.pk:
        return []
    return [
        Button(
            _("Erase personal data"),
            url=reverse("privacy_erase_person", args=[user.pk]),
            icon_name="bin",
            priority=95,
        )
    ]


class AdministratorsMenuItem(MenuItem):
    def is_shown(self, request):
        return can_erase_personal_data(request.user)


@hooks.register("register_settings_menu_item")
def register_erasure_menu_item():
    return AdministratorsMenuItem(
        _("Erase an organization's data"),
        reverse("privacy_organizations"),
        icon_name="bin",
        order=900,
    )
