"""Survivor-hiring and programme figures, summed in SQL.

Staff see exact figures; the public page passes them through ``suppression`` first.
Only confirmed commitments on awards that were accepted count, and only verified
reports count as filled (staff also see what is sent and waiting).
"""

from datetime import timedelta

from django.db.models import Count, Q, Sum

from grants.models import (
    FILLED_FIELDS,
    POSITION_FIELDS,
    Award,
    HiringCommitment,
    HiringReport,
    RoleLevel,
    ServiceCount,
    ServiceType,
)

FUNDED = [Award.Status.ACCEPTED, Award.Status.ACTIVE, Award.Status.CLOSED]
GROUPS = {
    "round": ("award__funding_round", "award__funding_round__title"),
    "fund": ("award__funding_round__fund", "award__funding_round__fund__name"),
}


def confirmed_commitments():
    return HiringCommitment.objects.filter(
        status=HiringCommitment.Status.CONFIRMED, award__status__in=FUNDED
    )


def counted_reports(*, include_sent=False):
    """Reports whose hiring figures count: verified (and, for staff, sent), on
    awards whose commitment is confirmed, so filled is set against committed."""
    statuses = [HiringReport.Status.VERIFIED]
    if include_sent:
        statuses.append(HiringReport.Status.SUBMITTED)
    return HiringReport.objects.filter(
        status__in=statuses,
        award__status__in=FUNDED,
        award__hiring_commitment__status=HiringCommitment.Status.CONFIRMED,
    )


def _level_sums(queryset, fields: dict, group_fields=()) -> list[dict]:
    aggregates = {level: Sum(name) for level, name in fields.items()}
    if group_fields:
        return list(
            queryset.values(*group_fields)
            .annotate(**aggregates)
            .order_by(*group_fields)
        )
    return [queryset.aggregate(**aggregates)]


def _clean(row: dict) -> dict:
    return {level: row.get(level) or 0 for level in RoleLevel.values}


def totals_by_level(*, include_sent=False) -> dict:
    """Committed and filled per role level, across every funded award."""
    committed = _clean(_level_sums(confirmed_commitments(), POSITION_FIELDS)[0])
    filled = _clean(
        _level_sums(counted_reports(include_sent=include_sent), FILLED_FIELDS)[0]
    )
    return {"committed": committed, "filled": filled}


def by_group(group: str) -> list[dict]:
    """Committed vs filled (verified, and sent awaiting verification) per round or
    fund, per level."""
    key, label = GROUPS[group]
    committed = {
        row[key]: row
        for row in _level_sums(confirmed_commitments(), POSITION_FIELDS, (key, label))
    }
    verified = {
        row[key]: row
        for row in _level_sums(counted_reports(), FILLED_FIELDS, (key, label))
    }
    sent = {
        row[key]: row
        for row in _level_sums(
            counted_reports(include_sent=True).filter(
                status=HiringReport.Status.SUBMITTED
            ),
            FILLED_FIELDS,
            (key, label),
        )
    }
    rows = []
    for group_id in sorted(
        set(committed) | set(verified) | set(sent),
        key=lambda pk: str((committed.get(pk) or verified.get(pk) or sent[pk])[label]),
    ):
        source = committed.get(group_id) or verified.get(group_id) or sent[group_id]
        row = {
            "id": group_id,
            "label": source[label],
            "committed": _clean(committed.get(group_id, {})),
            "filled": _clean(verified.get(group_id, {})),
            "waiting": _clean(sent.get(group_id, {})),
        }
        row["committed_total"] = sum(row["committed"].values())
        row["filled_total"] = sum(row["filled"].values())
        row["waiting_total"] = sum(row["waiting"].values())
        rows.append(row)
    return rows


def retention_and_wages() -> dict:
    """Latest verified retention per award (cumulative figures), summed; and the
    positions filled at or above the wage floor."""
    reports = counted_reports()
    latest = {}
    for award_id, six, twelve in reports.values_list(
        "award_id", "retained_6_months", "retained_12_months"
    ).order_by("award_id", "number"):
        latest[award_id] = (six, twelve)
    wages = reports.aggregate(total=Sum("at_or_above_wage_floor"))["total"] or 0
    return {
        "retained_6_months": sum(six for six, _twelve in latest.values()),
        "retained_12_months": sum(twelve for _six, twelve in latest.values()),
        "at_or_above_wage_floor": wages,
    }


def people_served() -> dict:
    """People served per kind of service, from verified reports."""
    rows = (
        ServiceCount.objects.filter(
            report__status=HiringReport.Status.VERIFIED,
            report__award__status__in=FUNDED,
        )
        .values("service_type")
        .annotate(total=Sum("people_served"))
    )
    found = {row["service_type"]: row["total"] or 0 for row in rows}
    return {value: found.get(value, 0) for value in ServiceType.values}


def report_counts(today) -> dict:
    """How many reports are overdue, waiting for staff, returned, verified."""
    live = HiringReport.objects.filter(award__status__in=FUNDED)
    return live.aggregate(
        overdue=Count(
            "pk",
            filter=Q(
                status__in=[HiringReport.Status.DUE, HiringReport.Status.RETURNED],
                due_on__lt=today,
            ),
        ),
        waiting=Count("pk", filter=Q(status=HiringReport.Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=HiringReport.Status.RETURNED)),
        verified=Count("pk", filter=Q(status=HiringReport.Status.VERIFIED)),
    )


def overdue_reports(today, limit: int):
    return (
        HiringReport.objects.overdue(today)
        .filter(award__status__in=FUNDED)
        .select_related("award__organization")
        .order_by("due_on", "pk")[:limit]
    )


def needing_support(today, limit: int) -> list:
    """Grantees who asked for support in a sent report, or whose report is more
    than 30 days overdue, most recent first."""
    asked = (
        HiringReport.objects.filter(award__status__in=FUNDED)
        .exclude(status=HiringReport.Status.DUE)
        .exclude(support_needed="")
        .select_related("award__organization")
        .order_by("-submitted_at", "-pk")[:limit]
    )
    late = (
        HiringReport.objects.overdue(today - timedelta(days=30))
        .filter(award__status__in=FUNDED)
        .select_related("award__organization")
        .order_by("due_on")[:limit]
    )
    rows = [{"report": r, "why": "asked"} for r in asked]
    rows += [{"report": r, "why": "late"} for r in late]
    return rows[:limit]
