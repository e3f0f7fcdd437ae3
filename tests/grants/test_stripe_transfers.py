"""Sending Stripe transfers: once, whatever retries, timeouts and crashes happen."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grants import payments, services
from grants.models import Disbursement, LedgerEntry
from grants.tasks import send_stripe_transfer
from tests.grants.stripe_fake import (
    FakeStripe,
    approved_stripe_payment,
    ensure_log_actions,
    point_settings_at,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _log_actions():
    ensure_log_actions()


@pytest.fixture
def fake(settings):
    server = FakeStripe().start()
    point_settings_at(settings, server)
    yield server
    server.stop()


def ledger_rows(payment):
    return list(
        LedgerEntry.objects.filter(disbursement=payment).values_list("kind", "amount")
    )


def test_a_transfer_is_created_once_across_timeouts_drops_and_server_errors(
    fake, django_capture_on_commit_callbacks
):
    payment = approved_stripe_payment(fake, approve=False)
    fake.fail_next("timeout", 2)
    fake.fail_next("drop")
    fake.fail_next("500")

    with django_capture_on_commit_callbacks(execute=True):
        services.approve_disbursement(actor=payment.approver, disbursement=payment)

    attempts = fake.transfer_requests()
    assert len(attempts) == 5
    assert {attempt.idempotency_key for attempt in attempts} == {
        f"disbursement-{payment.idempotency_key}"
    }
    assert attempts[-1].params["amount"] == "2000000"
    assert attempts[-1].params["transfer_group"] == f"award-{payment.award_id}"
    assert attempts[-1].params["metadata"]["disbursement"] == str(payment.pk)
    assert len(fake.transfers) == 1
    (transfer_id,) = fake.transfers
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.SENT
    assert payment.external_id == transfer_id
    assert ledger_rows(payment) == [("disbursement", Decimal("20000.00"))]


def test_running_the_task_again_after_sending_changes_nothing(fake):
    payment = approved_stripe_payment(fake)
    send_stripe_transfer.enqueue(disbursement_id=payment.pk)
    send_stripe_transfer.enqueue(disbursement_id=payment.pk)

    assert len(fake.transfer_requests()) == 1
    assert len(fake.transfers) == 1
    assert ledger_rows(payment) == [("disbursement", Decimal("20000.00"))]


def test_after_24_hours_the_task_finds_the_existing_transfer_instead_of_creating(
    fake,
):
    payment = approved_stripe_payment(fake)
    # The first attempt reached Stripe a day ago, then the worker died.
    existing = fake.add_transfer(
        amount=2000000,
        destination=payment.award.organization.payee_account.stripe_account_id,
        transfer_group=f"award-{payment.award_id}",
        metadata={"disbursement": str(payment.pk)},
    )
    Disbursement.objects.filter(pk=payment.pk).update(
        approved_at=timezone.now() - timedelta(hours=25)
    )

    send_stripe_transfer.enqueue(disbursement_id=payment.pk)

    assert fake.transfer_requests() == []
    lookups = [r for r in fake.requests if r.method == "GET"]
    assert lookups[0].params["transfer_group"] == f"award-{payment.award_id}"
    assert len(fake.transfers) == 1
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.SENT
    assert payment.external_id == existing["id"]
    assert ledger_rows(payment) == [("disbursement", Decimal("20000.00"))]


def test_after_six_failed_attempts_the_payment_stays_approved_and_is_flagged(fake):
    payment = approved_stripe_payment(fake)
    fake.fail_next("drop", 6)

    send_stripe_transfer.enqueue(disbursement_id=payment.pk)

    attempts = fake.transfer_requests()
    assert len(attempts) == 6
    assert len({attempt.idempotency_key for attempt in attempts}) == 1
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.APPROVED
    assert "reconcile_stripe" in payment.flagged
    assert ledger_rows(payment) == []


def test_a_transfer_stripe_refuses_fails_the_payment_and_writes_no_ledger_row(fake):
    payment = approved_stripe_payment(fake, payee="acct_unknown")

    send_stripe_transfer.enqueue(disbursement_id=payment.pk)

    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.FAILED
    assert "No such destination" in payment.failure_reason
    assert fake.transfers == {}
    assert ledger_rows(payment) == []


def test_without_stripe_keys_the_stripe_method_is_refused_kindly_and_manual_works(
    settings, program_staff
):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(payments.PaymentsNotConfigured) as refused:
        payments.create_transfer(
            amount=Decimal("1.00"),
            destination="acct_x",
            idempotency_key="k",
            transfer_group="g",
            metadata={},
        )
    assert "Stripe payments are not set up on this site" in str(refused.value)

    fake = FakeStripe()  # never started: nothing may call it
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    payment = approved_stripe_payment(fake, approve=False)
    settings.STRIPE_SECRET_KEY = ""
    payment.status = Disbursement.Status.CANCELLED
    Disbursement.objects.filter(pk=payment.pk).update(status="cancelled")
    with pytest.raises(ValidationError) as stripe_refused:
        services.request_disbursement(
            actor=payment.requested_by, installment=payment.installment, method="stripe"
        )
    assert "Stripe is not set up on this site" in str(stripe_refused.value)
    manual = services.request_disbursement(
        actor=payment.requested_by,
        installment=payment.installment,
        method="manual_ach",
    )
    assert manual.status == Disbursement.Status.REQUESTED
    assert fake.requests == []


def test_amounts_cross_to_stripe_as_exact_cents_never_floats():
    assert payments.to_cents(Decimal("0.29")) == 29
    assert payments.to_cents(Decimal("19999.99")) == 1999999
    assert payments.from_cents(1999999) == Decimal("19999.99")
    for bad in (0.29, Decimal("10.001"), Decimal("0"), Decimal("NaN")):
        with pytest.raises(ValueError, match="amount|cents"):
            payments.to_cents(bad)
