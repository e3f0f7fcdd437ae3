"""Every change of state on the money side is one function here."""

from django.db import transaction
from wagtail.log_actions import log

from grants.models import Fund, FundingRound
from portal.permissions import require_perm

FUND_FIELDS = ("name", "slug", "framework_goal", "description")
ROUND_FIELDS = (
    "fund",
    "title",
    "reference_prefix",
    "budget",
    "min_award",
    "max_award",
    "opens_at",
    "closes_at",
    "status",
)


def _apply(instance, fields, values):
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name, value in values.items():
        setattr(instance, name, value)


@transaction.atomic
def create_fund(*, actor, **values) -> Fund:
    """Create a fund of the Framework for Action."""
    require_perm(actor, "grants.add_fund")
    fund = Fund()
    _apply(fund, FUND_FIELDS, values)
    fund.full_clean()
    fund.save()
    log(instance=fund, action="grants.create_fund", user=actor)
    return fund


@transaction.atomic
def update_fund(*, actor, fund: Fund, **values) -> Fund:
    """Change a fund's name, goal or description."""
    require_perm(actor, "grants.change_fund", fund)
    _apply(fund, FUND_FIELDS, values)
    fund.full_clean()
    fund.save()
    log(instance=fund, action="grants.update_fund", user=actor)
    return fund


@transaction.atomic
def create_funding_round(*, actor, **values) -> FundingRound:
    """Create a funding round; it stays a draft until published."""
    require_perm(actor, "grants.add_fundinground")
    funding_round = FundingRound()
    _apply(funding_round, ROUND_FIELDS, values)
    funding_round.full_clean()
    funding_round.save()
    log(instance=funding_round, action="grants.create_funding_round", user=actor)
    return funding_round


@transaction.atomic
def update_funding_round(
    *, actor, funding_round: FundingRound, **values
) -> FundingRound:
    """Change a round's dates, amounts or status."""
    require_perm(actor, "grants.change_fundinground", funding_round)
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    _apply(funding_round, ROUND_FIELDS, values)
    funding_round.full_clean()
    funding_round.save()
    log(instance=funding_round, action="grants.update_funding_round", user=actor)
    return funding_round
