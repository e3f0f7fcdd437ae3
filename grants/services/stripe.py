"""Stripe Connect on our side: payee onboarding, transfers and webhook events.

Stripe is the source of truth for what a transfer did, our ledger for what we owe.
Every state change here is a legal forward move checked under a row lock; anything
that does not add up (another amount, another destination, money out on a payment we
cancelled) is flagged for finance and nothing is applied.
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from grants import payments
from grants.models import (
    Disbursement,
    Organization,
    PayeeAccount,
    Stipend,
    StripeEvent,
)
from grants.services.disbursements import (
    fail_payment,
    record_payment_left,
    settle_payment,
)
from portal.models import User
from portal.permissions import require_perm

logger = logging.getLogger(__name__)

Status = Disbursement.Status

# Audit log actions written here; grants/wagtail_hooks.py registers them.
LOG_ACTIONS = {
    "grants.start_payee_onboarding": "Start Stripe onboarding",
    "grants.refresh_payee_status": "Update Stripe payee status",
    "grants.record_transfer_sent": "Stripe transfer sent",
    "grants.record_transfer_failed_before_sending": "Stripe refused the transfer",
    "grants.apply_transfer_state": "Stripe transfer paid",
    "grants.flag_disbursement": "Flag payment for finance",
    "grants.process_stripe_event": "Stripe event ignored or flagged",
    "grants.refuse_stripe_webhook": "Stripe webhook refused",
}


# Reads the task and the command share ------------------------------------------------


def transfer_group_for(disbursement: Disbursement) -> str:
    """Stripe's transfer_group: one per award (or per stipend)."""
    if disbursement.award_id:
        return f"award-{disbursement.award_id}"
    return f"stipend-{disbursement.stipend_id}"


def payee_for(disbursement: Disbursement) -> PayeeAccount | None:
    """The connected account a disbursement pays: the organization's or panelist's."""
    if disbursement.award_id:
        lookup = {"organization__awards": disbursement.award_id}
    elif disbursement.stipend_id:
        lookup = {"person__stipends": disbursement.stipend_id}
    else:
        return None
    return PayeeAccount.objects.filter(**lookup).first()


def transfer_metadata(disbursement: Disbursement) -> dict:
    """Our ids on the transfer, so Stripe's records point back to our rows."""
    metadata = {"disbursement": str(disbursement.pk)}
    if disbursement.award_id:
        metadata["award"] = str(disbursement.award_id)
    if disbursement.installment_id:
        metadata["installment"] = str(disbursement.installment_id)
    if disbursement.stipend_id:
        metadata["stipend"] = str(disbursement.stipend_id)
    return metadata


def disbursement_for_transfer(transfer) -> Disbursement | None:
    """Our Stripe disbursement a transfer belongs to (by our metadata, then by id)."""
    metadata = transfer.get("metadata") or {}
    stripe_payments = Disbursement.objects.filter(method=Disbursement.Method.STRIPE)
    raw = str(metadata.get("disbursement") or "")
    if raw.isdigit():
        found = stripe_payments.filter(pk=int(raw)).first()
        if found is not None:
            return found
    return stripe_payments.filter(external_id=transfer["id"]).first()


# Onboarding -------------------------------------------------------------------------


def _absolute(name: str, organization_id: int | None = None) -> str:
    kwargs = {"organization_id": organization_id} if organization_id else {}
    path = reverse(name, kwargs=kwargs)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@transaction.atomic
def start_payee_onboarding(*, actor, organization: Organization) -> str:
    """An owner starts (or continues) Stripe onboarding; returns the Account Link.

    The connected account is created once per organization; we keep only its id
    and status, never bank details.
    """
    require_perm(actor, "grants.manage_members", organization)
    if not payments.is_configured():
        raise payments.PaymentsNotConfigured
    # The lock makes a double click wait for the first, which then finds the row.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    payee = PayeeAccount.objects.filter(organization=organization).first()
    if payee is None:
        account_id = payments.create_connected_account(
            email=organization.contact_email,
            idempotency_key=f"payee-organization-{organization.pk}",
        )
        payee = PayeeAccount(organization=organization, stripe_account_id=account_id)
        payee.full_clean()
        payee.save()
        log(instance=payee, action="grants.start_payee_onboarding", user=actor)
    return payments.account_link(
        payee.stripe_account_id,
        refresh_url=_absolute("payments:payee_refresh", organization.pk),
        return_url=_absolute("payments:payee_return", organization.pk),
    )


@transaction.atomic
def start_personal_payee_onboarding(*, actor) -> str:
    """A panelist owed a stipend sets up Stripe to be paid; returns the Account Link.

    Only people with a stipend may start: the connected account is theirs, created
    once, and we keep only its id and status.
    """
    if not Stipend.objects.filter(panelist_id=actor.pk).exists():
        raise PermissionDenied("No stipend to be paid.")
    if not payments.is_configured():
        raise payments.PaymentsNotConfigured
    person = User.objects.select_for_update().get(pk=actor.pk)
    payee = PayeeAccount.objects.filter(person=person).first()
    if payee is None:
        account_id = payments.create_connected_account(
            email=person.email, idempotency_key=f"payee-person-{person.pk}"
        )
        payee = PayeeAccount(person=person, stripe_account_id=account_id)
        payee.full_clean()
        payee.save()
        log(instance=payee, action="grants.start_payee_onboarding", user=actor)
    return payments.account_link(
        payee.stripe_account_id,
        refresh_url=_absolute("payments:my_payee_refresh"),
        return_url=_absolute("payments:my_payee_return"),
    )


def _set_payee_status(payee: PayeeAccount, status: str, actor=None) -> PayeeAccount:
    if status not in PayeeAccount.Status.values:
        status = PayeeAccount.Status.RESTRICTED
    if payee.status != status:
        payee.status = status
        payee.updated_at = timezone.now()
        payee.save(update_fields=["status", "updated_at"])
        log(instance=payee, action="grants.refresh_payee_status", user=actor)
    return payee


@transaction.atomic
def refresh_payee_status(*, payee: PayeeAccount, actor=None) -> PayeeAccount:
    """Read the connected account's status from Stripe and store it."""
    status = payments.account_status(payee.stripe_account_id)
    payee = PayeeAccount.objects.select_for_update().get(pk=payee.pk)
    return _set_payee_status(payee, status, actor)


# Transfers --------------------------------------------------------------------------


def _locked(disbursement_id: int) -> Disbursement:
    return Disbursement.objects.select_for_update().get(pk=disbursement_id)


def _flag(disbursement: Disbursement, text: str) -> None:
    text = text[:500]
    if disbursement.flagged != text:
        disbursement.flagged = text
        disbursement.save(update_fields=["flagged"])
        log(instance=disbursement, action="grants.flag_disbursement", user=None)
    logger.warning("Stripe check flagged disbursement %s: %s", disbursement.pk, text)


@transaction.atomic
def flag_disbursement(*, disbursement_id: int, text: str) -> Disbursement:
    """Mark a payment for finance to look at; change nothing else."""
    disbursement = _locked(disbursement_id)
    _flag(disbursement, text)
    return disbursement


def _amount_matches(disbursement: Disbursement, transfer) -> bool:
    return transfer.get("amount") == payments.to_cents(disbursement.amount) and (
        str(transfer.get("currency") or "usd").lower() == "usd"
    )


def _mark_sent(disbursement: Disbursement, transfer) -> None:
    disbursement.status = Status.SENT
    disbursement.external_id = transfer["id"]
    disbursement.sent_at = timezone.now()
    disbursement.save(update_fields=["status", "external_id", "sent_at"])
    # Ledger rows name a person: the approver who authorised this Stripe payment.
    record_payment_left(actor=disbursement.approved_by, disbursement=disbursement)
    log(instance=disbursement, action="grants.record_transfer_sent", user=None)


def _mark_paid(disbursement: Disbursement, transfer) -> None:
    paid_on = timezone.localdate()
    created = transfer.get("created")
    if isinstance(created, int):
        paid_on = min(
            paid_on,
            timezone.localtime(dt.datetime.fromtimestamp(created, tz=dt.UTC)).date(),
        )
    disbursement.status = Status.PAID
    disbursement.paid_on = paid_on
    disbursement.save(update_fields=["status", "paid_on"])
    settle_payment(disbursement)
    log(instance=disbursement, action="grants.apply_transfer_state", user=None)


def _wrong_transfer(disbursement: Disbursement, transfer) -> str:
    """Why this transfer cannot be applied to this payment, or an empty string."""
    if disbursement.external_id and disbursement.external_id != transfer["id"]:
        return _(
            "Stripe transfer %(new)s also claims this payment, which was sent as "
            "%(old)s. Nothing was applied."
        ) % {"new": transfer["id"], "old": disbursement.external_id}
    if not _amount_matches(disbursement, transfer):
        return _(
            "Stripe transfer %(id)s is for %(theirs)s %(currency)s but this payment is "
            "%(ours)s USD. Nothing was applied; check with Stripe."
        ) % {
            "id": transfer["id"],
            "theirs": payments.from_cents(transfer.get("amount") or 0),
            "currency": str(transfer.get("currency") or "").upper(),
            "ours": disbursement.amount,
        }
    return ""


@transaction.atomic
def record_transfer_sent(*, disbursement_id: int, transfer) -> Disbursement:
    """Stripe accepted our transfer: approved -> sent, and the ledger says money left.

    Safe to call twice (the task and a webhook may both see the transfer).
    """
    disbursement = _locked(disbursement_id)
    if disbursement.status == Status.APPROVED:
        problem = _wrong_transfer(disbursement, transfer)
        if problem:
            _flag(disbursement, problem)
        else:
            _mark_sent(disbursement, transfer)
    elif disbursement.external_id != transfer["id"]:
        _flag(
            disbursement,
            _(
                "Stripe made transfer %(id)s for this payment while it was “%(status)s”. "
                "Check with Stripe whether money left."
            )
            % {"id": transfer["id"], "status": disbursement.get_status_display()},
        )
    return disbursement


@transaction.atomic
def record_transfer_failed_before_sending(
    *, disbursement_id: int, reason: str
) -> Disbursement:
    """Stripe refused to create the transfer: approved -> failed; no money left, so
    no ledger entry."""
    disbursement = _locked(disbursement_id)
    if disbursement.status != Status.APPROVED:
        return disbursement
    disbursement.status = Status.FAILED
    disbursement.failure_reason = (reason or _("Stripe refused the transfer."))[:500]
    disbursement.save(update_fields=["status", "failure_reason"])
    if disbursement.stipend_id:
        Stipend.objects.filter(pk=disbursement.stipend_id).update(
            status=Stipend.Status.APPROVED
        )
    log(
        instance=disbursement,
        action="grants.record_transfer_failed_before_sending",
        user=None,
    )
    return disbursement


@transaction.atomic
def apply_transfer_state(*, disbursement: Disbursement, transfer) -> str:
    """Move a payment forward to what Stripe says its transfer did; return what
    happened.

    Legal moves only: approved -> sent, sent -> paid (the transfer exists and is not
    reversed), sent/paid -> reversed. Stripe's amount must equal our row; a
    different amount, or a partial reversal, is flagged and nothing is applied.
    """
    disbursement = _locked(disbursement.pk)
    problem = _wrong_transfer(disbursement, transfer)
    if problem:
        _flag(disbursement, problem)
        return "flagged: does not match our payment"
    is_reversed = bool(transfer.get("reversed"))
    if not is_reversed and (transfer.get("amount_reversed") or 0) > 0:
        _flag(
            disbursement,
            _(
                "Stripe transfer %(id)s was partly reversed (%(back)s came back). "
                "Nothing was applied; finance must decide."
            )
            % {
                "id": transfer["id"],
                "back": payments.from_cents(transfer["amount_reversed"]),
            },
        )
        return "flagged: partly reversed"
    if disbursement.status == Status.APPROVED:
        _mark_sent(disbursement, transfer)
    if disbursement.status in {Status.SENT, Status.PAID} and is_reversed:
        fail_payment(
            disbursement=disbursement,
            actor=disbursement.approved_by,
            to_status=Status.REVERSED,
            reason=_("Stripe reversed transfer %(id)s.") % {"id": transfer["id"]},
        )
        return "reversed"
    if disbursement.status == Status.SENT:
        _mark_paid(disbursement, transfer)
        return "paid"
    if (
        disbursement.status
        in {
            Status.FAILED,
            Status.CANCELLED,
            Status.REQUESTED,
        }
        and not is_reversed
    ):
        _flag(
            disbursement,
            _(
                "Stripe shows transfer %(id)s paid out for a payment marked "
                "“%(status)s”. Check with Stripe."
            )
            % {"id": transfer["id"], "status": disbursement.get_status_display()},
        )
        return "flagged: money out on a stopped payment"
    return f"unchanged: {disbursement.status}"


# Webhook events ---------------------------------------------------------------------


def _process_later(event_pk: int) -> None:
    from grants.tasks import process_stripe_event_task

    process_stripe_event_task.enqueue(event_pk=event_pk)


@transaction.atomic
def record_stripe_event(*, event: dict) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once by its id and process it after commit.

    Returns the row and whether it is new; a duplicate delivery changes nothing.
    Only ids are kept from the payload: processing re-reads the object from Stripe.
    """
    obj = event["data"]["object"]
    stored, created = StripeEvent.objects.get_or_create(
        event_id=event["id"][:100],
        defaults={
            "type": str(event["type"])[:100],
            "livemode": bool(event.get("livemode")),
            "account": str(event.get("account") or "")[:100],
            "payload": {
                "object": {
                    "id": str(obj.get("id") or "")[:100],
                    "object": str(obj.get("object") or "")[:100],
                },
                "created": event.get("created"),
            },
        },
    )
    if created:
        transaction.on_commit(partial(_process_later, stored.pk))
    return stored, created


def _transfer_event(event: StripeEvent) -> str:
    transfer = payments.retrieve_transfer(event.payload["object"]["id"])
    if bool(transfer.get("livemode")) != settings.STRIPE_LIVEMODE:
        return "ignored: transfer livemode differs from ours"
    disbursement = disbursement_for_transfer(transfer)
    if disbursement is None:
        return "ignored: not one of our payments"
    payee = payee_for(disbursement)
    if payee is None or transfer.get("destination") != payee.stripe_account_id:
        flag_disbursement(
            disbursement_id=disbursement.pk,
            text=_(
                "Stripe transfer %(id)s names this payment but goes to another "
                "account. Nothing was applied."
            )
            % {"id": transfer["id"]},
        )
        return "flagged: destination is not our payee"
    return apply_transfer_state(disbursement=disbursement, transfer=transfer)


def _account_event(event: StripeEvent) -> str:
    account_id = event.payload["object"]["id"] or event.account
    payee = PayeeAccount.objects.filter(stripe_account_id=account_id).first()
    if payee is None:
        return "ignored: not one of our payees"
    account = payments.retrieve_account(account_id)
    if bool(account.get("livemode", settings.STRIPE_LIVEMODE)) != (
        settings.STRIPE_LIVEMODE
    ):
        return "ignored: account livemode differs from ours"
    payee = PayeeAccount.objects.select_for_update().get(pk=payee.pk)
    _set_payee_status(payee, payments.status_of_account(account))
    return f"payee {payee.status}"


EVENT_HANDLERS = {
    "transfer.created": _transfer_event,
    "transfer.updated": _transfer_event,
    "transfer.reversed": _transfer_event,
    "account.updated": _account_event,
}


@transaction.atomic
def process_stripe_event(*, event_pk: int) -> StripeEvent:
    """Apply one stored webhook event, once, by re-reading its object from Stripe.

    The event row stays locked until the state change commits, so a duplicate or a
    second worker cannot apply it twice. A Stripe outage raises and leaves the event
    unprocessed for a retry.
    """
    event = StripeEvent.objects.select_for_update().get(pk=event_pk)
    if event.processed_at is not None:
        return event
    handler = EVENT_HANDLERS.get(event.type)
    if event.livemode != settings.STRIPE_LIVEMODE:
        outcome = "ignored: livemode differs from ours"
    elif handler is None:
        outcome = "ignored"
    else:
        try:
            outcome = handler(event)
        except payments.PaymentRefused as error:
            outcome = f"ignored: Stripe refused to show the object ({error})"
    if outcome.startswith(("ignored:", "flagged:")):
        log(instance=event, action="grants.process_stripe_event", user=None)
        logger.warning("Stripe event %s: %s", event.event_id, outcome)
    event.processed_at = timezone.now()
    event.outcome = outcome[:300]
    event.save(update_fields=["processed_at", "outcome"])
    return event
