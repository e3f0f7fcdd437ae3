"""Applicant-facing views."""

from django.shortcuts import get_object_or_404, render

from grants.models import FundingRound


def start(request, round_id: int):
    """Before you apply: what the round asks for and how to begin."""
    funding_round = get_object_or_404(
        FundingRound.objects.published().select_related("fund"), pk=round_id
    )
    return render(
        request,
        "applications/start.html",
        {"round": funding_round, "is_open": funding_round.is_open()},
    )
