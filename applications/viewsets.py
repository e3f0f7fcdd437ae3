"""Wagtail admin screens for application forms and screening (program staff)."""

from django.http import Http404
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from applications import admin_views, panel_admin_views, services
from applications.exports import (
    APPLICATION_EXPORT_FIELDS,
    APPLICATION_EXPORT_HEADINGS,
)
from applications.filters import SEARCH_FIELDS, ApplicationFilterSet
from applications.models import Application, ApplicationForm, Panel, Rubric
from portal.admin_views import (
    InspectURLFinderMixin,
    ServiceCreateView,
    ServiceEditView,
)
from portal.permissions import has_perm


class ApplicationFormCreateView(ServiceCreateView):
    create_service = services.create_application_form


class ApplicationFormEditView(ServiceEditView):
    update_service = services.update_application_form
    object_arg = "application_form"

    def get_object(self, queryset=None):
        application_form = super().get_object(queryset)
        if not has_perm(
            self.request.user, "applications.change_applicationform", application_form
        ):
            raise Http404
        return application_form


class ApplicationFormViewSet(ModelViewSet):
    model = ApplicationForm
    icon = "form"
    menu_label = _("Application forms")
    form_fields = ["funding_round", "eligibility", "fields"]
    list_display = ["funding_round", "version", "updated_at"]
    list_filter = ["funding_round__fund"]
    search_fields = ["funding_round__title"]
    ordering = ["-updated_at"]
    add_view_class = ApplicationFormCreateView
    edit_view_class = ApplicationFormEditView
    copy_view_enabled = False


class ApplicationViewSet(InspectURLFinderMixin, ModelViewSet):
    """Submitted applications: list, filter, export, inspect and screen. No editing.

    Applicant answers change only through the applicant's own services, and status
    only through ``services.change_status`` and friends, so the generic add, edit,
    delete, copy, history and usage views are not routed at all.
    """

    model = Application
    icon = "doc-full-inverse"
    menu_label = _("Applications")
    index_view_class = admin_views.ApplicationIndexView
    inspect_view_class = admin_views.ApplicationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    index_template_name = "applications/admin/index.html"
    inspect_template_name = "applications/admin/inspect.html"
    inspect_view_fields = [
        "reference",
        "title",
        "organization",
        "funding_round",
        "status",
        "amount_requested",
        "submitted_at",
    ]
    filterset_class = ApplicationFilterSet
    search_fields = SEARCH_FIELDS
    ordering = "-submitted_at"
    list_per_page = 50
    list_export = APPLICATION_EXPORT_FIELDS
    export_headings = APPLICATION_EXPORT_HEADINGS
    export_filename = "applications"

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                "inspect_url_name": self.get_url_name("inspect"),
                **kwargs,
            }
        )

    def get_action_view_kwargs(self):
        return {
            "index_url_name": self.get_url_name("index"),
            "inspect_url_name": self.get_url_name("inspect"),
            "header_icon": self.icon,
        }

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(
            change_status_url_name=self.get_url_name("change_status"),
            request_information_url_name=self.get_url_name("request_information"),
            add_note_url_name=self.get_url_name("add_note"),
            download_url_name=self.get_url_name("download_attachment"),
            decision_url_name=self.get_url_name("record_decision"),
            **kwargs,
        )

    def get_urlpatterns(self):
        action_kwargs = self.get_action_view_kwargs()
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path(
                "inspect/<int:pk>/status/",
                admin_views.ChangeStatusView.as_view(**action_kwargs),
                name="change_status",
            ),
            path(
                "inspect/<int:pk>/request-information/",
                admin_views.RequestInformationView.as_view(**action_kwargs),
                name="request_information",
            ),
            path(
                "inspect/<int:pk>/notes/",
                admin_views.AddInternalNoteView.as_view(**action_kwargs),
                name="add_note",
            ),
            path(
                "inspect/<int:pk>/decision/",
                admin_views.RecordDecisionView.as_view(**action_kwargs),
                name="record_decision",
            ),
            path(
                "inspect/<int:pk>/files/<int:attachment_id>/",
                admin_views.AttachmentDownloadView.as_view(),
                name="download_attachment",
            ),
        ]


class PanelViewSet(ModelViewSet):
    """Review panels: settings here; people, assignments and ranking on inspect."""

    model = Panel
    icon = "group"
    menu_label = _("Review panels")
    form_fields = list(services.panels.PANEL_FIELDS)
    list_display = [
        "name",
        "funding_round",
        "blind_review",
        "reviewers_per_application",
        "reviews_due_on",
    ]
    list_filter = ["funding_round__fund", "blind_review"]
    search_fields = ["name", "funding_round__title"]
    ordering = ["-created_at"]
    add_view_class = panel_admin_views.PanelCreateView
    edit_view_class = panel_admin_views.PanelEditView
    inspect_view_class = panel_admin_views.PanelInspectView
    inspect_view_enabled = True
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"delete_url_name": None, "usage_url_name": None, **kwargs}
        )

    def get_urlpatterns(self):
        patterns = [
            p
            for p in super().get_urlpatterns()
            if p.name not in {"delete", "usage", "copy"}
        ]
        actions = [
            ("invite/", panel_admin_views.InviteMemberView, "invite"),
            (
                "invitations/<int:invitation_id>/revoke/",
                panel_admin_views.RevokeInvitationView,
                "revoke_invitation",
            ),
            (
                "members/<int:membership_id>/rate/",
                panel_admin_views.SetStipendRateView,
                "stipend_rate",
            ),
            (
                "members/<int:membership_id>/remove/",
                panel_admin_views.RemoveMemberView,
                "remove_member",
            ),
            ("assign/", panel_admin_views.AutoAssignView, "auto_assign"),
            ("assign-one/", panel_admin_views.ManualAssignView, "assign"),
            (
                "assignments/<int:assignment_id>/remove/",
                panel_admin_views.UnassignView,
                "unassign",
            ),
            (
                "applications/<int:application_id>/content-note/",
                panel_admin_views.ContentNoteView,
                "content_note",
            ),
            ("stipends/", panel_admin_views.SendStipendsView, "send_stipends"),
            ("ranking/", panel_admin_views.RankingView, "ranking"),
        ]
        return patterns + [
            path(f"inspect/<int:pk>/{route}", view.as_view(), name=name)
            for route, view, name in actions
        ]


class RubricViewSet(ModelViewSet):
    """Rubrics: weighted criteria with a description of every score."""

    model = Rubric
    icon = "tasks"
    menu_label = _("Rubrics")
    list_display = ["funding_round", "scale_max", "updated_at"]
    list_filter = ["funding_round__fund"]
    ordering = ["-updated_at"]
    add_view_class = panel_admin_views.RubricCreateView
    edit_view_class = panel_admin_views.RubricEditView
    copy_view_enabled = False

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**{"delete_url_name": None, **kwargs})

    def get_urlpatterns(self):
        return [
            p for p in super().get_urlpatterns() if p.name not in {"delete", "copy"}
        ]


class ApplicationsViewSetGroup(ViewSetGroup):
    menu_label = _("Applications")
    menu_icon = "doc-full-inverse"
    menu_order = 210
    items = (
        # The public site already owns the "applications" URL namespace.
        ApplicationViewSet("screening", url_prefix="applications"),
        ApplicationFormViewSet("application_forms"),
        PanelViewSet("panels"),
        RubricViewSet("rubrics"),
    )
