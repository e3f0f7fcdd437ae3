"""Wagtail admin screens for funds, rounds, stipends, awards, payments and the ledger."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from grants import finance_admin_views as finance
from grants import hiring_admin_views as hiring
from grants import services
from grants.exports import LEDGER_EXPORT_FIELDS, LEDGER_EXPORT_HEADINGS
from grants.models import (
    Award,
    Disbursement,
    Fund,
    FundingRound,
    HiringReport,
    LedgerEntry,
    Stipend,
)
from portal.admin_views import (
    InspectURLFinderMixin,
    ServiceCreateView,
    ServiceEditView,
)


class FundCreateView(ServiceCreateView):
    create_service = services.create_fund


class FundEditView(ServiceEditView):
    update_service = services.update_fund
    object_arg = "fund"


class FundViewSet(ModelViewSet):
    model = Fund
    icon = "folder-open-inverse"
    menu_label = "Funds"
    form_fields = ["name", "slug", "framework_goal", "description"]
    list_display = ["name", "framework_goal"]
    search_fields = ["name", "description"]
    add_view_class = FundCreateView
    edit_view_class = FundEditView
    copy_view_enabled = False
    inspect_view_enabled = True


class FundingRoundCreateView(ServiceCreateView):
    create_service = services.create_funding_round


class FundingRoundEditView(ServiceEditView):
    update_service = services.update_funding_round
    object_arg = "funding_round"


class FundingRoundViewSet(ModelViewSet):
    model = FundingRound
    icon = "date"
    menu_label = "Funding rounds"
    form_fields = [
        "fund",
        "title",
        "reference_prefix",
        "budget",
        "min_award",
        "max_award",
        "opens_at",
        "closes_at",
        "status",
    ]
    list_display = ["title", "fund", "budget", "opens_at", "closes_at", "status"]
    list_filter = ["fund", "status"]
    search_fields = ["title"]
    ordering = ["-opens_at"]
    add_view_class = FundingRoundCreateView
    edit_view_class = FundingRoundEditView
    copy_view_enabled = False
    inspect_view_enabled = True


class StipendViewSet(InspectURLFinderMixin, ModelViewSet):
    """Panel stipends for finance: list, filter, export and inspect; no editing here.

    Stipends are written by ``send_stipends_to_finance``; paying them is recorded
    with the disbursements.
    """

    model = Stipend
    icon = "pick"
    menu_label = "Panel stipends"
    list_display = ["panelist", "funding_round", "hours", "reviews", "amount", "status"]
    list_filter = ["status", "funding_round"]
    list_export = [
        "panelist",
        "funding_round",
        "hours",
        "rate",
        "reviews",
        "flat_per_review",
        "amount",
        "method",
        "status",
        "sent_at",
    ]
    export_filename = "panel-stipends"
    index_view_class = finance.StipendIndexView
    ordering = ["-sent_at"]
    inspect_view_enabled = True
    inspect_view_class = finance.StipendInspectView
    copy_view_enabled = False

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

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path(
                "inspect/<int:pk>/pay/",
                finance.PayStipendView.as_view(),
                name="pay",
            ),
        ]


class ReadOnlyMixin(InspectURLFinderMixin):
    """Only index, results and inspect are routed: no add, edit, delete or copy."""

    extra_actions = ()

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                "inspect_url_name": (
                    self.get_url_name("inspect") if self.inspect_view_enabled else None
                ),
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        patterns = [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]
        if self.inspect_view_enabled:
            patterns.append(
                path("inspect/<int:pk>/", self.inspect_view, name="inspect")
            )
        return patterns + [
            path(f"inspect/<int:pk>/{route}", view.as_view(), name=name)
            for route, view, name in self.extra_actions
        ]


class AwardViewSet(ReadOnlyMixin, ModelViewSet):
    """Awards: list, filter, inspect, and one page per action (amend, rescind,
    schedule, request a payment). Program staff may also offer one directly."""

    model = Award
    icon = "tick-inverse"
    menu_label = _("Awards")
    form_fields = [
        "organization",
        "funding_round",
        "amount",
        "public_title",
        "public_summary",
        "starts_on",
        "ends_on",
        "conditions",
    ]
    list_display = [
        "identifier",
        "public_title",
        "organization",
        "funding_round",
        "amount",
        "status",
        "awarded_at",
    ]
    filterset_class = finance.AwardFilterSet
    search_fields = [
        "public_title",
        "organization__public_name",
        "organization__legal_name",
    ]
    ordering = ["-awarded_at"]
    list_per_page = 50
    index_view_class = finance.AwardIndexView
    add_view_class = finance.AwardCreateView
    inspect_view_class = finance.AwardInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_view_fields = [
        "organization",
        "funding_round",
        "amount",
        "status",
        "public_title",
        "public_summary",
        "starts_on",
        "ends_on",
        "conditions",
        "signer_name",
        "accepted_at",
        "ended_reason",
        "awarded_at",
    ]
    extra_actions = (
        ("amend/", finance.AmendAwardView, "amend"),
        ("rescind/", finance.RescindAwardView, "rescind"),
        ("schedule/", finance.SetScheduleView, "schedule"),
        (
            "installments/<int:installment_id>/pay/",
            finance.RequestPaymentView,
            "request_payment",
        ),
        ("hiring-commitment/", hiring.RecordCommitmentView, "commitment"),
        ("report-schedule/", hiring.ScheduleReportsView, "report_schedule"),
    )

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{"add_url_name": self.get_url_name("add"), **kwargs}
        )

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("new/", self.add_view, name="add"),
        ]


class DisbursementViewSet(ReadOnlyMixin, ModelViewSet):
    """Payments out. Each change is its own action page calling one service."""

    model = Disbursement
    icon = "doc-full"
    menu_label = _("Payments")
    list_display = [
        "id",
        finance.PayeeColumn("payee", label=_("Paid to")),
        "amount",
        "method",
        "status",
        finance.PersonColumn("requested_by", label=_("Asked for by")),
        "requested_at",
    ]
    filterset_class = finance.DisbursementFilterSet
    ordering = ["-requested_at"]
    list_per_page = 50
    index_view_class = finance.DisbursementIndexView
    inspect_view_class = finance.DisbursementInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_view_fields = [
        "amount",
        "method",
        "status",
        "reference",
        "requested_at",
        "approved_at",
        "sent_at",
        "paid_on",
        "failure_reason",
        "flagged",
    ]
    extra_actions = (
        ("approve/", finance.ApproveDisbursementView, "approve"),
        ("sent/", finance.MarkSentView, "mark_sent"),
        ("paid/", finance.MarkPaidView, "mark_paid"),
        ("failed/", finance.MarkFailedView, "mark_failed"),
        ("cancel/", finance.CancelDisbursementView, "cancel"),
    )


class LedgerViewSet(ReadOnlyMixin, ModelViewSet):
    """The append-only money journal: read, filter, total and export. Nothing else."""

    model = LedgerEntry
    icon = "list-ul"
    menu_label = _("Ledger")
    list_display = [
        "created_at",
        "funding_round",
        "award",
        "account",
        "kind",
        "amount",
        "memo",
    ]
    filterset_class = finance.LedgerFilterSet
    ordering = ["-created_at", "-pk"]
    list_per_page = 100
    index_view_class = finance.LedgerIndexView
    index_results_template_name = "grants/admin/ledger_index_results.html"
    inspect_view_enabled = False
    copy_view_enabled = False
    list_export = LEDGER_EXPORT_FIELDS
    export_headings = LEDGER_EXPORT_HEADINGS
    export_filename = "ledger"


class HiringReportViewSet(ReadOnlyMixin, ModelViewSet):
    """Progress reports: list, filter, inspect, then verify or return."""

    model = HiringReport
    icon = "group"
    menu_label = _("Progress reports")
    list_display = [
        "award",
        "number",
        "period_start",
        "period_end",
        "due_on",
        "status",
    ]
    filterset_class = hiring.ReportFilterSet
    search_fields = ["award__public_title", "award__organization__public_name"]
    ordering = ["due_on", "pk"]
    list_per_page = 50
    index_view_class = hiring.ReportIndexView
    inspect_view_class = hiring.ReportInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    extra_actions = (
        ("verify/", hiring.VerifyReportView, "verify"),
        ("return/", hiring.ReturnReportView, "return"),
    )


class GrantsViewSetGroup(ViewSetGroup):
    menu_label = "Grants"
    menu_icon = "doc-full-inverse"
    menu_order = 200
    items = (
        FundViewSet("funds"),
        FundingRoundViewSet("funding_rounds"),
        StipendViewSet("stipends"),
        AwardViewSet("awards"),
        DisbursementViewSet("disbursements"),
        LedgerViewSet("ledger"),
        HiringReportViewSet("hiring_reports"),
    )
