"""Filters and search for the staff listing of submitted applications.

Shared by the listing and by its "select all in listing" bulk actions, so a bulk
action on "all" touches exactly the rows the listing showed.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect

from applications.models import Application
from grants.models import Fund, FundingRound

SEARCH_FIELDS = ["reference", "title", "organization__public_name"]


class ApplicationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[
            choice
            for choice in Application.Status.choices
            if choice[0] != Application.Status.DRAFT
        ],
        empty_label=_("All"),
    )
    funding_round = django_filters.ModelChoiceFilter(
        label=_("Funding round"), queryset=FundingRound.objects.order_by("-opens_at")
    )
    fund = django_filters.ModelChoiceFilter(
        label=_("Fund"),
        field_name="funding_round__fund",
        queryset=Fund.objects.order_by("name"),
    )
    survivor_led = django_filters.BooleanFilter(
        label=_("Survivor-led"),
        field_name="organization__survivor_led",
        widget=BooleanRadioSelect,
    )
    amount_min = django_filters.NumberFilter(
        label=_("Amount requested, at least"),
        field_name="amount_requested",
        lookup_expr="gte",
    )
    amount_max = django_filters.NumberFilter(
        label=_("Amount requested, at most"),
        field_name="amount_requested",
        lookup_expr="lte",
    )

    class Meta:
        model = Application
        fields = []


def filter_listing(queryset, params, *, request=None):
    """Apply the listing's filters and search (``q``) from query parameters."""
    filterset = ApplicationFilterSet(params, queryset=queryset, request=request)
    if filterset.is_valid():
        queryset = filterset.qs
    query = (params.get("q") or "").strip()
    if query:
        condition = Q()
        for field in SEARCH_FIELDS:
            condition |= Q(**{f"{field}__icontains": query})
        queryset = queryset.filter(condition)
    return queryset
