"""Disbursement services: who may request, approve, record and cancel payments; dual
control; paying at most the award and each installment once; failures and reversals
in the ledger; panelists' stipends through the same flow."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from grants import ledger, services
from grants.models import Award, Disbursement, LedgerEntry, Stipend
from portal import roles
from tests.factories import MembershipFactory, UserFactory
from tests.grants.money_helpers import (
    accepted_award,
    finance_user,
    ledger_rows,
    log_entries,
    offer,
    pay,
    schedule,
    send,
)

pytestmark = pytest.mark.django_db

REFUSED_ROLES = ["program", "applicant", "panelist", "comms", "owner"]


def person(role, organization):
    if role == "program":
        return UserFactory(roles=[roles.PROGRAM_STAFF], is_staff=True)
    if role == "comms":
        return UserFactory(roles=[roles.COMMUNICATIONS_STAFF], is_staff=True)
    if role == "applicant":
        return UserFactory(roles=[roles.APPLICANTS])
    if role == "panelist":
        return UserFactory(roles=[roles.PANELISTS])
    return MembershipFactory(organization=organization, role=role).user


@pytest.fixture
def finance_pair(db):
    return finance_user(), finance_user()


@pytest.fixture
def funded(program_staff):
    """An accepted award of 30,000 paid in two installments, 20,000 then 10,000."""
    award, installments, owner = accepted_award(
        program_staff, "30000.00", ["20000.00", "10000.00"]
    )
    return award, installments


def stipend_for(funding_round, amount="120.00"):
    return Stipend.objects.create(
        panelist=UserFactory(roles=[roles.PANELISTS]),
        funding_round=funding_round,
        hours=Decimal("3"),
        rate=Decimal("40.00"),
        amount=Decimal(amount),
    )


# Permissions: finance staff succeed, every other role is refused -------------------


@pytest.mark.parametrize("role", ["finance", *REFUSED_ROLES])
def test_only_finance_staff_request_a_payment(funded, role):
    award, (first, _second) = funded
    actor = finance_user() if role == "finance" else person(role, award.organization)
    if role == "finance":
        payment = services.request_disbursement(
            actor=actor, installment=first, method="manual_ach"
        )
        assert (payment.status, payment.amount) == ("requested", Decimal("20000.00"))
        assert (payment.award, payment.funding_round) == (award, award.funding_round)
        assert payment.requested_by == actor
        entry = log_entries("grants.request_disbursement", award).get()
        assert entry.user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.request_disbursement(
                actor=actor, installment=first, method="manual_ach"
            )
        assert not Disbursement.objects.exists()
        assert not log_entries("grants.request_disbursement").exists()


@pytest.mark.parametrize("role", ["finance", *REFUSED_ROLES])
def test_only_a_second_finance_officer_approves(funded, finance_pair, role):
    award, (first, _second) = funded
    requester, _ = finance_pair
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    actor = finance_user() if role == "finance" else person(role, award.organization)
    if role == "finance":
        services.approve_disbursement(actor=actor, disbursement=payment)
        payment.refresh_from_db()
        assert payment.status == Disbursement.Status.APPROVED
        assert payment.approved_by == actor
        assert payment.approved_at is not None
        entry = log_entries("grants.approve_disbursement", payment).get()
        assert entry.user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.approve_disbursement(actor=actor, disbursement=payment)
        payment.refresh_from_db()
        assert payment.status == Disbursement.Status.REQUESTED
        assert payment.approved_by is None
        assert not log_entries("grants.approve_disbursement").exists()


@pytest.mark.parametrize("role", ["finance", *REFUSED_ROLES])
def test_only_finance_staff_record_a_payment_sent(funded, finance_pair, role):
    award, (first, _second) = funded
    requester, approver = finance_pair
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    actor = finance_user() if role == "finance" else person(role, award.organization)
    before = ledger_rows()
    if role == "finance":
        services.mark_sent(actor=actor, disbursement=payment, reference=" Check 1042 ")
        payment.refresh_from_db()
        assert (payment.status, payment.reference) == ("sent", "Check 1042")
        assert payment.sent_at is not None
        row = LedgerEntry.objects.latest("pk")
        assert (row.account, row.kind, row.amount) == (
            "paid",
            "disbursement",
            Decimal("20000.00"),
        )
        assert (row.disbursement, row.award, row.created_by) == (payment, award, actor)
        assert log_entries("grants.mark_sent", payment).get().user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.mark_sent(actor=actor, disbursement=payment, reference="Check 1")
        payment.refresh_from_db()
        assert payment.status == Disbursement.Status.APPROVED
        assert ledger_rows() == before
        assert not log_entries("grants.mark_sent").exists()


@pytest.mark.parametrize("role", ["finance", *REFUSED_ROLES])
def test_only_finance_staff_record_a_payment_paid(funded, finance_pair, role):
    award, (first, _second) = funded
    payment = send(*finance_pair, first)
    actor = finance_user() if role == "finance" else person(role, award.organization)
    today = timezone.localdate()
    if role == "finance":
        services.mark_paid(actor=actor, disbursement=payment, paid_on=today)
        payment.refresh_from_db()
        assert (payment.status, payment.paid_on) == ("paid", today)
        assert log_entries("grants.mark_paid", payment).get().user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.mark_paid(actor=actor, disbursement=payment, paid_on=today)
        payment.refresh_from_db()
        assert payment.status == Disbursement.Status.SENT
        assert not log_entries("grants.mark_paid").exists()
    award.refresh_from_db()
    assert award.status == ("active" if role == "finance" else "accepted")


@pytest.mark.parametrize("role", ["finance", *REFUSED_ROLES])
@pytest.mark.parametrize("reversed_payment", [False, True])
def test_only_finance_staff_record_a_failure_or_reversal(
    funded, finance_pair, role, reversed_payment
):
    award, (first, _second) = funded
    payment = send(*finance_pair, first)
    actor = finance_user() if role == "finance" else person(role, award.organization)
    before = ledger_rows()
    action = (
        "grants.reversed_disbursement"
        if reversed_payment
        else ("grants.failed_disbursement")
    )
    if role == "finance":
        services.mark_failed(
            actor=actor,
            disbursement=payment,
            reason="Account closed",
            reversed_payment=reversed_payment,
        )
        payment.refresh_from_db()
        assert payment.status == ("reversed" if reversed_payment else "failed")
        assert len(ledger_rows()) == len(before) + 1
        assert log_entries(action, payment).get().user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.mark_failed(
                actor=actor,
                disbursement=payment,
                reason="Account closed",
                reversed_payment=reversed_payment,
            )
        payment.refresh_from_db()
        assert payment.status == Disbursement.Status.SENT
        assert ledger_rows() == before
        assert not log_entries(action).exists()


@pytest.mark.parametrize("role", ["finance", *REFUSED_ROLES])
def test_only_finance_staff_cancel_a_payment(funded, finance_pair, role):
    award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=finance_pair[0], installment=first, method="check"
    )
    actor = finance_user() if role == "finance" else person(role, award.organization)
    if role == "finance":
        services.cancel_disbursement(actor=actor, disbursement=payment, reason=" Typo ")
        payment.refresh_from_db()
        assert (payment.status, payment.failure_reason) == ("cancelled", "Typo")
        entry = log_entries("grants.cancel_disbursement", payment).get()
        assert entry.user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.cancel_disbursement(actor=actor, disbursement=payment, reason="x")
        payment.refresh_from_db()
        assert payment.status == Disbursement.Status.REQUESTED
        assert not log_entries("grants.cancel_disbursement").exists()


@pytest.mark.parametrize("role", ["finance", *REFUSED_ROLES])
def test_only_finance_staff_request_a_stipend_payment(funded, role):
    award, _ = funded
    stipend = stipend_for(award.funding_round)
    actor = finance_user() if role == "finance" else person(role, award.organization)
    if role == "finance":
        payment = services.request_stipend_payment(
            actor=actor, stipend=stipend, method="check"
        )
        assert (payment.stipend, payment.award, payment.amount) == (
            stipend,
            None,
            Decimal("120.00"),
        )
        stipend.refresh_from_db()
        # Asking is not approving: the stipend stays pending until a second
        # finance officer approves the payment.
        assert stipend.status == Stipend.Status.PENDING
        entry = log_entries("grants.request_stipend_payment", stipend).get()
        assert entry.user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.request_stipend_payment(
                actor=actor, stipend=stipend, method="check"
            )
        stipend.refresh_from_db()
        assert stipend.status == Stipend.Status.PENDING
        assert not Disbursement.objects.exists()
        assert not log_entries("grants.request_stipend_payment").exists()


# Requesting ---------------------------------------------------------------------------


def test_an_award_not_yet_accepted_cannot_be_paid(program_staff, finance_officer):
    award, _owner = offer(program_staff)
    (only,) = schedule(program_staff, award, "30000.00")
    with pytest.raises(ValidationError) as refused:
        services.request_disbursement(
            actor=finance_officer, installment=only, method="check"
        )
    assert refused.value.messages == ["Only an accepted award can be paid."]
    assert not Disbursement.objects.exists()
    assert not log_entries("grants.request_disbursement").exists()


def test_a_declined_award_cannot_be_paid(program_staff, finance_officer):
    award, owner = offer(program_staff)
    (only,) = schedule(program_staff, award, "30000.00")
    services.decline_award(actor=owner, award=award, reason="")
    with pytest.raises(ValidationError):
        services.request_disbursement(
            actor=finance_officer, installment=only, method="check"
        )
    assert not Disbursement.objects.exists()


@pytest.mark.parametrize("stage", ["requested", "approved", "sent", "paid"])
def test_an_installment_paid_or_on_its_way_cannot_be_requested_again(
    funded, finance_pair, stage
):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    if stage != "requested":
        services.approve_disbursement(actor=approver, disbursement=payment)
    if stage in {"sent", "paid"}:
        services.mark_sent(actor=requester, disbursement=payment, reference="Check 1")
    if stage == "paid":
        services.mark_paid(
            actor=requester, disbursement=payment, paid_on=timezone.localdate()
        )
    before = ledger_rows()
    for actor in finance_pair:
        with pytest.raises(ValidationError) as refused:
            services.request_disbursement(
                actor=actor, installment=first, method="manual_ach"
            )
        assert refused.value.code == "already_paid"
    assert Disbursement.objects.count() == 1
    assert ledger_rows() == before
    assert log_entries("grants.request_disbursement").count() == 1


def test_a_request_cannot_pay_more_than_the_award(program_staff, finance_pair):
    requester, approver = finance_pair
    award, (first, second), _ = accepted_award(
        program_staff, "40000.00", ["20000.00", "20000.00"]
    )
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("30000.00"), reason="Cut"
    )
    send(requester, approver, first)
    with pytest.raises(ValidationError) as refused:
        services.request_disbursement(
            actor=requester, installment=second, method="check"
        )
    assert refused.value.code == "over_award"
    assert refused.value.messages == [
        "This would pay more than the award. Check the schedule first."
    ]
    assert Disbursement.objects.count() == 1
    assert ledger.paid_on_award(award) == Decimal("20000.00")


def test_a_request_counts_payments_still_waiting_for_approval(
    program_staff, finance_pair
):
    requester, _ = finance_pair
    award, (first, second), _ = accepted_award(
        program_staff, "40000.00", ["20000.00", "20000.00"]
    )
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("30000.00"), reason="Cut"
    )
    services.request_disbursement(actor=requester, installment=first, method="check")
    with pytest.raises(ValidationError) as refused:
        services.request_disbursement(
            actor=requester, installment=second, method="check"
        )
    assert refused.value.code == "over_award"
    assert Disbursement.objects.count() == 1


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ("stripe", "Stripe is not set up on this site. Choose another method."),
        ("cash", "Choose how to pay."),
        ("", "Choose how to pay."),
    ],
)
def test_an_unavailable_method_is_refused_with_a_clear_message(
    funded, finance_officer, method, message
):
    _award, (first, _second) = funded
    with pytest.raises(ValidationError) as refused:
        services.request_disbursement(
            actor=finance_officer, installment=first, method=method
        )
    assert refused.value.message_dict == {"method": [message]}
    assert not Disbursement.objects.exists()


# Dual control -------------------------------------------------------------------------


def test_the_requester_can_never_approve_their_own_payment(funded, finance_pair):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    with pytest.raises(ValidationError) as refused:
        services.approve_disbursement(actor=requester, disbursement=payment)
    assert refused.value.code == "dual_control"
    payment.refresh_from_db()
    assert (payment.status, payment.approved_by) == ("requested", None)
    assert not log_entries("grants.approve_disbursement").exists()
    with pytest.raises(ValidationError):  # and the payment cannot be sent unapproved
        services.mark_sent(actor=approver, disbursement=payment, reference="Check 1")
    assert not LedgerEntry.objects.filter(account="paid").exists()


def test_the_database_refuses_a_payment_approved_by_its_requester(funded, finance_pair):
    requester, _ = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    payment.approved_by = requester
    payment.status = Disbursement.Status.APPROVED
    with pytest.raises(IntegrityError), transaction.atomic():
        payment.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=payment.pk).update(approved_by=requester)
    payment.refresh_from_db()
    assert (payment.status, payment.approved_by) == ("requested", None)


def test_a_payment_is_approved_once(funded, finance_pair):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    with pytest.raises(ValidationError) as refused:
        services.approve_disbursement(actor=finance_user(), disbursement=payment)
    assert refused.value.code == "state"
    payment.refresh_from_db()
    assert payment.approved_by == approver
    assert log_entries("grants.approve_disbursement").count() == 1


# Sent, paid, failed, reversed, cancelled ------------------------------------------------


def test_sent_then_paid_makes_the_award_active_and_the_ledger_sums_up(
    funded, finance_pair
):
    requester, approver = finance_pair
    award, (first, second) = funded
    one = pay(requester, approver, first)
    assert one.status == Disbursement.Status.PAID
    award.refresh_from_db()
    assert award.status == Award.Status.ACTIVE
    two = pay(approver, requester, second)  # roles may swap between payments
    assert two.status == Disbursement.Status.PAID
    assert ledger.paid_on_award(award) == award.amount
    figures = ledger.round_figures().get(pk=award.funding_round_id)
    assert (figures.committed, figures.paid) == (Decimal("30000.00"), award.amount)
    assert [r[1:] for r in ledger_rows()] == [
        ("committed", "commitment", Decimal("30000.00")),
        ("paid", "disbursement", Decimal("20000.00")),
        ("paid", "disbursement", Decimal("10000.00")),
    ]


def test_a_sent_payment_needs_a_reference(funded, finance_pair):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="manual_ach"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    with pytest.raises(ValidationError) as refused:
        services.mark_sent(actor=requester, disbursement=payment, reference="  ")
    assert refused.value.message_dict == {
        "reference": ["Enter the ACH trace or check number."]
    }
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.APPROVED
    assert not LedgerEntry.objects.filter(account="paid").exists()


def test_a_payment_cannot_be_paid_in_the_future_or_before_it_is_sent(
    funded, finance_pair
):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    with pytest.raises(ValidationError) as early:
        services.mark_paid(
            actor=requester, disbursement=payment, paid_on=timezone.localdate()
        )
    assert early.value.code == "state"
    services.mark_sent(actor=requester, disbursement=payment, reference="Check 9")
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    with pytest.raises(ValidationError) as future:
        services.mark_paid(actor=requester, disbursement=payment, paid_on=tomorrow)
    assert future.value.message_dict == {
        "paid_on": ["Enter a date that has already happened."]
    }
    payment.refresh_from_db()
    assert (payment.status, payment.paid_on) == ("sent", None)


@pytest.mark.parametrize(
    ("paid_first", "reversed_payment", "status"),
    [(False, False, "failed"), (False, True, "reversed"), (True, True, "reversed")],
)
def test_a_failed_or_reversed_payment_writes_a_negative_row_and_can_be_paid_again(
    funded, finance_pair, paid_first, reversed_payment, status
):
    requester, approver = finance_pair
    award, (first, _second) = funded
    payment = (pay if paid_first else send)(requester, approver, first)
    services.mark_failed(
        actor=approver,
        disbursement=payment,
        reason=" Bank returned it ",
        reversed_payment=reversed_payment,
    )
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (status, "Bank returned it")
    row = LedgerEntry.objects.latest("pk")
    assert (row.account, row.kind, row.amount, row.disbursement) == (
        "paid",
        "reversal",
        Decimal("-20000.00"),
        payment,
    )
    assert ledger.paid_on_award(award) == Decimal("0.00")

    again = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    assert again.pk != payment.pk
    assert again.status == Disbursement.Status.REQUESTED
    assert first.disbursements.count() == 2


def test_a_paid_payment_cannot_be_marked_failed_only_reversed(funded, finance_pair):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = pay(requester, approver, first)
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        services.mark_failed(actor=requester, disbursement=payment, reason="Bounced")
    assert refused.value.code == "state"
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.PAID
    assert ledger_rows() == before


@pytest.mark.parametrize("reversed_payment", [False, True])
def test_a_payment_not_yet_sent_cannot_fail_or_be_reversed(
    funded, finance_pair, reversed_payment
):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    with pytest.raises(ValidationError):
        services.mark_failed(
            actor=requester,
            disbursement=payment,
            reason="x",
            reversed_payment=reversed_payment,
        )
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.APPROVED
    assert len(ledger_rows()) == 1


def test_a_failed_payment_fails_once(funded, finance_pair):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = send(requester, approver, first)
    services.mark_failed(actor=requester, disbursement=payment, reason="Bounced")
    for reversed_payment in (False, True):
        with pytest.raises(ValidationError):
            services.mark_failed(
                actor=requester,
                disbursement=payment,
                reason="Again",
                reversed_payment=reversed_payment,
            )
    assert LedgerEntry.objects.filter(kind="reversal").count() == 1


def test_cancelling_frees_the_installment_and_writes_no_money(funded, finance_pair):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    services.cancel_disbursement(actor=approver, disbursement=payment, reason="Hold")
    assert len(ledger_rows()) == 1
    again = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    assert again.status == Disbursement.Status.REQUESTED


def test_a_sent_payment_cannot_be_cancelled(funded, finance_pair):
    requester, approver = finance_pair
    _award, (first, _second) = funded
    payment = send(requester, approver, first)
    with pytest.raises(ValidationError) as refused:
        services.cancel_disbursement(actor=requester, disbursement=payment, reason="x")
    assert refused.value.code == "state"
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.SENT
    assert not log_entries("grants.cancel_disbursement").exists()


# Stipends -----------------------------------------------------------------------------


def test_a_stipend_is_paid_through_the_same_flow_into_the_stipends_account(
    funded, finance_pair
):
    requester, approver = finance_pair
    award, _ = funded
    stipend = stipend_for(award.funding_round, "120.00")
    payment = services.request_stipend_payment(
        actor=requester, stipend=stipend, method="prepaid_card"
    )
    with pytest.raises(ValidationError) as refused:
        services.approve_disbursement(actor=requester, disbursement=payment)
    assert refused.value.code == "dual_control"
    services.approve_disbursement(actor=approver, disbursement=payment)
    services.mark_sent(actor=requester, disbursement=payment, reference="Card 77")
    row = LedgerEntry.objects.latest("pk")
    assert (row.account, row.kind, row.amount, row.award) == (
        "stipends",
        "disbursement",
        Decimal("120.00"),
        None,
    )
    services.mark_paid(
        actor=requester, disbursement=payment, paid_on=timezone.localdate()
    )
    stipend.refresh_from_db()
    assert stipend.status == Stipend.Status.PAID
    # The round's grant figures do not move: stipends are kept apart.
    figures = ledger.round_figures().get(pk=award.funding_round_id)
    assert (figures.committed, figures.paid) == (Decimal("30000.00"), Decimal("0.00"))
    with pytest.raises(ValidationError) as again:
        services.request_stipend_payment(
            actor=requester, stipend=stipend, method="check"
        )
    assert again.value.code == "already_paid"
    assert Disbursement.objects.count() == 1
    assert log_entries("grants.mark_paid", payment).count() == 1


def test_a_stipend_is_not_paid_by_bank_transfer_or_twice_at_once(funded, finance_pair):
    requester, _ = finance_pair
    award, _ = funded
    stipend = stipend_for(award.funding_round)
    with pytest.raises(ValidationError) as refused:
        services.request_stipend_payment(
            actor=requester, stipend=stipend, method="manual_ach"
        )
    assert refused.value.message_dict == {
        "method": ["Pay stipends by check, card or Stripe."]
    }
    services.request_stipend_payment(actor=requester, stipend=stipend, method="check")
    with pytest.raises(ValidationError) as twice:
        services.request_stipend_payment(
            actor=requester, stipend=stipend, method="check"
        )
    assert twice.value.code == "already_paid"
    assert Disbursement.objects.count() == 1


def test_a_failed_stipend_payment_is_reversed_in_the_stipends_account(
    funded, finance_pair
):
    requester, approver = finance_pair
    award, _ = funded
    stipend = stipend_for(award.funding_round)
    payment = services.request_stipend_payment(
        actor=requester, stipend=stipend, method="check"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    services.mark_sent(actor=requester, disbursement=payment, reference="Check 5")
    services.mark_failed(actor=approver, disbursement=payment, reason="Lost")
    assert [r[1:] for r in ledger_rows() if r[1] == "stipends"] == [
        ("stipends", "disbursement", Decimal("120.00")),
        ("stipends", "reversal", Decimal("-120.00")),
    ]
    stipend.refresh_from_db()
    assert stipend.status != Stipend.Status.PAID
    again = services.request_stipend_payment(
        actor=requester, stipend=stipend, method="check"
    )
    assert again.status == Disbursement.Status.REQUESTED
