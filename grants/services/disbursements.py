"""Payments out, with dual control: one person requests, another approves.

Every check that protects money runs inside the writing transaction with the award
(or stipend) row locked, so two clicks, two tabs or two finance officers at once
cannot pay twice or pay more than the award.
"""

from datetime import date
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from grants import ledger, public_cache
from grants.models import (
    Award,
    Disbursement,
    Installment,
    LedgerEntry,
    Stipend,
)
from grants.services.awards import ledger_entry
from grants.services.hiring import verified_reports
from portal.permissions import require_perm

PAYABLE_AWARDS = {Award.Status.ACCEPTED, Award.Status.ACTIVE}
MANUAL_METHODS = {
    Disbursement.Method.MANUAL_ACH,
    Disbursement.Method.CHECK,
    Disbursement.Method.PREPAID_CARD,
}


def _send_by_stripe(disbursement_id: int) -> None:
    from grants.tasks import send_stripe_transfer

    send_stripe_transfer.enqueue(disbursement_id=disbursement_id)


def _save_new(disbursement: Disbursement) -> Disbursement:
    disbursement.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            disbursement.save()
    except IntegrityError as error:  # the one-live-payment constraint
        raise ValidationError(
            _("This is already being paid. Refresh the page to see its payment."),
            code="already_paid",
        ) from error
    return disbursement


def _check_method(method: str) -> None:
    from grants import payments

    if method not in Disbursement.Method.values:
        raise ValidationError({"method": _("Choose how to pay.")})
    if method == Disbursement.Method.STRIPE and not payments.is_configured():
        raise ValidationError(
            {"method": _("Stripe is not set up on this site. Choose another method.")}
        )


@transaction.atomic
def request_disbursement(
    *, actor, installment: Installment, method: str
) -> Disbursement:
    """Ask for one installment to be paid; someone else must approve it."""
    require_perm(actor, "grants.request_disbursement")
    _check_method(method)
    award = Award.objects.select_for_update().get(pk=installment.award_id)
    installment = Installment.objects.get(pk=installment.pk)
    if award.status not in PAYABLE_AWARDS:
        raise ValidationError(_("Only an accepted award can be paid."))
    if installment.disbursements.filter(status__in=ledger.LIVE_PAYMENTS).exists():
        raise ValidationError(
            _("This installment is already paid or on its way."), code="already_paid"
        )
    verified = verified_reports(award)
    if verified < installment.reports_required:
        raise ValidationError(
            _(
                "This installment waits for %(needed)s verified progress report(s); "
                "%(verified)s verified so far."
            )
            % {"needed": installment.reports_required, "verified": verified},
            code="waiting_for_report",
        )
    owed = ledger.paid_on_award(award) + ledger.in_flight_on_award(award)
    if owed + installment.amount > award.amount:
        raise ValidationError(
            _("This would pay more than the award. Check the schedule first."),
            code="over_award",
        )
    if method == Disbursement.Method.STRIPE and not hasattr(
        award.organization, "payee_account"
    ):
        raise ValidationError(
            {"method": _("This organization has not set up Stripe payments yet.")}
        )
    disbursement = _save_new(
        Disbursement(
            installment=installment,
            award=award,
            funding_round_id=award.funding_round_id,
            amount=installment.amount,
            method=method,
            requested_by=actor,
        )
    )
    log(instance=award, action="grants.request_disbursement", user=actor)
    return disbursement


@transaction.atomic
def request_stipend_payment(*, actor, stipend: Stipend, method: str) -> Disbursement:
    """Ask for a panelist's stipend to be paid (check, prepaid card or Stripe)."""
    require_perm(actor, "grants.request_disbursement")
    _check_method(method)
    if method == Disbursement.Method.MANUAL_ACH:
        raise ValidationError({"method": _("Pay stipends by check, card or Stripe.")})
    stipend = Stipend.objects.select_for_update().get(pk=stipend.pk)
    if stipend.status == Stipend.Status.PAID:
        raise ValidationError(_("This stipend is already paid."), code="already_paid")
    if method == Disbursement.Method.STRIPE and not hasattr(
        stipend.panelist, "payee_account"
    ):
        raise ValidationError(
            {"method": _("This panelist has not set up Stripe payments.")}
        )
    disbursement = _save_new(
        Disbursement(
            stipend=stipend,
            funding_round_id=stipend.funding_round_id,
            amount=stipend.amount,
            method=method,
            requested_by=actor,
        )
    )
    log(instance=stipend, action="grants.request_stipend_payment", user=actor)
    return disbursement


def _manual_only(disbursement: Disbursement) -> None:
    # What happens to a Stripe transfer is read from Stripe (webhook, reconcile),
    # never typed in: a hand-made "failed" could free an installment Stripe paid.
    if disbursement.method not in MANUAL_METHODS:
        raise ValidationError(
            _("Stripe payments are updated from Stripe itself, not by hand."),
            code="stripe",
        )


def _locked(disbursement: Disbursement) -> Disbursement:
    return Disbursement.objects.select_for_update().get(pk=disbursement.pk)


def _move(disbursement, allowed_from, to_status) -> None:
    if disbursement.status not in allowed_from:
        raise ValidationError(
            _("This payment is “%(status)s”, so that cannot be done now.")
            % {"status": disbursement.get_status_display()},
            code="state",
        )
    disbursement.status = to_status


@transaction.atomic
def approve_disbursement(*, actor, disbursement: Disbursement) -> Disbursement:
    """The second pair of eyes: a different finance officer approves the payment."""
    require_perm(actor, "grants.approve_disbursement")
    disbursement = _locked(disbursement)
    if disbursement.requested_by_id == actor.pk:
        raise ValidationError(
            _(
                "Someone other than the person who asked for this payment must approve it."
            ),
            code="dual_control",
        )
    _move(disbursement, {Disbursement.Status.REQUESTED}, Disbursement.Status.APPROVED)
    disbursement.approved_by = actor
    disbursement.approved_at = timezone.now()
    disbursement.save(update_fields=["status", "approved_by", "approved_at"])
    if disbursement.stipend_id:
        Stipend.objects.filter(pk=disbursement.stipend_id).update(
            status=Stipend.Status.APPROVED
        )
    log(instance=disbursement, action="grants.approve_disbursement", user=actor)
    if disbursement.method == Disbursement.Method.STRIPE:
        transaction.on_commit(partial(_send_by_stripe, disbursement.pk))
    return disbursement


def _ledger_account(disbursement) -> str:
    if disbursement.stipend_id:
        return LedgerEntry.Account.STIPENDS
    return LedgerEntry.Account.PAID


def record_payment_left(*, actor, disbursement: Disbursement) -> None:
    """Write the ledger entry for money that has left (called inside a transaction)."""
    ledger_entry(
        actor=actor,
        account=_ledger_account(disbursement),
        kind=LedgerEntry.Kind.DISBURSEMENT,
        amount=disbursement.amount,
        funding_round_id=disbursement.funding_round_id,
        award_id=disbursement.award_id,
        disbursement=disbursement,
        memo=f"{disbursement.get_method_display()} {disbursement.reference}".strip()[
            :300
        ],
    )


@transaction.atomic
def mark_sent(
    *, actor, disbursement: Disbursement, reference: str, sent_on: date | None = None
) -> Disbursement:
    """Finance records a manual payment as sent, with its ACH or check reference."""
    require_perm(actor, "grants.record_disbursement")
    disbursement = _locked(disbursement)
    _manual_only(disbursement)
    if not reference.strip():
        raise ValidationError({"reference": _("Enter the ACH trace or check number.")})
    _move(disbursement, {Disbursement.Status.APPROVED}, Disbursement.Status.SENT)
    disbursement.reference = reference.strip()
    disbursement.sent_at = timezone.now()
    disbursement.save(update_fields=["status", "reference", "sent_at"])
    record_payment_left(actor=actor, disbursement=disbursement)
    log(instance=disbursement, action="grants.mark_sent", user=actor)
    return disbursement


@transaction.atomic
def mark_paid(*, actor, disbursement: Disbursement, paid_on: date) -> Disbursement:
    """Finance confirms the money arrived (the bank cleared it, the check cashed)."""
    require_perm(actor, "grants.record_disbursement")
    disbursement = _locked(disbursement)
    _manual_only(disbursement)
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("Enter a date that has already happened.")})
    _move(disbursement, {Disbursement.Status.SENT}, Disbursement.Status.PAID)
    disbursement.paid_on = paid_on
    disbursement.save(update_fields=["status", "paid_on"])
    settle_payment(disbursement)
    log(instance=disbursement, action="grants.mark_paid", user=actor)
    public_cache.clear()  # the paid date places the payment in a fiscal year
    return disbursement


def settle_payment(disbursement) -> None:
    """A payment arrived: its stipend is paid, or its accepted award becomes active."""
    if disbursement.stipend_id:
        Stipend.objects.filter(pk=disbursement.stipend_id).update(
            status=Stipend.Status.PAID
        )
    elif disbursement.award_id:
        Award.objects.filter(
            pk=disbursement.award_id, status=Award.Status.ACCEPTED
        ).update(status=Award.Status.ACTIVE)


@transaction.atomic
def mark_failed(
    *, actor, disbursement: Disbursement, reason: str, reversed_payment: bool = False
) -> Disbursement:
    """A sent payment bounced or was reversed: the money is back, the ledger says so."""
    require_perm(actor, "grants.record_disbursement")
    disbursement = _locked(disbursement)
    _manual_only(disbursement)
    target = (
        Disbursement.Status.REVERSED if reversed_payment else Disbursement.Status.FAILED
    )
    fail_payment(
        disbursement=disbursement, to_status=target, reason=reason, actor=actor
    )
    return disbursement


def fail_payment(*, disbursement, to_status, reason: str, actor=None) -> None:
    """Move a sent (or paid, for a reversal) payment to failed/reversed and write the
    reversing ledger entry. The caller holds the row lock."""
    allowed = {Disbursement.Status.SENT}
    if to_status == Disbursement.Status.REVERSED:
        allowed.add(Disbursement.Status.PAID)
    _move(disbursement, allowed, to_status)
    disbursement.failure_reason = reason.strip()[:500]
    disbursement.save(update_fields=["status", "failure_reason"])
    ledger_entry(
        actor=actor,
        account=_ledger_account(disbursement),
        kind=LedgerEntry.Kind.REVERSAL,
        amount=-disbursement.amount,
        funding_round_id=disbursement.funding_round_id,
        award_id=disbursement.award_id,
        disbursement=disbursement,
        memo=reason.strip()[:300],
    )
    if disbursement.stipend_id:
        # Waiting for finance again: it can be paid another way.
        Stipend.objects.filter(pk=disbursement.stipend_id).update(
            status=Stipend.Status.PENDING
        )
    log(instance=disbursement, action=f"grants.{to_status}_disbursement", user=actor)


def check_nothing_sent(disbursement: Disbursement) -> None:
    """An approved Stripe payment may already be at Stripe (a worker mid-call, an
    answer lost to a timeout): cancel it only once Stripe confirms it has nothing."""
    if not (
        disbursement.method == Disbursement.Method.STRIPE
        and disbursement.status == Disbursement.Status.APPROVED
    ):
        return
    from grants import payments
    from grants.services.stripe import transfer_group_for

    try:
        found = payments.find_transfer(
            transfer_group=transfer_group_for(disbursement),
            disbursement_id=disbursement.pk,
        )
    except payments.PaymentError as error:
        raise ValidationError(
            _(
                "We could not check with Stripe whether this payment was sent, so it "
                "cannot be cancelled yet. Please try again in a few minutes."
            ),
            code="unknown",
        ) from error
    if found:
        raise ValidationError(
            _(
                "Stripe already has this transfer, so it cannot be cancelled. It will "
                "show as sent once Stripe's update arrives (or run reconcile_stripe)."
            ),
            code="at_stripe",
        )


@transaction.atomic
def cancel_disbursement(
    *, actor, disbursement: Disbursement, reason: str
) -> Disbursement:
    """Stop a payment that has not been sent."""
    require_perm(actor, "grants.request_disbursement")
    disbursement = _locked(disbursement)
    check_nothing_sent(disbursement)
    _move(
        disbursement,
        {Disbursement.Status.REQUESTED, Disbursement.Status.APPROVED},
        Disbursement.Status.CANCELLED,
    )
    disbursement.failure_reason = reason.strip()[:500]
    disbursement.save(update_fields=["status", "failure_reason"])
    if disbursement.stipend_id:
        Stipend.objects.filter(pk=disbursement.stipend_id).update(
            status=Stipend.Status.PENDING
        )
    log(instance=disbursement, action="grants.cancel_disbursement", user=actor)
    return disbursement
