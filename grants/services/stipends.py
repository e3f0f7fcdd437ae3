"""Panel stipends: what each panelist is owed for a round, handed to finance."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from grants.models import FundingRound, Stipend
from portal.permissions import require_perm


@transaction.atomic
def record_stipend(
    *,
    actor,
    panelist,
    funding_round: FundingRound,
    hours: Decimal,
    rate: Decimal,
    reviews: int,
    flat_per_review: Decimal | None,
) -> Stipend:
    """Write or refresh a panelist's stipend for a round while finance has not acted.

    The amount is hours x rate, or the flat amount per submitted review when staff set
    one for the panel.
    """
    require_perm(actor, "grants.add_stipend")
    if flat_per_review is not None:
        amount = flat_per_review * reviews
    else:
        amount = hours * rate
    amount = amount.quantize(Decimal("0.01"))
    stipend = (
        Stipend.objects.select_for_update()
        .filter(panelist=panelist, funding_round=funding_round)
        .first()
    )
    if stipend is not None and stipend.status != Stipend.Status.PENDING:
        raise _locked()
    stipend = stipend or Stipend(panelist=panelist, funding_round=funding_round)
    stipend.hours = hours
    stipend.rate = rate
    stipend.reviews = reviews
    stipend.flat_per_review = flat_per_review
    stipend.amount = amount
    stipend.sent_by = actor
    stipend.sent_at = timezone.now()
    stipend.full_clean()
    stipend.save()
    log(instance=stipend, action="grants.record_stipend", user=actor)
    return stipend


@transaction.atomic
def withdraw_stipend(*, actor, panelist, funding_round: FundingRound) -> None:
    """Take back a stipend nobody is owed any more, while finance has not acted."""
    require_perm(actor, "grants.add_stipend")
    stipend = (
        Stipend.objects.select_for_update()
        .filter(panelist=panelist, funding_round=funding_round)
        .first()
    )
    if stipend is None:
        return
    if stipend.status != Stipend.Status.PENDING or stipend.disbursements.exists():
        # A payment was tried: its history stays, so finance decides what to do.
        raise _locked()
    log(instance=stipend, action="grants.withdraw_stipend", user=actor)
    stipend.delete()


def _locked() -> ValidationError:
    return ValidationError(
        _(
            "Finance has already worked on paying this stipend, so it cannot change "
            "here. Ask finance."
        ),
        code="locked",
    )
