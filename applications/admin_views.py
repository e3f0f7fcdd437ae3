"""Program staff's screening screens in the Wagtail admin.

Wagtail's generic views check model permissions only (WAGTAIL8-NOTES), so every
view here that takes an application id loads it through ``application_for_staff``,
which answers 404 unless ``portal.permissions.has_perm`` allows viewing that
application. Writes go through ``applications.services``, which check again.
"""

import re
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView
from wagtail.admin.ui.tables import (
    BooleanColumn,
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    StatusTagColumn,
)
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from applications import services
from applications.downloads import attachment_response
from applications.exports import ApplicationExportMixin, log_export
from applications.filters import filter_listing
from applications.forms import MoneyField
from applications.models import Application, Decision
from applications.schema import live_raw_blocks, sections_from
from applications.selectors import application_for_staff, screening_queryset
from grants.exports import FormulaSafeExportMixin
from portal.admin_views import ServiceActionMixin
from portal.exports import queue_spreadsheet_export
from portal.permissions import has_perm

VIEW_PERM = "applications.view_application"
CHOSEN_ID = re.compile(r"[0-9]{1,18}")  # fits a bigint on every database
SCREEN_PERM = "applications.screen_application"
EXPORT_PERM = "applications.export_application"
DECIDE_PERM = "applications.decide_application"
INFO_REQUEST_STATUSES = {Application.Status.SUBMITTED, Application.Status.SCREENING}
ALL_SCREENING_TARGETS = sorted(
    {
        target
        for targets in services.SCREENING_TRANSITIONS.values()
        for target in targets
    }
)


def _form_sections(application):
    """The sections the applicant answered: their snapshot, else the live form."""
    if application.form_snapshot is not None:
        return sections_from(application.form_snapshot)
    application_form = getattr(application.funding_round, "application_form", None)
    if application_form is None:
        return sections_from([])
    return sections_from(live_raw_blocks(application_form))


def _display(field_def, value):
    """An answer as plain text for the template to escape; None when unanswered."""
    if value in (None, "", [], {}):
        return None
    if field_def.type == "multi_choice" and isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if field_def.type == "yes_no":
        return {"yes": _("Yes"), "no": _("No")}.get(value, str(value))
    if field_def.type == "currency":
        return f"${value}"
    return str(value)


def answer_sections(application) -> list[dict]:
    """Every question with its answer, grouped by section, as staff read them."""
    answers = {
        **application.answers,
        "title": application.title,
        "amount_requested": application.amount_requested,
    }
    attachments = {a.field_id: a for a in application.attachments.all()}
    grouped = []
    for section in _form_sections(application):
        rows = []
        for field_def in section.fields:
            value = answers.get(field_def.id)
            row = {"field": field_def, "type": field_def.type}
            if field_def.type == "file":
                row["attachment"] = attachments.get(field_def.id)
            elif field_def.type == "budget_table":
                value = value if isinstance(value, dict) else {}
                row["rows"] = value.get("rows") or []
                row["total"] = value.get("total")
            else:
                row["value"] = _display(field_def, value)
            rows.append(row)
        grouped.append({"section": section, "rows": rows})
    return grouped


class ChangeStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the status history. The applicant does not see it."),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Application.Status.choices)
        legal = services.SCREENING_TRANSITIONS.get(application.status, set())
        # The service is the judge of legal moves (the status may change between
        # showing this form and posting it): accept any screening target here and
        # let change_status refuse, but offer only the moves legal right now.
        self.fields["to_status"].choices = [
            (s, labels[s]) for s in ALL_SCREENING_TARGETS
        ]
        self.fields["to_status"].widget.choices = [
            (s, labels[s]) for s in ALL_SCREENING_TARGETS if s in legal
        ]


class RequestInformationForm(forms.Form):
    sections = forms.MultipleChoiceField(
        label=_("Sections to reopen"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only these sections become editable for the applicant."),
    )
    message = forms.CharField(
        label=_("What do you need?"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The applicant sees this message in the portal."),
    )

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sections"].choices = [
            (section.id, section.title) for section in _form_sections(application)
        ]


class InternalNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Staff only. Applicants and panelists never see notes."),
    )

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)


class BulkReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in each application's status history."),
    )


class BulkExportForm(forms.Form):
    export_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")],
        initial="xlsx",
        widget=forms.RadioSelect,
    )


class ApplicationIndexView(
    FormulaSafeExportMixin, ApplicationExportMixin, generic.IndexView
):
    """Submitted applications for staff who may view applications model-wide.

    Exports read rows a chunk at a time and stream the CSV, so memory stays flat
    however many applications a round has."""

    any_permission_required = ["view"]

    def dispatch(self, request, *args, **kwargs):
        # Model-wide only: an object grant (a panelist's) never opens the listing.
        if not has_perm(request.user, VIEW_PERM):
            raise PermissionDenied
        if self.is_export and not has_perm(request.user, EXPORT_PERM):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        queryset = screening_queryset()
        if self.is_export and "selected" in self.request.GET:
            # An export of the rows chosen with the bulk action (ids, comma-separated).
            chosen = self.request.GET["selected"].split(",")
            queryset = queryset.filter(
                pk__in=[pk for pk in chosen if CHOSEN_ID.fullmatch(pk)]
            )
        return queryset

    @cached_property
    def show_export_buttons(self):
        return bool(self.list_export) and has_perm(self.request.user, EXPORT_PERM)

    @cached_property
    def columns(self):
        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="application"),
            self._get_title_column(
                "reference",
                get_title_id=lambda instance: f"application_{instance.pk}_title",
            ),
            Column("title", label=_("Project title"), sort_key="title"),
            Column(
                "organization.public_name",
                label=_("Organization"),
                sort_key="organization__public_name",
            ),
            Column(
                "funding_round.title",
                label=_("Funding round"),
                sort_key="funding_round__title",
            ),
            StatusTagColumn("get_status_display", label=_("Status"), sort_key="status"),
            Column(
                "amount_requested",
                label=_("Amount requested"),
                sort_key="amount_requested",
            ),
            DateColumn("submitted_at", label=_("Submitted"), sort_key="submitted_at"),
            BooleanColumn(
                "organization.survivor_led",
                label=_("Survivor-led"),
                sort_key="organization__survivor_led",
            ),
        ]

    def render_to_response(self, context, **response_kwargs):
        if self.is_export:
            funding_round = None
            if self.filters and self.filters.is_valid():
                funding_round = self.filters.form.cleaned_data.get("funding_round")
            log_export(
                user=self.request.user,
                applications=context["object_list"],
                export_format=self.request.GET.get("export"),
                funding_round=funding_round,
            )
        return super().render_to_response(context, **response_kwargs)


class ApplicationInspectView(generic.InspectView):
    """One application: answers by section, files, history, notes and actions."""

    # get_object asks the permission gate about this application (model-wide or an
    # object grant); Wagtail's own check would ask about the model only.
    any_permission_required = None
    change_status_url_name = None
    request_information_url_name = None
    add_note_url_name = None
    download_url_name = None
    decision_url_name = None

    def get_object(self, queryset=None):
        return application_for_staff(self.request.user, self.pk)

    def get_submitted_at_display_value(self):
        # The generic inspect template formats datetimes without converting to
        # local time, so do it here.
        return date_format(localtime(self.object.submitted_at), "DATETIME_FORMAT")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.object
        context.update(application_context(self.request.user, application))
        context.update(
            {
                "status_form": ChangeStatusForm(application=application),
                "info_form": RequestInformationForm(application=application),
                "note_form": InternalNoteForm(),
                "change_status_url": reverse(
                    self.change_status_url_name, args=[application.pk]
                ),
                "request_information_url": reverse(
                    self.request_information_url_name, args=[application.pk]
                ),
                "add_note_url": reverse(self.add_note_url_name, args=[application.pk]),
                "decision_url": reverse(self.decision_url_name, args=[application.pk]),
                "download_url_name": self.download_url_name,
            }
        )
        return context


def application_context(user, application) -> dict:
    """What the inspect page (and the action pages on error) show."""
    can_screen = has_perm(user, SCREEN_PERM, application)
    legal = services.SCREENING_TRANSITIONS.get(application.status, set())
    return {
        "application": application,
        "answer_sections": answer_sections(application),
        "attachments": list(application.attachments.all()),
        "status_changes": application.status_changes.select_related("actor"),
        "notes": application.internal_notes.select_related("author"),
        "information_requests": application.information_requests.all(),
        "can_screen": can_screen,
        "can_change_status": can_screen and bool(legal),
        "can_request_information": can_screen
        and application.status in INFO_REQUEST_STATUSES,
        "recommendation": getattr(application, "panel_recommendation", None),
        "decision": getattr(application, "decision", None),
        "conflicts": application.conflict_declarations.filter(
            has_conflict=True
        ).select_related("panelist"),
        "can_decide": has_perm(user, DECIDE_PERM, application)
        and application.status in services.DECIDABLE,
    }


class ApplicationActionView(ServiceActionMixin, WagtailAdminTemplateMixin, FormView):
    """A screening action on one application, posted from its inspect page."""

    template_name = "applications/admin/action.html"
    form_class = None
    index_url_name = None
    inspect_url_name = None
    header_icon = "doc-full-inverse"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.application = application_for_staff(request.user, kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if not has_perm(request.user, SCREEN_PERM, self.application):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.application)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Applications")},
            {"url": self.get_success_url(), "label": str(self.application)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "application": self.application}

    def get_success_url(self):
        return reverse(self.inspect_url_name, args=[self.application.pk])

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "application": self.application,
            "action_url": self.request.path,
            "cancel_url": self.get_success_url(),
        }


class ChangeStatusView(ApplicationActionView):
    form_class = ChangeStatusForm
    page_title = _("Change status")
    success_message = _("Status changed.")

    def perform(self, form):
        services.change_status(
            actor=self.request.user,
            application=self.application,
            to_status=form.cleaned_data["to_status"],
            reason=form.cleaned_data["reason"],
        )


class RequestInformationView(ApplicationActionView):
    form_class = RequestInformationForm
    page_title = _("Request more information")
    success_message = _("Information requested. The chosen sections are open again.")

    def perform(self, form):
        services.request_information(
            actor=self.request.user,
            application=self.application,
            sections=form.cleaned_data["sections"],
            message=form.cleaned_data["message"],
        )


class AddInternalNoteView(ApplicationActionView):
    form_class = InternalNoteForm
    page_title = _("Add internal note")
    success_message = _("Note added.")

    def perform(self, form):
        services.add_internal_note(
            actor=self.request.user,
            application=self.application,
            text=form.cleaned_data["text"],
        )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=Decision.Outcome.choices, widget=forms.RadioSelect
    )
    amount = MoneyField(
        label=_("Award amount (USD)"),
        required=False,
        help_text=_("Only for an award. It cannot be more than the amount requested."),
    )
    feedback = forms.CharField(
        label=_("Panel feedback for the applicant"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        help_text=_(
            "For a declined application. Write it kindly and never name reviewers."
        ),
    )
    feedback_approved = forms.BooleanField(
        label=_("I approve sending this feedback to the applicant"), required=False
    )
    public_title = forms.CharField(
        label=_("Public title of the award"),
        max_length=200,
        required=False,
        help_text=_("For an award. Published as open data: write it for the public."),
    )
    public_summary = forms.CharField(
        label=_("Public summary of the award"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_(
            "For an award. Published as open data. Never copy the application's "
            "answers: say what the grant funds in plain words."
        ),
    )
    starts_on = forms.DateField(
        label=_("Grant starts on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=_("Grant ends on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
    )

    AWARD_FIELDS = (
        "public_title",
        "public_summary",
        "starts_on",
        "ends_on",
        "conditions",
    )

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)


class RecordDecisionView(ApplicationActionView):
    form_class = DecisionForm
    page_title = _("Record the decision")
    success_message = _("Decision recorded. The applicant has been emailed.")

    def dispatch(self, request, *args, **kwargs):
        if not has_perm(request.user, DECIDE_PERM, self.application):
            raise PermissionDenied
        return FormView.dispatch(self, request, *args, **kwargs)

    def perform(self, form):
        values = dict(form.cleaned_data)
        award_details = {name: values.pop(name) for name in DecisionForm.AWARD_FIELDS}
        services.record_decision(
            actor=self.request.user,
            application=self.application,
            award_details=award_details,
            **values,
        )


class AttachmentDownloadView(View):
    """Serve an applicant's file to staff as a download, and log who took it."""

    http_method_names = ["get"]

    def get(self, request, pk, attachment_id):
        application = application_for_staff(request.user, pk)
        attachment = get_object_or_404(application.attachments, pk=attachment_id)
        return attachment_response(
            user=request.user, application=application, attachment=attachment
        )


class ApplicationBulkAction(BulkAction):
    """Bulk actions over submitted applications; every object is checked again."""

    models = [Application]
    required_perms = (VIEW_PERM,)

    def dispatch(self, request, *args, **kwargs):
        # The bulk dispatcher checks nothing itself: refuse the whole request unless
        # the person holds the model-wide permissions, then check each object.
        if not all(has_perm(request.user, perm) for perm in self.required_perms):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def get_queryset(cls, model, object_ids):
        ids = [int(pk) for pk in object_ids if str(pk).isdigit()]
        objects = list(screening_queryset().filter(pk__in=ids))
        if not objects:
            raise Http404
        return objects

    def get_all_objects_in_listing_query(self, parent_id):
        listing = filter_listing(
            screening_queryset(), self.request.GET, request=self.request
        )
        return listing.values_list("pk", flat=True)

    def check_perm(self, obj):
        return all(
            has_perm(self.request.user, perm, obj) for perm in self.required_perms
        )

    def object_context(self, obj):
        return {"item": obj, "status": obj.get_status_display()}


class MoveToScreeningBulkAction(ApplicationBulkAction):
    display_name = _("Move to screening")
    action_type = "move_to_screening"
    aria_label = _("Move the selected applications to screening")
    template_name = "applications/admin/bulk_move_to_screening.html"
    action_priority = 20
    required_perms = (VIEW_PERM, SCREEN_PERM)

    form_class = BulkReasonForm

    def get_execution_context(self):
        return {
            "user": self.request.user,
            "reason": self.cleaned_form.cleaned_data["reason"],
        }

    @classmethod
    def execute_action(cls, objects, user=None, reason="", **kwargs):
        moved = skipped = 0
        for application in objects:
            # Only new submissions: moving an eligible or ineligible one back to
            # screening is a decision to take one at a time, with a reason.
            if application.status != Application.Status.SUBMITTED:
                skipped += 1
                continue
            try:
                services.change_status(
                    actor=user,
                    application=application,
                    to_status=Application.Status.SCREENING,
                    reason=reason,
                )
            except ValidationError:
                skipped += 1  # moved by someone else meanwhile: the service refuses
            else:
                moved += 1
        return moved, skipped

    def get_success_message(self, num_parent_objects, num_child_objects):
        message = ngettext(
            "%(count)d application moved to screening.",
            "%(count)d applications moved to screening.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
        if num_child_objects:
            message += " " + ngettext(
                "%(count)d was not in “Submitted” and was left as it was.",
                "%(count)d were not in “Submitted” and were left as they were.",
                num_child_objects,
            ) % {"count": num_child_objects}
        return message


class ExportSelectedBulkAction(ApplicationBulkAction):
    display_name = _("Export")
    action_type = "export_selected"
    aria_label = _("Export the selected applications")
    template_name = "applications/admin/bulk_export.html"
    action_priority = 30
    required_perms = (VIEW_PERM, EXPORT_PERM)

    form_class = BulkExportForm

    def form_valid(self, form):
        objects, _no_access = self.get_actionable_objects()
        if not objects:
            raise PermissionDenied
        export_format = form.cleaned_data["export_format"]
        # Made by the worker from the listing, limited to the chosen rows.
        query = urlencode(
            {
                "export": export_format,
                "selected": ",".join(str(obj.pk) for obj in objects),
                "ordering": "reference",
            }
        )
        return queue_spreadsheet_export(
            self.request,
            path=f"{reverse('screening:index')}?{query}",
            title=_("Chosen applications"),
            filename="applications",
        )
