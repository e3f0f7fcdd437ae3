"""Stripe webhooks: signed on the raw body, stored once, applied by re-reading Stripe."""

import time
from decimal import Decimal

import pytest
from wagtail.models import ModelLogEntry

from grants import ledger
from grants.models import Disbursement, LedgerEntry, PayeeAccount, StripeEvent
from grants.tasks import send_stripe_transfer
from tests.grants.stripe_fake import (
    PREVIOUS_WEBHOOK_SECRET,
    FakeStripe,
    approved_stripe_payment,
    ensure_log_actions,
    event_body,
    point_settings_at,
    sign,
)

pytestmark = pytest.mark.django_db
URL = "/stripe/webhook/"


@pytest.fixture(autouse=True)
def _log_actions():
    ensure_log_actions()


@pytest.fixture
def fake(settings):
    server = FakeStripe().start()
    point_settings_at(settings, server)
    yield server
    server.stop()


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    def post(body: bytes, header: str | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                URL,
                data=body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(body) if header is None else header,
            )

    return post


@pytest.fixture
def sent_payment(fake):
    payment = approved_stripe_payment(fake)
    send_stripe_transfer.enqueue(disbursement_id=payment.pk)
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.SENT
    return payment


def transfer_event(event_id, event_type, transfer_id, **kwargs):
    # Amounts in the payload are never trusted: these say a million dollars.
    return event_body(
        event_id,
        event_type,
        {"id": transfer_id, "object": "transfer", "amount": 100_000_000},
        **kwargs,
    )


def ledger_rows(payment):
    return list(
        LedgerEntry.objects.filter(disbursement=payment)
        .order_by("pk")
        .values_list("kind", "amount")
    )


def test_a_bad_signature_is_refused_with_400_and_nothing_is_stored(fake, deliver):
    body = event_body("evt_1", "transfer.created", {"id": "tr_1"})
    forged = sign(body, secret="whsec_attacker")
    assert deliver(body, forged).status_code == 400
    assert deliver(body, "").status_code == 400
    assert deliver(body + b" ", sign(body)).status_code == 400
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("offset", [-310, -3600, 310, 3600])
def test_old_and_future_timestamps_are_refused_with_400(fake, deliver, offset):
    body = event_body("evt_1", "transfer.created", {"id": "tr_1"})
    header = sign(body, timestamp=int(time.time()) + offset)
    assert deliver(body, header).status_code == 400
    assert not StripeEvent.objects.exists()


def test_a_signed_body_that_is_not_an_event_is_refused(fake, deliver):
    for body in (b"not json", b"[]", b'{"id": "evt_1"}'):
        assert deliver(body).status_code == 400
    assert not StripeEvent.objects.exists()


def test_without_a_webhook_secret_every_event_is_refused(fake, deliver, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    body = event_body("evt_1", "transfer.created", {"id": "tr_1"})
    assert deliver(body, sign(body, secret="")).status_code == 400
    assert not StripeEvent.objects.exists()


def test_the_previous_secret_is_accepted_only_while_it_is_configured(
    fake, deliver, settings
):
    body = event_body("evt_1", "payout.paid", {"id": "po_1", "object": "payout"})
    header = sign(body, secret=PREVIOUS_WEBHOOK_SECRET)
    assert deliver(body, header).status_code == 400

    settings.STRIPE_WEBHOOK_SECRET_PREVIOUS = PREVIOUS_WEBHOOK_SECRET
    assert deliver(body, header).status_code == 200
    event = StripeEvent.objects.get()
    assert event.outcome == "ignored"
    assert event.processed_at is not None


def test_the_webhook_answers_only_post(client):
    assert client.get(URL).status_code == 405


def test_a_duplicate_event_is_answered_200_and_applied_once(
    fake, deliver, sent_payment
):
    body = transfer_event("evt_1", "transfer.created", sent_payment.external_id)

    assert deliver(body).status_code == 200
    assert deliver(body).status_code == 200

    assert StripeEvent.objects.count() == 1
    sent_payment.refresh_from_db()
    assert sent_payment.status == Disbursement.Status.PAID
    assert sent_payment.paid_on is not None
    assert ledger_rows(sent_payment) == [("disbursement", Decimal("20000.00"))]
    assert (
        ModelLogEntry.objects.filter(action="grants.apply_transfer_state").count() == 1
    )
    assert StripeEvent.objects.get().outcome == "paid"


def test_events_out_of_order_end_in_the_state_stripe_has_now(
    fake, deliver, sent_payment
):
    fake.reverse(sent_payment.external_id)
    reversed_event = transfer_event(
        "evt_2", "transfer.reversed", sent_payment.external_id
    )
    created_event = transfer_event(
        "evt_1", "transfer.created", sent_payment.external_id
    )

    assert deliver(reversed_event).status_code == 200
    assert deliver(created_event).status_code == 200

    sent_payment.refresh_from_db()
    assert sent_payment.status == Disbursement.Status.REVERSED
    assert ledger_rows(sent_payment) == [
        ("disbursement", Decimal("20000.00")),
        ("reversal", Decimal("-20000.00")),
    ]
    assert ledger.paid_on_award(sent_payment.award) == Decimal("0.00")


def test_a_transfer_event_before_the_task_recorded_it_moves_the_payment_forward(
    fake, deliver
):
    payment = approved_stripe_payment(fake)
    # Stripe made the transfer but the worker died before writing it down.
    transfer = fake.add_transfer(
        amount=2000000,
        destination=payment.award.organization.payee_account.stripe_account_id,
        transfer_group=f"award-{payment.award_id}",
        metadata={"disbursement": str(payment.pk)},
    )

    assert (
        deliver(transfer_event("evt_1", "transfer.created", transfer["id"])).status_code
        == 200
    )

    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.PAID
    assert payment.external_id == transfer["id"]
    assert ledger_rows(payment) == [("disbursement", Decimal("20000.00"))]
    send_stripe_transfer.enqueue(disbursement_id=payment.pk)
    assert fake.transfer_requests() == []


def test_an_amount_different_from_ours_is_flagged_and_not_applied(
    fake, deliver, sent_payment
):
    fake.transfers[sent_payment.external_id]["amount"] = 2000001

    body = transfer_event("evt_1", "transfer.updated", sent_payment.external_id)
    assert deliver(body).status_code == 200

    sent_payment.refresh_from_db()
    assert sent_payment.status == Disbursement.Status.SENT
    assert "20000.01" in sent_payment.flagged
    assert "Nothing was applied" in sent_payment.flagged
    assert ledger_rows(sent_payment) == [("disbursement", Decimal("20000.00"))]
    assert StripeEvent.objects.get().outcome.startswith("flagged")


def test_a_transfer_to_another_account_is_flagged_and_not_applied(
    fake, deliver, sent_payment
):
    fake.transfers[sent_payment.external_id]["destination"] = fake.add_account()

    body = transfer_event("evt_1", "transfer.updated", sent_payment.external_id)
    assert deliver(body).status_code == 200

    sent_payment.refresh_from_db()
    assert sent_payment.status == Disbursement.Status.SENT
    assert "another account" in sent_payment.flagged


def test_an_event_from_the_other_mode_is_ignored(fake, deliver, sent_payment):
    body = transfer_event(
        "evt_1", "transfer.reversed", sent_payment.external_id, livemode=True
    )
    fake.reverse(sent_payment.external_id)

    assert deliver(body).status_code == 200

    sent_payment.refresh_from_db()
    assert sent_payment.status == Disbursement.Status.SENT
    assert ledger_rows(sent_payment) == [("disbursement", Decimal("20000.00"))]
    assert StripeEvent.objects.get().outcome.startswith("ignored: livemode")
    assert not [r for r in fake.requests if r.path.endswith(sent_payment.external_id)]


def test_account_updated_refreshes_the_payee_status_from_stripe(fake, deliver):
    payment = approved_stripe_payment(fake, payee=None)
    payee = PayeeAccount.objects.get(organization=payment.award.organization)
    PayeeAccount.objects.filter(pk=payee.pk).update(status="pending")
    account = fake.accounts[payee.stripe_account_id]
    account["requirements"]["disabled_reason"] = "requirements.past_due"

    body = event_body(
        "evt_1",
        "account.updated",
        {"id": payee.stripe_account_id, "object": "account"},
    )
    assert deliver(body).status_code == 200

    payee.refresh_from_db()
    assert payee.status == PayeeAccount.Status.RESTRICTED
