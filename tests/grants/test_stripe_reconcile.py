"""reconcile_stripe: our Stripe payments against Stripe's transfers, fixed forward."""

import time
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

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
    server = FakeStripe(clock=int(time.time())).start()
    point_settings_at(settings, server)
    yield server
    server.stop()


def reconcile(*args):
    out = StringIO()
    call_command(
        "reconcile_stripe",
        "--since",
        timezone.localdate().isoformat(),
        *args,
        stdout=out,
    )
    return out.getvalue()


def sent(fake):
    payment = approved_stripe_payment(fake)
    send_stripe_transfer.enqueue(disbursement_id=payment.pk)
    payment.refresh_from_db()
    return payment


def test_a_payment_stripe_has_no_transfer_for_is_reported_and_flagged_with_fix(fake):
    payment = sent(fake)
    del fake.transfers[payment.external_id]
    fake.add_transfer(amount=500, destination=fake.add_account(), metadata={})
    rows_before = list(LedgerEntry.objects.values_list("pk", "amount"))

    report = reconcile()
    assert f"MISSING   Disbursement {payment.pk} is sent" in report
    assert "UNKNOWN" in report
    payment.refresh_from_db()
    assert payment.flagged == ""

    reconcile("--fix")
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.SENT
    assert "Stripe has no such transfer" in payment.flagged
    assert list(LedgerEntry.objects.values_list("pk", "amount")) == rows_before


def test_fix_applies_legal_forward_moves_with_new_ledger_entries_only(fake):
    reversed_payment = sent(fake)
    fake.reverse(reversed_payment.external_id)
    unrecorded = approved_stripe_payment(fake)
    transfer = fake.add_transfer(
        amount=2000000,
        destination=unrecorded.award.organization.payee_account.stripe_account_id,
        transfer_group=f"award-{unrecorded.award_id}",
        metadata={"disbursement": str(unrecorded.pk)},
    )
    rows_before = list(LedgerEntry.objects.values_list("pk", "amount"))

    report = reconcile("--fix")

    assert f"Disbursement {reversed_payment.pk} is sent" in report
    assert "says reversed" in report
    reversed_payment.refresh_from_db()
    unrecorded.refresh_from_db()
    assert reversed_payment.status == Disbursement.Status.REVERSED
    assert unrecorded.status == Disbursement.Status.PAID
    assert unrecorded.external_id == transfer["id"]
    rows_after = list(LedgerEntry.objects.values_list("pk", "amount"))
    assert rows_after[: len(rows_before)] == rows_before
    assert sorted(amount for _pk, amount in rows_after[len(rows_before) :]) == [
        Decimal("-20000.00"),
        Decimal("20000.00"),
    ]
    assert "No differences." in reconcile()
