"""Awards and their payment schedules: commitments written to the ledger."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from grants import ledger, public_cache
from grants.models import (
    Award,
    Disbursement,
    FundingRound,
    Installment,
    LedgerEntry,
    Organization,
)
from grants.services.hiring import schedule_reports_on_acceptance
from portal.permissions import can_accept_award, require_perm

MAX_AMOUNT = Decimal("10000000000")  # what DecimalField(12, 2) can hold
AGREEMENT = (
    "By accepting, {organization} agrees to use the award of {amount} for the work "
    "described in its application, from {starts} to {ends}, to report progress on "
    "its survivor-hiring commitments as counts (never names), and to tell the grants "
    "team of any change. Conditions: {conditions}"
)


def check_amount(value, field="amount") -> Decimal:
    """A positive, finite amount in dollars and cents."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError({field: _("Enter an amount in dollars, like 1500.00.")})
    if value <= 0:
        raise ValidationError({field: _("Enter an amount above zero.")})
    if value >= MAX_AMOUNT:
        raise ValidationError({field: _("Enter an amount below $10,000,000,000.")})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({field: _("Enter dollars and cents only.")})
    return value


def ledger_entry(
    *, actor, account, kind, amount, funding_round_id, award_id=None, **values
) -> LedgerEntry:
    """Append one row to the ledger (the only code that writes ledger rows)."""
    entry = LedgerEntry(
        account=account,
        kind=kind,
        amount=amount,
        funding_round_id=funding_round_id,
        award_id=award_id,
        created_by=actor,
        **values,
    )
    entry.full_clean()
    entry.save()
    # Amounts awarded and disbursed are published (/funded/, open data).
    public_cache.clear()
    return entry


def _check_round_room(funding_round, extra: Decimal) -> None:
    committed = ledger.committed_in_round(funding_round)
    if committed + extra > funding_round.budget:
        left = funding_round.budget - committed
        message = _(
            "This would go over the round's budget. %(left)s is left to award."
        ) % {"left": f"${left:,.2f}"}
        raise ValidationError({"amount": ValidationError(message, code="over_budget")})


def _check_round_limits(funding_round, amount) -> None:
    if funding_round.max_award and amount > funding_round.max_award:
        raise ValidationError(
            {"amount": _("This is more than the round's largest award.")}
        )
    if funding_round.min_award and amount < funding_round.min_award:
        raise ValidationError(
            {"amount": _("This is less than the round's smallest award.")}
        )


@transaction.atomic
def create_award(
    *,
    actor,
    organization: Organization,
    funding_round: FundingRound,
    amount: Decimal,
    public_title: str,
    public_summary: str,
    starts_on: date,
    ends_on: date,
    conditions: str = "",
) -> Award:
    """Offer an award and commit its amount in the round's ledger.

    The round row is locked, so two awards decided at once cannot pass its budget.
    The lock is FOR NO KEY UPDATE: rows that merely point at the round (payments,
    ledger entries) can still be written meanwhile, so no deadlock with them.
    """
    require_perm(actor, "grants.add_award")
    check_amount(amount)
    funding_round = FundingRound.objects.select_for_update(no_key=True).get(
        pk=funding_round.pk
    )
    _check_round_limits(funding_round, amount)
    _check_round_room(funding_round, amount)
    award = Award(
        organization=organization,
        funding_round=funding_round,
        amount=amount,
        public_title=public_title.strip(),
        public_summary=public_summary.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        conditions=conditions.strip(),
        created_by=actor,
    )
    award.full_clean()
    award.save()
    ledger_entry(
        actor=actor,
        account=LedgerEntry.Account.COMMITTED,
        kind=LedgerEntry.Kind.COMMITMENT,
        amount=amount,
        funding_round_id=funding_round.pk,
        award_id=award.pk,
        memo="Award offered",
    )
    log(
        instance=award,
        action="grants.create_award",
        user=actor,
        data={"amount": str(amount)},
    )
    return award


def _locked(award: Award) -> Award:
    return Award.objects.select_for_update().get(pk=award.pk)


def agreement_for(award: Award) -> str:
    """The agreement the grantee signs, filled in for this award."""
    return AGREEMENT.format(
        organization=award.organization.legal_name,
        amount=f"${award.amount:,.2f}",
        starts=award.starts_on.isoformat(),
        ends=award.ends_on.isoformat(),
        conditions=award.conditions or "none",
    )


@transaction.atomic
def accept_award(*, actor, award: Award, signer_name: str) -> Award:
    """The grantee signs the agreement online: a named signer and the time."""
    if not can_accept_award(actor, award):
        raise PermissionDenied("grants.manage_members")
    award = _locked(award)
    if award.status != Award.Status.OFFERED:
        raise ValidationError(_("This award is no longer waiting for an answer."))
    if not signer_name.strip():
        raise ValidationError({"signer_name": _("Type your full name to sign.")})
    award.agreement_text = agreement_for(award)
    award.signer_name = signer_name.strip()
    award.accepted_by = actor
    award.accepted_at = timezone.now()
    award.status = Award.Status.ACCEPTED
    award.save()
    schedule_reports_on_acceptance(award)
    log(instance=award, action="grants.accept_award", user=actor)
    public_cache.clear()
    return award


def _release(actor, award, memo) -> None:
    remaining = ledger.committed_to_award(award) - ledger.paid_on_award(award)
    if remaining > 0:
        ledger_entry(
            actor=actor,
            account=LedgerEntry.Account.COMMITTED,
            kind=LedgerEntry.Kind.RELEASE,
            amount=-remaining,
            funding_round_id=award.funding_round_id,
            award_id=award.pk,
            memo=memo,
        )


@transaction.atomic
def decline_award(*, actor, award: Award, reason: str = "") -> Award:
    """The grantee says no; the money goes back to the round."""
    if not can_accept_award(actor, award):
        raise PermissionDenied("grants.manage_members")
    award = _locked(award)
    if award.status != Award.Status.OFFERED:
        raise ValidationError(_("This award is no longer waiting for an answer."))
    award.status = Award.Status.DECLINED
    award.ended_reason = reason.strip()
    award.ended_at = timezone.now()
    award.save()
    _release(actor, award, "Award declined")
    log(instance=award, action="grants.decline_award", user=actor)
    return award


@transaction.atomic
def amend_award(*, actor, award: Award, amount: Decimal, reason: str) -> Award:
    """Change an award's amount: the difference is a new ledger entry."""
    require_perm(actor, "grants.amend_award")
    check_amount(amount)
    FundingRound.objects.select_for_update(no_key=True).get(pk=award.funding_round_id)
    award = _locked(award)
    if not award.is_live:
        raise ValidationError(_("Only a live award can be amended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say briefly why the amount changes.")})
    owed = ledger.paid_on_award(award) + ledger.in_flight_on_award(award)
    if amount < owed:
        raise ValidationError(
            {"amount": _("The award cannot be less than what is paid or on its way.")}
        )
    difference = amount - award.amount
    if difference == 0:
        return award
    if difference > 0:
        _check_round_room(award.funding_round, difference)
    _check_round_limits(award.funding_round, amount)
    award.amount = amount
    award.full_clean()
    award.save()
    ledger_entry(
        actor=actor,
        account=LedgerEntry.Account.COMMITTED,
        kind=LedgerEntry.Kind.ADJUSTMENT,
        amount=difference,
        funding_round_id=award.funding_round_id,
        award_id=award.pk,
        memo=reason.strip()[:300],
    )
    log(
        instance=award,
        action="grants.amend_award",
        user=actor,
        data={"amount": str(amount), "difference": str(difference)},
    )
    return award


@transaction.atomic
def rescind_award(*, actor, award: Award, reason: str) -> Award:
    """Withdraw an award: payments not yet sent are cancelled, the rest released."""
    require_perm(actor, "grants.amend_award")
    award = _locked(award)
    if not award.is_live:
        raise ValidationError(_("This award has already ended."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say briefly why the award is rescinded.")})
    from grants.services.disbursements import check_nothing_sent

    unsent = award.disbursements.select_for_update().filter(
        status__in=[Disbursement.Status.REQUESTED, Disbursement.Status.APPROVED]
    )
    for payment in unsent:
        check_nothing_sent(payment)
        payment.status = Disbursement.Status.CANCELLED
        payment.failure_reason = "Award rescinded"
        payment.save(update_fields=["status", "failure_reason"])
        log(instance=payment, action="grants.cancel_disbursement", user=actor)
    award.status = Award.Status.RESCINDED
    award.ended_reason = reason.strip()
    award.ended_at = timezone.now()
    award.save()
    _release(actor, award, "Award rescinded")
    log(instance=award, action="grants.rescind_award", user=actor)
    public_cache.clear()  # a rescinded award leaves the open data at once
    return award


@transaction.atomic
def set_schedule(*, actor, award: Award, installments: list[dict]) -> list[Installment]:
    """Replace an award's unpaid schedule; the installments must add up to the award.

    Each item: {"due_on": date, "amount": Decimal, "condition": str,
    "reports_required": int} (the verified progress reports the installment waits
    for). Installments
    with a payment attempt are kept as they are and count towards the sum.
    """
    require_perm(actor, "grants.change_installment")
    award = _locked(award)
    if not award.is_live:
        raise ValidationError(_("This award has ended, so its schedule is closed."))
    # An installment with any payment attempt stays: its history must not vanish.
    kept = list(award.installments.filter(disbursements__isnull=False).distinct())
    total = sum((i.amount for i in kept), Decimal("0"))
    for item in installments:
        total += check_amount(item["amount"])
    if total != award.amount:
        raise ValidationError(
            _(
                "The installments add up to %(total)s, but the award is %(amount)s. "
                "Make them add up exactly."
            )
            % {"total": f"${total:,.2f}", "amount": f"${award.amount:,.2f}"},
            code="sum",
        )
    scheduled = award.hiring_reports.count()
    for item in installments:
        needed = item.get("reports_required") or 0
        if scheduled and needed > scheduled:
            raise ValidationError(
                _(
                    "An installment waits for %(needed)s verified reports, but the "
                    "award has %(scheduled)s reports scheduled. Lower the number or "
                    "change the report schedule first."
                )
                % {"needed": needed, "scheduled": scheduled},
                code="reports_required",
            )
    award.installments.exclude(pk__in=[i.pk for i in kept]).delete()
    number = max((i.number for i in kept), default=0)
    created = []
    for item in sorted(installments, key=lambda i: i["due_on"]):
        number += 1
        installment = Installment(
            award=award,
            number=number,
            due_on=item["due_on"],
            amount=item["amount"],
            condition=(item.get("condition") or "").strip(),
            reports_required=item.get("reports_required") or 0,
        )
        installment.full_clean()
        installment.save()
        created.append(installment)
    log(instance=award, action="grants.set_schedule", user=actor)
    return kept + created
