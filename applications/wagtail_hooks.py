from wagtail import hooks

from applications.admin_views import ExportSelectedBulkAction, MoveToScreeningBulkAction
from applications.viewsets import ApplicationsViewSetGroup


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
    ]:
        actions.register_action(f"applications.{name}", label, label)


@hooks.register("register_admin_viewset")
def register_application_viewsets():
    return ApplicationsViewSetGroup()


hooks.register("register_bulk_action", MoveToScreeningBulkAction)
hooks.register("register_bulk_action", ExportSelectedBulkAction)
