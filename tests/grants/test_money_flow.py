"""One award from offer to paid, through the services, with the ledger summing up."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from grants import ledger, services
from grants.models import Award, Disbursement, LedgerEntry
from portal import roles
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_pair(db):
    return (
        UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True),
        UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True),
    )


def offer(program_staff, amount="30000.00", funding_round=None):
    owner = MembershipFactory(role="owner")
    award = services.create_award(
        actor=program_staff,
        organization=owner.organization,
        funding_round=funding_round or FundingRoundFactory(),
        amount=Decimal(amount),
        public_title="Peer support for survivors",
        public_summary="Weekly peer support circles led by survivors.",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
    )
    return award, owner.user


def test_an_award_is_offered_accepted_scheduled_and_paid_with_dual_control(
    program_staff, finance_pair
):
    requester, approver = finance_pair
    award, owner = offer(program_staff)
    assert ledger.committed_in_round(award.funding_round) == Decimal("30000.00")

    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    first, _second = services.set_schedule(
        actor=program_staff,
        award=award,
        installments=[
            {"due_on": date(2027, 1, 15), "amount": Decimal("20000.00")},
            {"due_on": date(2027, 7, 15), "amount": Decimal("10000.00")},
        ],
    )
    payment = services.request_disbursement(
        actor=requester, installment=first, method="manual_ach"
    )
    with pytest.raises(ValidationError) as refused:
        services.approve_disbursement(actor=requester, disbursement=payment)
    assert refused.value.code == "dual_control"

    services.approve_disbursement(actor=approver, disbursement=payment)
    services.mark_sent(actor=requester, disbursement=payment, reference="ACH 0042")
    services.mark_paid(
        actor=requester, disbursement=payment, paid_on=timezone.localdate()
    )

    payment.refresh_from_db()
    award.refresh_from_db()
    assert payment.status == Disbursement.Status.PAID
    assert award.status == Award.Status.ACTIVE
    assert ledger.paid_on_award(award) == Decimal("20000.00")
    with pytest.raises(ValidationError):
        services.request_disbursement(
            actor=requester, installment=first, method="check"
        )
    assert Disbursement.objects.count() == 1


def test_a_schedule_that_does_not_add_up_is_refused_and_nothing_is_written(
    program_staff,
):
    award, _owner = offer(program_staff)
    with pytest.raises(ValidationError) as refused:
        services.set_schedule(
            actor=program_staff,
            award=award,
            installments=[{"due_on": date(2027, 1, 15), "amount": Decimal("100.00")}],
        )
    assert refused.value.code == "sum"
    assert not award.installments.exists()


def test_awards_cannot_pass_the_round_budget(program_staff):
    funding_round = FundingRoundFactory(budget=Decimal("50000.00"))
    offer(program_staff, "40000.00", funding_round)
    with pytest.raises(ValidationError):
        offer(program_staff, "20000.00", funding_round)
    assert Award.objects.count() == 1
    assert ledger.committed_in_round(funding_round) == Decimal("40000.00")


def test_rescinding_releases_what_was_not_paid(program_staff):
    award, _owner = offer(program_staff)
    services.rescind_award(
        actor=program_staff, award=award, reason="Organization closed."
    )
    assert ledger.committed_in_round(award.funding_round) == Decimal("0.00")
    kinds = list(LedgerEntry.objects.values_list("kind", "amount"))
    assert kinds == [
        ("commitment", Decimal("30000.00")),
        ("release", Decimal("-30000.00")),
    ]


@pytest.mark.parametrize("bad", ["0", "-1", "NaN", "1e309", "10.001"])
def test_bad_amounts_are_refused_and_nothing_is_written(program_staff, bad):
    with pytest.raises(ValidationError):
        offer(program_staff, bad)
    assert not Award.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_ledger_rows_cannot_be_changed_or_deleted(program_staff):
    award, _owner = offer(program_staff)
    entry = LedgerEntry.objects.get()
    with pytest.raises(TypeError):
        LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        entry.delete()
    if connection.vendor == "postgresql":
        from django.db import DatabaseError, transaction

        with (
            pytest.raises(DatabaseError),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(
                "UPDATE grants_ledgerentry SET amount = 1 WHERE id = %s", [entry.pk]
            )
    entry.refresh_from_db()
    assert entry.amount == Decimal("30000.00")


def test_only_an_owner_accepts(program_staff):
    award, _owner = offer(program_staff)
    editor = MembershipFactory(organization=award.organization, role="editor").user
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.accept_award(actor=editor, award=award, signer_name="Someone")
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert award.starts_on < award.ends_on + timedelta(days=1)


def test_a_stripe_payment_cannot_be_marked_paid_or_failed_by_hand(
    program_staff, finance_pair, settings
):
    from grants.models import Installment

    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    requester, approver = finance_pair
    award, owner = offer(program_staff)
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    (installment,) = services.set_schedule(
        actor=program_staff,
        award=award,
        installments=[{"due_on": date(2027, 1, 15), "amount": Decimal("30000.00")}],
    )
    payment = Disbursement.objects.create(
        installment=installment,
        award=award,
        funding_round=award.funding_round,
        amount=Decimal("30000.00"),
        method="stripe",
        status="sent",
        requested_by=requester,
        approved_by=approver,
    )
    with pytest.raises(ValidationError) as refused:
        services.mark_failed(actor=requester, disbursement=payment, reason="Bounced")
    assert refused.value.code == "stripe"
    with pytest.raises(ValidationError):
        services.mark_paid(
            actor=requester, disbursement=payment, paid_on=date(2027, 1, 20)
        )
    payment.refresh_from_db()
    assert payment.status == "sent"
    assert Installment.objects.get().disbursements.count() == 1


def test_a_round_budget_cannot_drop_below_what_it_committed(program_staff):
    award, _owner = offer(program_staff)
    funding_round = award.funding_round
    with pytest.raises(ValidationError) as refused:
        services.update_funding_round(
            actor=program_staff,
            funding_round=funding_round,
            budget=Decimal("29000.00"),
            max_award=Decimal("29000.00"),
        )
    assert "budget" in refused.value.message_dict
    funding_round.refresh_from_db()
    assert funding_round.budget == Decimal("500000.00")
