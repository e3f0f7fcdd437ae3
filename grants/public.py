"""What the public may see of funded grants: the list, and protected totals.

Money and the grants themselves are public. Counts of people (positions filled,
people retained or served) pass through small-count suppression before they reach
any page, and only verified reports count. Results are cached; services clear the
cache when something the public sees changes.
"""

from decimal import Decimal

from django.db.models import Count, Max, Q

from grants import hiring_figures, ledger, public_cache
from grants.models import Award, LedgerEntry, RoleLevel, ServiceType
from grants.suppression import nested_parts, part_of, protect

FUNDED = hiring_figures.FUNDED


PUBLIC_FIELDS = [
    "pk",
    "amount",
    "public_title",
    "public_summary",
    "starts_on",
    "ends_on",
    "awarded_at",
    "accepted_at",
    "ended_at",
    "organization__public_name",
    "organization__ein",
    "organization__city",
    "organization__state",
    "organization__postal_code",
    "funding_round__fund__name",
    "funding_round__fund__framework_goal",
]


def listed_awards():
    """Accepted awards for the public list, newest first (no ledger sums: the page
    shows the amount awarded, and stays fast however long the ledger grows)."""
    return (
        Award.objects.filter(status__in=FUNDED)
        .select_related("organization", "funding_round__fund")
        .only(*PUBLIC_FIELDS)
        .order_by("-awarded_at", "-pk")
    )


def funded_awards():
    """Accepted awards (accepted, active or closed), newest first, with the
    money actually paid out from the ledger."""
    return (
        Award.objects.filter(status__in=FUNDED)
        .select_related("organization", "funding_round__fund")
        .only(*PUBLIC_FIELDS)
        .annotate(
            disbursed=ledger.money_sum(
                "ledger_entries__amount",
                filter=Q(ledger_entries__account=LedgerEntry.Account.PAID),
            ),
            last_entry_at=Max("ledger_entries__created_at"),
        )
        .order_by("-awarded_at", "-pk")
    )


def _money_figures() -> dict:
    awards = Award.objects.filter(status__in=FUNDED)
    totals = awards.aggregate(count=Count("pk"), amount=ledger.money_sum("amount"))
    paid = LedgerEntry.objects.filter(
        award__status__in=FUNDED, account=LedgerEntry.Account.PAID
    ).aggregate(amount=ledger.money_sum("amount"))["amount"]
    by_fund = list(
        awards.values("funding_round__fund__name")
        .annotate(count=Count("pk"), amount=ledger.money_sum("amount"))
        .order_by("funding_round__fund__name")
    )
    return {
        "grants": totals["count"],
        "awarded": Decimal(totals["amount"]),
        "disbursed": Decimal(paid),
        "by_fund": [
            {
                "fund": row["funding_round__fund__name"],
                "grants": row["count"],
                "amount": Decimal(row["amount"]),
            }
            for row in by_fund
        ],
    }


def _people_figures() -> dict:
    levels = hiring_figures.totals_by_level()
    labels = dict(RoleLevel.choices)
    committed = protect(levels["committed"])
    filled = protect(levels["filled"])
    retention = hiring_figures.retention_and_wages()
    hired = sum(levels["filled"].values())
    retained_6, retained_12 = nested_parts(
        hired,
        filled.total,
        [retention["retained_6_months"], retention["retained_12_months"]],
    )
    wages = part_of(retention["at_or_above_wage_floor"], hired, filled.total)
    served = protect(hiring_figures.people_served())
    service_labels = dict(ServiceType.choices)
    return {
        "levels": [
            {
                "label": labels[level],
                "committed": committed.cells[level],
                "filled": filled.cells[level],
            }
            for level in RoleLevel.values
        ],
        "committed_total": committed.total,
        "filled_total": filled.total,
        "retained_6_months": retained_6,
        "retained_12_months": retained_12,
        "at_or_above_wage_floor": wages,
        "served": [
            {"label": service_labels[key], "count": value}
            for key, value in served.cells.items()
        ],
        "served_total": served.total,
        "any_hidden": committed.any_hidden
        or filled.any_hidden
        or served.any_hidden
        or not all(f.shown for f in (retained_6, retained_12, wages)),
    }


def public_figures() -> dict:
    """Programme totals and protected survivor-hiring totals, cached."""
    return public_cache.get_or_build(
        "figures", lambda: {"money": _money_figures(), "people": _people_figures()}
    )
