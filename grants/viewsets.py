"""Wagtail admin screens for funds and funding rounds (program staff)."""

from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from grants import services
from grants.models import Fund, FundingRound
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


class GrantsViewSetGroup(ViewSetGroup):
    menu_label = "Grants"
    menu_icon = "doc-full-inverse"
    menu_order = 200
    items = (FundViewSet("funds"), FundingRoundViewSet("funding_rounds"))
