"""Staff screens for survivor-hiring commitments and progress reports.

Program staff record commitments, set report schedules, and verify or return
reports; finance staff can read them. Every action is one form calling one service.
"""

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminDateInput
from wagtail.admin.widgets.button import HeaderButton

from grants import hiring_figures, services
from grants.finance_admin_views import AwardActionView, GrantsActionView
from grants.models import (
    FILLED_FIELDS,
    Fund,
    FundingRound,
    HiringCommitment,
    HiringReport,
    RoleLevel,
    ServiceType,
)
from grants.services.hiring import default_wage_floor, filled_before
from portal.permissions import has_perm

LIST_LIMIT = 20
BAR_WIDTH = 360


def can_see_hiring(user) -> bool:
    return has_perm(user, "grants.view_hiringreport")


# Commitments and schedules on an award --------------------------------------------


class CommitmentForm(forms.Form):
    entry_positions = forms.IntegerField(
        label=_("Entry-level positions"), min_value=0, max_value=9999, initial=0
    )
    professional_positions = forms.IntegerField(
        label=_("Professional positions"), min_value=0, max_value=9999, initial=0
    )
    leadership_positions = forms.IntegerField(
        label=_("Leadership positions"), min_value=0, max_value=9999, initial=0
    )
    board_positions = forms.IntegerField(
        label=_("Board or advisory seats"), min_value=0, max_value=9999, initial=0
    )
    wage_floor = forms.DecimalField(
        label=_("Wage floor (USD an hour)"),
        min_value=0.01,
        max_digits=6,
        decimal_places=2,
        help_text=_(
            "The Minneapolis minimum wage by default. Write it higher if agreed."
        ),
    )
    target_date = forms.DateField(label=_("Fill positions by"), widget=AdminDateInput())
    supports = forms.MultipleChoiceField(
        label=_("Supports offered"),
        choices=HiringCommitment.Support.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_supports = forms.CharField(
        label=_("Other supports"), max_length=300, required=False
    )


class RecordCommitmentView(AwardActionView):
    permission = "grants.change_hiringcommitment"
    form_class = CommitmentForm
    page_title = _("Survivor-hiring commitment")
    submit_label = _("Save and confirm the commitment")
    success_message = _("The hiring commitment is confirmed. The grantee sees it.")
    intro = _(
        "Positions to fill with people with lived experience, as counts per level. "
        "Never record who they are. A commitment the applicant proposed is shown "
        "here for you to check and confirm."
    )

    def get_initial(self):
        commitment = HiringCommitment.objects.filter(award=self.object).first()
        if commitment is None:
            return {
                "wage_floor": default_wage_floor(),
                "target_date": self.object.ends_on,
            }
        return {
            name: getattr(commitment, name)
            for name in services.hiring.COMMITMENT_FIELDS
        }

    def perform(self, form):
        services.record_commitment(
            actor=self.request.user, award=self.object, **form.cleaned_data
        )


class ScheduleReportsForm(forms.Form):
    every_months = forms.TypedChoiceField(
        label=_("How often the grantee reports"),
        coerce=int,
        choices=[
            (1, _("Monthly")),
            (3, _("Quarterly")),
            (6, _("Twice a year")),
            (12, _("Yearly")),
        ],
        initial=3,
        widget=forms.RadioSelect,
    )
    due_days = forms.IntegerField(
        label=_("Days after each period ends that the report is due"),
        min_value=0,
        max_value=120,
        initial=30,
    )


class ScheduleReportsView(AwardActionView):
    permission = "grants.add_hiringreport"
    form_class = ScheduleReportsForm
    page_title = _("Progress report schedule")
    success_message = _("The report schedule is saved.")
    intro = _(
        "Reports cover the grant period from its start to its end. Reports that were "
        "already sent keep their place; only reports not yet sent are replaced."
    )

    def get_initial(self):
        return {"every_months": 3, "due_days": 30}

    def perform(self, form):
        services.schedule_reports(
            actor=self.request.user, award=self.object, **form.cleaned_data
        )


# Reports ---------------------------------------------------------------------------


class ReportFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=HiringReport.Status.choices
    )
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    funding_round = django_filters.ModelChoiceFilter(
        label=_("Funding round"),
        field_name="award__funding_round",
        queryset=FundingRound.objects.all(),
    )
    fund = django_filters.ModelChoiceFilter(
        label=_("Fund"),
        field_name="award__funding_round__fund",
        queryset=Fund.objects.all(),
    )

    class Meta:
        model = HiringReport
        fields = []

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        overdue = queryset.overdue(today)
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ReportIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("award__organization", "award__funding_round")
        )


class ReportInspectView(generic.InspectView):
    template_name = "grants/admin/report_inspect.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            HiringReport.objects.select_related(
                "award__organization",
                "award__funding_round",
                "submitted_by",
                "verified_by",
            ),
            pk=self.pk,
        )

    @cached_property
    def header_more_buttons(self):
        report = self.object
        if report.status != HiringReport.Status.SUBMITTED or not has_perm(
            self.request.user, "grants.verify_hiringreport"
        ):
            return []
        return [
            HeaderButton(
                _("Verify"),
                url=reverse("hiring_reports:verify", args=[report.pk]),
                icon_name="tick",
            ),
            HeaderButton(
                _("Return with comments"),
                url=reverse("hiring_reports:return", args=[report.pk]),
                icon_name="arrow-left",
            ),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = self.object
        commitment = HiringCommitment.objects.filter(award=report.award).first()
        earlier = filled_before(report)
        levels = []
        for level, label in RoleLevel.choices:
            filled_field = FILLED_FIELDS[level]
            levels.append(
                {
                    "label": label,
                    "committed": commitment.positions()[level] if commitment else 0,
                    "earlier": earlier[filled_field],
                    "now": getattr(report, filled_field),
                }
            )
        context.update(
            {
                "report": report,
                "award": report.award,
                "commitment": commitment,
                "levels": levels,
                "served": report.service_counts.all(),
                "history": report.events.select_related("actor").order_by("at", "pk"),
            }
        )
        return context


class ReportActionView(GrantsActionView):
    permission = "grants.verify_hiringreport"
    index_url_name = "hiring_reports:index"
    inspect_url_name = "hiring_reports:inspect"
    header_icon = "doc-full"

    def load_object(self, pk):
        return get_object_or_404(
            HiringReport.objects.select_related("award__organization"), pk=pk
        )

    def get_summary(self):
        report = self.object
        return [
            (_("Organization"), report.award.organization),
            (_("Award"), report.award.public_title),
            (_("Period"), f"{report.period_start} – {report.period_end}"),
            (_("Status"), report.get_status_display()),
        ]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the grantee"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kind and specific: what to check or change, and why."),
    )


class RequiredCommentForm(CommentForm):
    comment = forms.CharField(
        label=_("What needs to change"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Kind and specific: what to check or change, and why."),
    )


class VerifyReportView(ReportActionView):
    form_class = CommentForm
    page_title = _("Verify the report")
    success_message = _(
        "The report is verified. Its figures now count in the totals, and "
        "installments waiting for it can be paid."
    )
    intro = _("Verify when the figures look right. The grantee is told by email.")

    def perform(self, form):
        services.verify_report(
            actor=self.request.user,
            report=self.object,
            comment=form.cleaned_data["comment"],
        )


class ReturnReportView(ReportActionView):
    form_class = RequiredCommentForm
    page_title = _("Return the report with comments")
    success_message = _("The report is returned. The grantee is told by email.")
    intro = _("The grantee sees your comments, corrects the report and sends it again.")

    def perform(self, form):
        services.return_report(
            actor=self.request.user,
            report=self.object,
            comment=form.cleaned_data["comment"],
        )


# Dashboard -------------------------------------------------------------------------


def _bars(rows: list[dict]) -> tuple[list[dict], str]:
    """Bar widths and y positions for an SVG chart of committed vs filled."""
    largest = max(
        [max(row["committed_total"], row["filled_total"]) for row in rows] or [0]
    )
    for index, row in enumerate(rows):
        top = index * 56 + 8
        row["y"] = {"label": top + 12, "committed": top + 18, "filled": top + 34}
        for name in ("committed", "filled"):
            value = row[f"{name}_total"]
            row[f"{name}_width"] = round(BAR_WIDTH * value / largest) if largest else 0
    return rows, str(max(len(rows), 1) * 56 + 16)


class HiringDashboardView(WagtailAdminTemplateMixin, TemplateView):
    """Commitments against positions filled, overdue reports, grantees to support."""

    template_name = "grants/admin/hiring_dashboard.html"
    page_title = _("Survivor hiring")
    header_icon = "group"

    def dispatch(self, request, *args, **kwargs):
        if not can_see_hiring(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        group = "fund" if self.request.GET.get("by") == "fund" else "round"
        rows, chart_height = _bars(hiring_figures.by_group(group))
        totals = hiring_figures.totals_by_level()
        waiting = hiring_figures.totals_by_level(include_sent=True)
        levels = [
            {
                "label": label,
                "committed": totals["committed"][level],
                "filled": totals["filled"][level],
                "with_waiting": waiting["filled"][level],
            }
            for level, label in RoleLevel.choices
        ]
        served = hiring_figures.people_served()
        context.update(
            {
                "group": group,
                "rows": rows,
                "chart_height": chart_height,
                "levels": levels,
                "committed_total": sum(totals["committed"].values()),
                "filled_total": sum(totals["filled"].values()),
                "retention": hiring_figures.retention_and_wages(),
                "served": [
                    (label, served[value]) for value, label in ServiceType.choices
                ],
                "report_counts": hiring_figures.report_counts(today),
                "overdue": list(hiring_figures.overdue_reports(today, LIST_LIMIT)),
                "support": hiring_figures.needing_support(today, LIST_LIMIT),
                "today": today,
            }
        )
        return context
