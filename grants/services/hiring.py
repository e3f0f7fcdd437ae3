"""Survivor-hiring commitments and progress reports: counts, never people."""

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from grants import public_cache
from grants.models import (
    COUNT_FIELDS,
    FILLED_FIELDS,
    NARRATIVE_FIELDS,
    POSITION_FIELDS,
    Award,
    HiringCommitment,
    HiringReport,
    HiringReportEvent,
    RoleLevel,
    ServiceCount,
    ServiceType,
)
from grants.personal_data import personal_data_in
from portal.permissions import can_report_on, can_verify_report, require_perm

COMMITMENT_FIELDS = [
    *POSITION_FIELDS.values(),
    "wage_floor",
    "target_date",
    "supports",
    "other_supports",
]
# Awards that are over for good take no new commitments or reports.
ENDED = {Award.Status.DECLINED, Award.Status.RESCINDED}
REPORTING = {Award.Status.ACCEPTED, Award.Status.ACTIVE, Award.Status.CLOSED}
FREQUENCIES = {1: "monthly", 3: "quarterly", 6: "twice a year", 12: "yearly"}
MAX_COUNT = 10000  # a sanity ceiling for one period's counts


def default_wage_floor() -> Decimal:
    return Decimal(settings.PORTAL_WAGE_FLOOR)


def _count(value, field) -> int:
    # bool is an int in Python; a count is a whole number only.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({field: _("Enter a whole number, like 0 or 3.")})
    if value < 0:
        raise ValidationError({field: _("Enter 0 or more.")})
    if value > MAX_COUNT:
        raise ValidationError({field: _("Enter a number below 10,000.")})
    return value


def _check_commitment_values(award: Award, values: dict) -> dict:
    cleaned = {
        name: _count(values.get(name, 0), name) for name in POSITION_FIELDS.values()
    }
    try:
        wage = Decimal(values.get("wage_floor"))
    except (InvalidOperation, TypeError, ValueError):
        wage = None
    if wage is None or not wage.is_finite() or wage <= 0 or wage >= 10000:
        raise ValidationError(
            {"wage_floor": _("Enter an hourly wage in dollars, like 16.37.")}
        )
    if wage != wage.quantize(Decimal("0.01")):
        raise ValidationError({"wage_floor": _("Enter dollars and cents only.")})
    cleaned["wage_floor"] = wage
    target = values.get("target_date")
    if not isinstance(target, date):
        raise ValidationError({"target_date": _("Enter the date, like 30 6 2027.")})
    if target < award.starts_on:
        raise ValidationError(
            {"target_date": _("Choose a date on or after the grant starts.")}
        )
    cleaned["target_date"] = target
    supports = list(dict.fromkeys(str(key) for key in values.get("supports") or []))
    if set(supports) - set(HiringCommitment.Support.values):
        raise ValidationError({"supports": _("Choose supports from the list.")})
    cleaned["supports"] = supports
    cleaned["other_supports"] = (values.get("other_supports") or "").strip()
    found = personal_data_in(cleaned["other_supports"])
    if found:
        raise ValidationError({"other_supports": _personal_data_message(found)})
    if sum(cleaned[name] for name in POSITION_FIELDS.values()) <= 0:
        raise ValidationError(
            _("Commit to at least one position or seat at any level."),
            code="no_positions",
        )
    return cleaned


def _locked_award(award: Award) -> Award:
    return Award.objects.select_for_update().get(pk=award.pk)


@transaction.atomic
def record_commitment(*, actor, award: Award, **values) -> HiringCommitment:
    """Staff record or confirm an award's survivor-hiring commitment.

    A commitment the applicant proposed becomes confirmed, with whatever staff
    changed. Counts of positions only: no person is named here.
    """
    require_perm(actor, "grants.change_hiringcommitment")
    award = _locked_award(award)
    if award.status in ENDED:
        raise ValidationError(_("This award has ended, so it takes no commitment."))
    cleaned = _check_commitment_values(award, values)
    commitment = HiringCommitment.objects.filter(award=award).first()
    created = commitment is None
    if created:
        commitment = HiringCommitment(award=award)
    before = {name: str(getattr(commitment, name, "")) for name in COMMITMENT_FIELDS}
    for name, value in cleaned.items():
        setattr(commitment, name, value)
    commitment.status = HiringCommitment.Status.CONFIRMED
    commitment.confirmed_by = actor
    commitment.confirmed_at = timezone.now()
    commitment.full_clean()
    commitment.save()
    changed = [name for name in COMMITMENT_FIELDS if before[name] != str(cleaned[name])]
    log(
        instance=award,
        action="grants.record_commitment",
        user=actor,
        data={"changed": changed, "created": created},
    )
    public_cache.clear()
    return commitment


@transaction.atomic
def propose_commitment(*, actor, award: Award, **values) -> HiringCommitment | None:
    """Keep the commitment an applicant proposed in its application, for staff to
    confirm. Does nothing when the award already has a commitment."""
    require_perm(actor, "grants.add_hiringcommitment")
    if HiringCommitment.objects.filter(award=award).exists():
        return None
    try:
        cleaned = _check_commitment_values(award, values)
    except ValidationError:
        # A proposal that does not add up is left for staff to write by hand.
        return None
    commitment = HiringCommitment(
        award=award,
        status=HiringCommitment.Status.PROPOSED,
        proposed_at=timezone.now(),
        **cleaned,
    )
    commitment.full_clean()
    commitment.save()
    log(instance=award, action="grants.propose_commitment", user=actor)
    return commitment


# Report schedules --------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def report_periods(starts_on: date, ends_on: date, every_months: int) -> list:
    """(start, end) of each reporting period from the grant's start to its end."""
    periods = []
    start = starts_on
    while start <= ends_on:
        end = min(_add_months(start, every_months) - timedelta(days=1), ends_on)
        periods.append((start, end))
        start = end + timedelta(days=1)
    return periods


def _gaps(award: Award, kept: list) -> list:
    """The parts of the grant period no kept report covers, in order."""
    gaps, start = [], award.starts_on
    for report in sorted(kept, key=lambda r: r.period_start):
        if report.period_start > start:
            gaps.append((start, report.period_start - timedelta(days=1)))
        start = max(start, report.period_end + timedelta(days=1))
    if start <= award.ends_on:
        gaps.append((start, award.ends_on))
    return gaps


def _write_schedule(award: Award, every_months: int, due_days: int) -> list:
    # Reports with any history stay as they are; the rest are replaced, and every
    # part of the grant period no kept report covers gets new reports.
    # Locked, so a report sent meanwhile is never deleted or overwritten.
    reports = list(
        HiringReport.objects.select_for_update()
        .filter(award=award)
        .prefetch_related("events")
    )
    kept = [r for r in reports if r.status != HiringReport.Status.DUE or r.events.all()]
    award.hiring_reports.exclude(pk__in=[r.pk for r in kept]).delete()
    periods = [
        period
        for gap_start, gap_end in _gaps(award, kept)
        for period in report_periods(gap_start, gap_end, every_months)
    ]
    # A period already over when the schedule is written (a grant accepted late)
    # is due no sooner than a period ending today would be.
    earliest = timezone.localdate() + timedelta(days=due_days)
    new = [
        HiringReport(
            award=award,
            number=0,
            period_start=start,
            period_end=end,
            due_on=max(end + timedelta(days=due_days), earliest),
        )
        for start, end in periods
    ]
    # Number every report in period order. Numbers move out of the way first, so
    # the unique (award, number) constraint holds at every step.
    ordered = sorted(kept + new, key=lambda r: r.period_start)
    offset = max([r.number for r in kept] + [len(ordered)]) + 1
    for index, report in enumerate(ordered, start=1):
        report.number = offset + index
        if report.pk is None:
            report.save()
        else:
            report.save(update_fields=["number"])
    for index, report in enumerate(ordered, start=1):
        report.number = index
        report.save(update_fields=["number"])
    return ordered


def schedule_reports_on_acceptance(award: Award) -> list:
    """The default schedule, written when the grantee accepts (no staff needed)."""
    if award.hiring_reports.exists():
        return list(award.hiring_reports.all())
    return _write_schedule(
        award, settings.PORTAL_REPORT_EVERY_MONTHS, settings.PORTAL_REPORT_DUE_DAYS
    )


@transaction.atomic
def schedule_reports(
    *, actor, award: Award, every_months: int, due_days: int | None = None
) -> list:
    """Staff set how often an award reports; reports already sent keep their place."""
    require_perm(actor, "grants.add_hiringreport")
    award = _locked_award(award)
    if award.status in ENDED:
        raise ValidationError(_("This award has ended, so it has no reports."))
    if every_months not in FREQUENCIES:
        raise ValidationError(
            {"every_months": _("Choose monthly, quarterly, twice a year or yearly.")}
        )
    due_days = settings.PORTAL_REPORT_DUE_DAYS if due_days is None else due_days
    if isinstance(due_days, bool) or not isinstance(due_days, int):
        raise ValidationError({"due_days": _("Enter a whole number of days.")})
    if not 0 <= due_days <= 120:
        raise ValidationError({"due_days": _("Enter between 0 and 120 days.")})
    reports = _write_schedule(award, every_months, due_days)
    log(
        instance=award,
        action="grants.schedule_reports",
        user=actor,
        data={"every_months": every_months, "due_days": due_days},
    )
    return reports


# Reports -------------------------------------------------------------------------------


def _personal_data_message(found: list[str]) -> str:
    return _(
        "This looks like it contains %(what)s. To keep people safe, reports never "
        "hold contact details or anything that could identify someone. Please take "
        "it out and describe the situation in general words."
    ) % {"what": _(" and ").join(found)}


def filled_before(report: HiringReport) -> dict:
    """Positions filled per level in the award's earlier reports, as sent or
    verified."""
    totals = HiringReport.objects.filter(
        award_id=report.award_id,
        period_start__lt=report.period_start,
        # Returned figures are being corrected: they count once sent again.
        status__in=[HiringReport.Status.SUBMITTED, HiringReport.Status.VERIFIED],
    ).aggregate(**{name: Sum(name) for name in FILLED_FIELDS.values()})
    return {name: totals[name] or 0 for name in FILLED_FIELDS.values()}


def _check_report(report: HiringReport, counts: dict, served: dict, narrative: dict):
    """Every rule a report's figures must meet, as field errors (nothing written)."""
    errors = {}
    cleaned = {}
    for name in COUNT_FIELDS:
        try:
            cleaned[name] = _count(counts.get(name, 0), name)
        except ValidationError as error:
            errors.update(error.message_dict)
    clean_served = {}
    for key, value in (served or {}).items():
        if key not in ServiceType.values:
            errors.setdefault("__all__", []).append(_("Unknown kind of service."))
            continue
        try:
            clean_served[key] = _count(value, f"served_{key}")
        except ValidationError as error:
            errors.update(error.message_dict)
    clean_text = {}
    for name in NARRATIVE_FIELDS:
        text = (narrative.get(name) or "").strip()
        limit = HiringReport._meta.get_field(name).max_length
        if len(text) > limit:
            errors[name] = [
                _("Keep this to %(limit)s characters or fewer.") % {"limit": limit}
            ]
            continue
        found = personal_data_in(text)
        if found:
            errors[name] = [_personal_data_message(found)]
        clean_text[name] = text
    if errors:
        raise ValidationError(errors)

    commitment = getattr(report.award, "hiring_commitment", None)
    earlier = filled_before(report)
    filled_now = sum(cleaned[name] for name in FILLED_FIELDS.values())
    hired_to_date = sum(earlier.values()) + filled_now
    for name in ("retained_6_months", "retained_12_months"):
        if cleaned[name] > hired_to_date:
            errors[name] = [
                _(
                    "Reports sent so far, with this one, show %(hired)s people hired "
                    "under this award, and people still in post cannot be more than "
                    "that. If an earlier report is still with you, you can send it "
                    "first."
                )
                % {"hired": hired_to_date}
            ]
    if "retained_12_months" not in errors and (
        cleaned["retained_12_months"] > cleaned["retained_6_months"]
    ):
        errors["retained_12_months"] = [
            _(
                "Everyone still in post after 12 months was also in post after 6 "
                "months, so this cannot be more than the 6-month number."
            )
        ]
    if cleaned["at_or_above_wage_floor"] > filled_now:
        errors["at_or_above_wage_floor"] = [
            _(
                "This is more than the %(filled)s positions filled in this period. "
                "Count only the positions filled in this period."
            )
            % {"filled": filled_now}
        ]
    confirmed = (
        commitment is not None
        and commitment.status == HiringCommitment.Status.CONFIRMED
    )
    if confirmed:
        over = [
            level
            for level, name in FILLED_FIELDS.items()
            if earlier[name] + cleaned[name] > commitment.positions()[level]
        ]
        if over and not clean_text["over_commitment_explanation"]:
            labels = dict(RoleLevel.choices)
            for level in over:
                errors[FILLED_FIELDS[level]] = [
                    _(
                        "With earlier reports this is more than the %(committed)s "
                        "%(level)s positions committed. That can be good news: "
                        "please say why in the explanation box."
                    )
                    % {
                        "committed": commitment.positions()[level],
                        "level": str(labels[level]).lower(),
                    }
                ]
            errors["over_commitment_explanation"] = [
                _("Tell us briefly why more positions were filled than committed.")
            ]
    elif commitment is None and (
        filled_now or cleaned["retained_6_months"] or cleaned["retained_12_months"]
    ):
        errors["__all__"] = [
            _(
                "This award has no hiring commitment, so leave the hiring numbers at "
                "0. Tell the grants team if you would like to add one."
            )
        ]
    if errors:
        raise ValidationError(errors)
    return cleaned, clean_served, clean_text


@transaction.atomic
def submit_report(
    *, actor, report: HiringReport, counts: dict, served: dict, narrative: dict
) -> HiringReport:
    """A grantee sends a period's report: counts and short narrative only."""
    # The award first, then the report: the same order as rescheduling.
    Award.objects.select_for_update().filter(pk=report.award_id).first()
    report = (
        HiringReport.objects.select_for_update()
        .select_related("award__organization")
        .get(pk=report.pk)
    )
    if not can_report_on(actor, report.award):
        raise PermissionDenied("grants.apply_for_organization")
    if report.award.status not in REPORTING:
        raise ValidationError(_("This award is not taking reports."))
    if report.status not in {HiringReport.Status.DUE, HiringReport.Status.RETURNED}:
        raise ValidationError(
            _("This report is already with the grants team."), code="not_open"
        )
    if timezone.localdate() < report.period_start:
        raise ValidationError(
            _("This report's period has not started yet. You can send it from %(day)s.")
            % {"day": date_format(report.period_start, "DATE_FORMAT")},
            code="too_early",
        )
    cleaned, clean_served, clean_text = _check_report(report, counts, served, narrative)
    for name, value in {**cleaned, **clean_text}.items():
        setattr(report, name, value)
    report.status = HiringReport.Status.SUBMITTED
    report.submitted_by = actor
    report.submitted_at = timezone.now()
    report.full_clean()
    report.save()
    report.service_counts.all().delete()
    ServiceCount.objects.bulk_create(
        ServiceCount(report=report, service_type=key, people_served=value)
        for key, value in clean_served.items()
        if value
    )
    HiringReportEvent.objects.create(
        report=report,
        action=HiringReportEvent.Action.SUBMITTED,
        actor=actor,
        counts=report.counts(),
    )
    log(instance=report.award, action="grants.submit_report", user=actor)
    return report


def _decide(actor, report: HiringReport) -> HiringReport:
    report = (
        HiringReport.objects.select_for_update()
        .select_related("award__organization")
        .get(pk=report.pk)
    )
    if not can_verify_report(actor, report):
        raise PermissionDenied("grants.verify_hiringreport")
    if report.status != HiringReport.Status.SUBMITTED:
        raise ValidationError(
            _(
                "Only a report that was sent and not yet checked can be verified or "
                "returned."
            ),
            code="not_submitted",
        )
    return report


@transaction.atomic
def verify_report(*, actor, report: HiringReport, comment: str = "") -> HiringReport:
    """Staff confirm a report's figures; they then count in totals and open data."""
    report = _decide(actor, report)
    report.status = HiringReport.Status.VERIFIED
    report.verified_by = actor
    report.verified_at = timezone.now()
    report.staff_comment = comment.strip()
    report.save()
    HiringReportEvent.objects.create(
        report=report,
        action=HiringReportEvent.Action.VERIFIED,
        actor=actor,
        comment=report.staff_comment,
        counts=report.counts(),
    )
    log(instance=report.award, action="grants.verify_report", user=actor)
    public_cache.clear()
    _notify(report)
    return report


@transaction.atomic
def return_report(*, actor, report: HiringReport, comment: str) -> HiringReport:
    """Staff send a report back with comments; the grantee corrects and resends."""
    if not comment.strip():
        raise ValidationError(
            {"comment": _("Say what needs to change, so the grantee knows.")}
        )
    report = _decide(actor, report)
    report.status = HiringReport.Status.RETURNED
    report.staff_comment = comment.strip()
    # The grantee gets time to correct it: a report returned late is not late.
    report.due_on = max(
        report.due_on,
        timezone.localdate() + timedelta(days=settings.PORTAL_REPORT_RETURN_DAYS),
    )
    report.reminded_at = None
    report.overdue_notice_at = None
    report.save()
    HiringReportEvent.objects.create(
        report=report,
        action=HiringReportEvent.Action.RETURNED,
        actor=actor,
        comment=report.staff_comment,
        counts=report.counts(),
    )
    log(instance=report.award, action="grants.return_report", user=actor)
    _notify(report)
    return report


def _notify(report: HiringReport) -> None:
    from grants.tasks import send_report_email

    transaction.on_commit(
        lambda: send_report_email.enqueue(report_id=report.pk, kind=report.status)
    )


def verified_reports(award: Award) -> int:
    return award.hiring_reports.filter(status=HiringReport.Status.VERIFIED).count()


def reports_to_remind(today: date):
    """Reports due soon with no reminder yet, and overdue ones with no notice yet."""
    soon = today + timedelta(days=settings.PORTAL_REPORT_REMINDER_DAYS)
    live = HiringReport.objects.filter(award__status__in=REPORTING).select_related(
        "award__organization"
    )
    return (
        live.open().filter(due_on__gte=today, due_on__lte=soon, reminded_at=None),
        live.overdue(today).filter(overdue_notice_at=None),
    )


@transaction.atomic
def mark_reminded(*, report_id: int, overdue: bool) -> bool:
    """Record that a reminder went out; False when another worker already sent it."""
    field = "overdue_notice_at" if overdue else "reminded_at"
    return bool(
        HiringReport.objects.filter(pk=report_id, **{field: None}).update(
            **{field: timezone.now()}
        )
    )


@transaction.atomic
def unmark_reminded(*, report_id: int, overdue: bool) -> None:
    """Undo a reminder claim whose email could not be sent."""
    field = "overdue_notice_at" if overdue else "reminded_at"
    HiringReport.objects.filter(pk=report_id).update(**{field: None})
