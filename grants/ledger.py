"""Balances from the append-only ledger: every figure is a sum of its rows."""

from decimal import Decimal

from django.db.models import DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce, Round

from grants.models import Award, Disbursement, FundingRound, LedgerEntry

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# Sums are read back rounded to cents (SQLite adds decimals as floats).
MONEY = DecimalField(max_digits=14, decimal_places=2)
LIVE_PAYMENTS = [
    Disbursement.Status.REQUESTED,
    Disbursement.Status.APPROVED,
    Disbursement.Status.SENT,
    Disbursement.Status.PAID,
]


def money_sum(field: str, **kwargs):
    """Sum(field) as dollars and cents, zero when there is nothing to add."""
    # ROUND in SQL: SQLite adds decimals as floats and Django rounds only columns.
    return Coalesce(Round(Sum(field, **kwargs), 2), Value(ZERO), output_field=MONEY)


def _sum(queryset) -> Decimal:
    # SQLite sums decimals as floats-turned-text (1000.03000000000): round to cents.
    total = queryset.aggregate(total=Sum("amount"))["total"] or ZERO
    return Decimal(total).quantize(CENT)


def committed_in_round(funding_round: FundingRound) -> Decimal:
    """What a round has promised: awards, amendments and releases."""
    return _sum(
        LedgerEntry.objects.filter(
            funding_round=funding_round, account=LedgerEntry.Account.COMMITTED
        )
    )


def committed_to_award(award: Award) -> Decimal:
    return _sum(
        LedgerEntry.objects.filter(award=award, account=LedgerEntry.Account.COMMITTED)
    )


def paid_on_award(award: Award) -> Decimal:
    """Money that has left the city for this award, net of failures and reversals."""
    return _sum(
        LedgerEntry.objects.filter(award=award, account=LedgerEntry.Account.PAID)
    )


def in_flight_on_award(award: Award) -> Decimal:
    """Payments requested or approved but not yet sent: they will leave soon."""
    return _sum(
        Disbursement.objects.filter(
            award=award,
            status__in=[Disbursement.Status.REQUESTED, Disbursement.Status.APPROVED],
        )
    )


def round_figures(queryset=None):
    """Budget, committed, paid and remaining per round, in one query."""
    queryset = queryset if queryset is not None else FundingRound.objects.all()
    return queryset.annotate(
        committed=money_sum(
            "ledger_entries__amount",
            filter=Q(ledger_entries__account=LedgerEntry.Account.COMMITTED),
        ),
        paid=money_sum(
            "ledger_entries__amount",
            filter=Q(ledger_entries__account=LedgerEntry.Account.PAID),
        ),
    )
