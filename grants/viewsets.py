"""Wagtail admin screens for funds, funding rounds and panel stipends."""

from django.urls import path
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from grants import services
from grants.models import Fund, FundingRound, Stipend
from portal.admin_views import ServiceCreateView, ServiceEditView


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


class StipendViewSet(ModelViewSet):
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
    ordering = ["-sent_at"]
    inspect_view_enabled = True
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
        ]


class GrantsViewSetGroup(ViewSetGroup):
    menu_label = "Grants"
    menu_icon = "doc-full-inverse"
    menu_order = 200
    items = (
        FundViewSet("funds"),
        FundingRoundViewSet("funding_rounds"),
        StipendViewSet("stipends"),
    )
