"""Reads on the money side that pages and views share."""

from django.utils import timezone

from grants.models import FundingRound


def open_rounds(*, moment=None):
    """Published rounds that accept applications now, closing soonest first."""
    moment = moment or timezone.now()
    return (
        FundingRound.objects.open_at(moment)
        .select_related("fund")
        .order_by("closes_at")
    )


def published_rounds():
    """Rounds the public may read about, newest first."""
    return FundingRound.objects.published().select_related("fund")
