"""Award services: who may offer, answer, amend, rescind and schedule an award; which
amounts are refused; and what each one writes to the ledger and the audit log."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from applications.forms import MoneyField
from grants import ledger, services
from grants.models import Award, Disbursement, Installment, LedgerEntry
from portal import roles
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.grants.money_helpers import (
    ENDS,
    STARTS,
    SUMMARY,
    TITLE,
    accepted_award,
    finance_user,
    ledger_rows,
    log_entries,
    make_round,
    offer,
    schedule,
    send,
)

pytestmark = pytest.mark.django_db

ROLES = ["program", "finance", "applicant", "panelist", "comms", "owner", "editor"]


def person(role, organization):
    """Someone holding ``role``; owners and editors belong to ``organization``."""
    if role == "program":
        return UserFactory(roles=[roles.PROGRAM_STAFF], is_staff=True)
    if role == "finance":
        return UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True)
    if role == "comms":
        return UserFactory(roles=[roles.COMMUNICATIONS_STAFF], is_staff=True)
    if role == "applicant":
        return UserFactory(roles=[roles.APPLICANTS])
    if role == "panelist":
        return UserFactory(roles=[roles.PANELISTS])
    membership = MembershipFactory(organization=organization, role=role)
    membership.user.groups.add(
        *roles_groups([roles.APPLICANTS])
    )  # grantees are applicants too
    return membership.user


def roles_groups(names):
    from django.contrib.auth.models import Group

    return Group.objects.filter(name__in=names)


@pytest.fixture
def finance_pair(db):
    return finance_user(), finance_user()


# Permissions: the allowed role succeeds, every other role is refused -----------------


@pytest.mark.parametrize("role", ROLES)
def test_only_program_staff_offer_awards(role):
    organization = OrganizationFactory()
    funding_round = make_round()
    actor = person(role, organization)

    def attempt():
        return services.create_award(
            actor=actor,
            organization=organization,
            funding_round=funding_round,
            amount=Decimal("25000.00"),
            public_title=TITLE,
            public_summary=SUMMARY,
            starts_on=STARTS,
            ends_on=ENDS,
        )

    if role == "program":
        award = attempt()
        assert award.status == Award.Status.OFFERED
        assert award.created_by == actor
        assert ledger_rows() == [
            (LedgerEntry.objects.get().pk, "committed", "commitment", award.amount)
        ]
        entry = log_entries("grants.create_award", award).get()
        assert entry.user_id == actor.pk
        assert entry.data == {"amount": "25000.00"}
    else:
        with pytest.raises(PermissionDenied):
            attempt()
        assert not Award.objects.exists()
        assert not LedgerEntry.objects.exists()
        assert not log_entries("grants.create_award").exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_an_owner_of_the_organization_accepts_an_award(program_staff, role):
    award, _owner = offer(program_staff)
    actor = person(role, award.organization)
    if role == "owner":
        services.accept_award(actor=actor, award=award, signer_name=" Amina Yusuf ")
        award.refresh_from_db()
        assert award.status == Award.Status.ACCEPTED
        assert award.signer_name == "Amina Yusuf"
        assert award.accepted_by == actor
        assert award.accepted_at is not None
        assert "$30,000.00" in award.agreement_text
        assert log_entries("grants.accept_award", award).get().user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.accept_award(actor=actor, award=award, signer_name="Someone")
        award.refresh_from_db()
        assert award.status == Award.Status.OFFERED
        assert award.accepted_by is None
        assert award.agreement_text == ""
        assert not log_entries("grants.accept_award").exists()


def test_an_owner_of_another_organization_cannot_accept(program_staff):
    award, _owner = offer(program_staff)
    _other_award, other_owner = offer(program_staff, funding_round=award.funding_round)
    with pytest.raises(PermissionDenied):
        services.accept_award(actor=other_owner, award=award, signer_name="Someone")
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED


@pytest.mark.parametrize("role", ROLES)
def test_only_an_owner_declines_and_declining_releases_the_whole_award(
    program_staff, role
):
    award, _owner = offer(program_staff)
    actor = person(role, award.organization)
    if role == "owner":
        services.decline_award(actor=actor, award=award, reason=" Too small a team ")
        award.refresh_from_db()
        assert award.status == Award.Status.DECLINED
        assert award.ended_reason == "Too small a team"
        assert award.ended_at is not None
        assert [r[1:] for r in ledger_rows()] == [
            ("committed", "commitment", Decimal("30000.00")),
            ("committed", "release", Decimal("-30000.00")),
        ]
        assert ledger.committed_in_round(award.funding_round) == Decimal("0.00")
        assert log_entries("grants.decline_award", award).get().user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.decline_award(actor=actor, award=award, reason="No")
        award.refresh_from_db()
        assert award.status == Award.Status.OFFERED
        assert len(ledger_rows()) == 1
        assert not log_entries("grants.decline_award").exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_program_staff_amend_awards(program_staff, role):
    award, _owner = offer(program_staff)
    actor = person(role, award.organization)
    if role == "program":
        services.amend_award(
            actor=actor, award=award, amount=Decimal("35000.00"), reason="More sites"
        )
        award.refresh_from_db()
        assert award.amount == Decimal("35000.00")
        assert ledger_rows()[-1][1:] == ("committed", "adjustment", Decimal("5000.00"))
        entry = log_entries("grants.amend_award", award).get()
        assert entry.user_id == actor.pk
        assert entry.data == {"amount": "35000.00", "difference": "5000.00"}
    else:
        with pytest.raises(PermissionDenied):
            services.amend_award(
                actor=actor, award=award, amount=Decimal("35000.00"), reason="More"
            )
        award.refresh_from_db()
        assert award.amount == Decimal("30000.00")
        assert len(ledger_rows()) == 1
        assert not log_entries("grants.amend_award").exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_program_staff_rescind_awards(program_staff, role):
    award, _owner = offer(program_staff)
    actor = person(role, award.organization)
    if role == "program":
        services.rescind_award(actor=actor, award=award, reason=" Organization closed ")
        award.refresh_from_db()
        assert award.status == Award.Status.RESCINDED
        assert award.ended_reason == "Organization closed"
        assert ledger.committed_in_round(award.funding_round) == Decimal("0.00")
        assert log_entries("grants.rescind_award", award).get().user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            services.rescind_award(actor=actor, award=award, reason="Closed")
        award.refresh_from_db()
        assert award.status == Award.Status.OFFERED
        assert len(ledger_rows()) == 1
        assert not log_entries("grants.rescind_award").exists()


@pytest.mark.parametrize("role", ROLES)
def test_only_program_staff_set_payment_schedules(program_staff, role):
    award, _owner = offer(program_staff)
    actor = person(role, award.organization)
    if role == "program":
        first, second = schedule(actor, award, "20000.00", "10000.00")
        assert (first.number, first.amount) == (1, Decimal("20000.00"))
        assert (second.number, second.amount) == (2, Decimal("10000.00"))
        assert log_entries("grants.set_schedule", award).get().user_id == actor.pk
    else:
        with pytest.raises(PermissionDenied):
            schedule(actor, award, "20000.00", "10000.00")
        assert not Installment.objects.exists()
        assert not log_entries("grants.set_schedule").exists()


# Amounts ----------------------------------------------------------------------------

DOLLARS = "Enter an amount in dollars, like 1500.00."
BAD_AMOUNTS = [
    (Decimal("0"), "Enter an amount above zero."),
    (Decimal("-1"), "Enter an amount above zero."),
    (Decimal("-0.00"), "Enter an amount above zero."),
    (Decimal("NaN"), DOLLARS),
    (Decimal("sNaN"), DOLLARS),
    (Decimal("Infinity"), DOLLARS),
    (Decimal("1e309"), "Enter an amount below $10,000,000,000."),
    (Decimal("10.001"), "Enter dollars and cents only."),
    # What an admin form hands over before it is cleaned: never money to a service.
    ("1,000", DOLLARS),
    ("1000.00", DOLLARS),
    (1000.0, DOLLARS),
    (float("nan"), DOLLARS),
    (None, DOLLARS),
]


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS, ids=repr)
def test_check_amount_refuses_with_a_clear_message(value, message):
    with pytest.raises(ValidationError) as refused:
        services.check_amount(value)
    assert refused.value.message_dict == {"amount": [message]}


@pytest.mark.parametrize(
    "value", [Decimal("0.01"), Decimal("10.5"), Decimal("9999999999.99")]
)
def test_check_amount_accepts_dollars_and_cents(value):
    assert services.check_amount(value) == value


@pytest.mark.parametrize("value", ["1,000", "$1,000.00", "NaN", "1e309", "10.001"])
def test_the_money_form_field_refuses_what_people_type(value):
    # The only money form field lives in applications; grants services take Decimals.
    with pytest.raises(ValidationError) as refused:
        MoneyField().clean(value)
    assert refused.value.messages[0].startswith("Enter")


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS, ids=repr)
def test_an_award_with_a_bad_amount_is_refused_and_nothing_is_written(
    program_staff, value, message
):
    organization = OrganizationFactory()
    with pytest.raises(ValidationError) as refused:
        services.create_award(
            actor=program_staff,
            organization=organization,
            funding_round=make_round(),
            amount=value,
            public_title=TITLE,
            public_summary=SUMMARY,
            starts_on=STARTS,
            ends_on=ENDS,
        )
    assert refused.value.message_dict == {"amount": [message]}
    assert not Award.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not log_entries("grants.create_award").exists()


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS, ids=repr)
def test_an_amendment_with_a_bad_amount_is_refused_and_nothing_is_written(
    program_staff, value, message
):
    award, _owner = offer(program_staff)
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        services.amend_award(actor=program_staff, award=award, amount=value, reason="x")
    assert refused.value.message_dict == {"amount": [message]}
    award.refresh_from_db()
    assert award.amount == Decimal("30000.00")
    assert ledger_rows() == before
    assert not log_entries("grants.amend_award").exists()


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS, ids=repr)
def test_a_schedule_with_a_bad_amount_is_refused_and_nothing_is_written(
    program_staff, value, message
):
    award, _owner = offer(program_staff)
    with pytest.raises(ValidationError) as refused:
        services.set_schedule(
            actor=program_staff,
            award=award,
            installments=[
                {"due_on": date(2027, 1, 15), "amount": Decimal("30000.00")},
                {"due_on": date(2027, 2, 15), "amount": value},
            ],
        )
    assert refused.value.message_dict == {"amount": [message]}
    assert not Installment.objects.exists()
    assert not log_entries("grants.set_schedule").exists()


# The round: smallest and largest award, budget ----------------------------------------


def test_an_award_may_be_exactly_the_smallest_or_largest_of_the_round(program_staff):
    funding_round = make_round()
    smallest, _ = offer(program_staff, "1000.00", funding_round)
    largest, _ = offer(program_staff, "60000.00", funding_round)
    assert (smallest.amount, largest.amount) == (
        Decimal("1000.00"),
        Decimal("60000.00"),
    )
    assert ledger.committed_in_round(funding_round) == Decimal("61000.00")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("999.99", "This is less than the round's smallest award."),
        ("60000.01", "This is more than the round's largest award."),
    ],
)
def test_an_award_outside_the_rounds_range_is_refused(program_staff, amount, message):
    with pytest.raises(ValidationError) as refused:
        offer(program_staff, amount)
    assert refused.value.message_dict == {"amount": [message]}
    assert not Award.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_awards_fill_the_budget_to_the_cent_and_not_one_cent_more(program_staff):
    funding_round = make_round(budget=Decimal("100000.00"))
    offer(program_staff, "60000.00", funding_round)
    offer(program_staff, "39999.99", funding_round)
    with pytest.raises(ValidationError) as refused:
        offer(program_staff, "1000.00", funding_round)
    assert refused.value.message_dict == {
        "amount": ["This would go over the round's budget. $0.01 is left to award."]
    }
    offer(program_staff, "1000.00", make_round())  # another round has its own budget
    assert funding_round.awards.count() == 2
    assert ledger.committed_in_round(funding_round) == Decimal("99999.99")


def test_an_over_budget_refusal_carries_its_code_for_callers(program_staff):
    # Views and the concurrency tests tell "over budget" from other refusals by its
    # code; ValidationError drops a code given next to a dict of messages.
    funding_round = make_round(budget=Decimal("50000.00"))
    offer(program_staff, "40000.00", funding_round)
    with pytest.raises(ValidationError) as refused:
        offer(program_staff, "20000.00", funding_round)
    assert [e.code for e in refused.value.error_dict["amount"]] == ["over_budget"]
    assert funding_round.awards.count() == 1


def test_a_declined_or_rescinded_award_gives_its_money_back_to_the_round(
    program_staff,
):
    funding_round = make_round(budget=Decimal("100000.00"))
    declined, owner = offer(program_staff, "60000.00", funding_round)
    rescinded, _ = offer(program_staff, "40000.00", funding_round)
    services.decline_award(actor=owner, award=declined, reason="")
    services.rescind_award(actor=program_staff, award=rescinded, reason="Closed")
    assert ledger.committed_in_round(funding_round) == Decimal("0.00")
    again, _ = offer(program_staff, "60000.00", funding_round)
    also, _ = offer(program_staff, "40000.00", funding_round)
    assert ledger.committed_in_round(funding_round) == Decimal("100000.00")
    assert {again.status, also.status} == {Award.Status.OFFERED}


# Accepting and declining ----------------------------------------------------------------


def test_an_award_is_answered_only_once(program_staff):
    award, owner = offer(program_staff)
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    with pytest.raises(ValidationError):
        services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    with pytest.raises(ValidationError):
        services.decline_award(actor=owner, award=award, reason="Changed our mind")
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED
    assert len(ledger_rows()) == 1
    assert log_entries("grants.accept_award").count() == 1
    assert not log_entries("grants.decline_award").exists()


def test_accepting_needs_a_named_signer(program_staff):
    award, owner = offer(program_staff)
    with pytest.raises(ValidationError) as refused:
        services.accept_award(actor=owner, award=award, signer_name="   ")
    assert refused.value.message_dict == {
        "signer_name": ["Type your full name to sign."]
    }
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert not log_entries("grants.accept_award").exists()


# Amending ---------------------------------------------------------------------------


def test_amending_up_and_down_writes_adjustment_rows_that_sum_to_the_amount(
    program_staff,
):
    award, _owner = offer(program_staff)
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("45000.00"), reason="Up"
    )
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("12000.50"), reason="Down"
    )
    award.refresh_from_db()
    assert award.amount == Decimal("12000.50")
    assert [r[1:] for r in ledger_rows()] == [
        ("committed", "commitment", Decimal("30000.00")),
        ("committed", "adjustment", Decimal("15000.00")),
        ("committed", "adjustment", Decimal("-32999.50")),
    ]
    assert ledger.committed_to_award(award) == award.amount
    assert ledger.committed_in_round(award.funding_round) == award.amount
    assert log_entries("grants.amend_award", award).count() == 2


def test_amending_to_the_same_amount_writes_nothing(program_staff):
    award, _owner = offer(program_staff)
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("30000.00"), reason="Same"
    )
    assert len(ledger_rows()) == 1
    assert not log_entries("grants.amend_award").exists()


def test_an_amendment_needs_a_reason(program_staff):
    award, _owner = offer(program_staff)
    with pytest.raises(ValidationError) as refused:
        services.amend_award(
            actor=program_staff, award=award, amount=Decimal("35000.00"), reason=" "
        )
    assert "reason" in refused.value.message_dict
    award.refresh_from_db()
    assert award.amount == Decimal("30000.00")
    assert len(ledger_rows()) == 1


def test_an_award_cannot_be_amended_below_what_is_paid_or_on_its_way(
    program_staff, finance_pair
):
    requester, approver = finance_pair
    award, (first, second, third), _ = accepted_award(
        program_staff, "30000.00", ["10000.00", "10000.00", "10000.00"]
    )
    send(requester, approver, first)  # 10,000 has left
    services.request_disbursement(
        actor=requester, installment=second, method="check"
    )  # 10,000 on its way
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        services.amend_award(
            actor=program_staff, award=award, amount=Decimal("19999.99"), reason="Cut"
        )
    assert refused.value.message_dict == {
        "amount": ["The award cannot be less than what is paid or on its way."]
    }
    assert ledger_rows() == before
    award.refresh_from_db()
    assert award.amount == Decimal("30000.00")

    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("20000.00"), reason="Cut"
    )
    award.refresh_from_db()
    assert award.amount == Decimal("20000.00")
    assert ledger.committed_to_award(award) == Decimal("20000.00")
    # The schedule no longer fits, so the third installment cannot be paid.
    with pytest.raises(ValidationError) as over:
        services.request_disbursement(
            actor=requester, installment=third, method="check"
        )
    assert over.value.code == "over_award"


def test_amending_up_cannot_pass_the_rounds_budget(program_staff):
    funding_round = make_round(budget=Decimal("100000.00"))
    award, _ = offer(program_staff, "50000.00", funding_round)
    offer(program_staff, "45000.00", funding_round)
    before = ledger_rows()
    with pytest.raises(ValidationError) as refused:
        services.amend_award(
            actor=program_staff, award=award, amount=Decimal("55000.01"), reason="Up"
        )
    assert "$5,000.00 is left" in refused.value.message_dict["amount"][0]
    assert ledger_rows() == before
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("55000.00"), reason="Up"
    )
    assert ledger.committed_in_round(funding_round) == Decimal("100000.00")


def test_amending_outside_the_rounds_range_is_refused(program_staff):
    award, _ = offer(program_staff)
    for amount in ("60000.01", "999.99"):
        with pytest.raises(ValidationError):
            services.amend_award(
                actor=program_staff, award=award, amount=Decimal(amount), reason="x"
            )
    award.refresh_from_db()
    assert award.amount == Decimal("30000.00")
    assert len(ledger_rows()) == 1


def test_an_ended_award_cannot_be_amended_rescinded_or_scheduled(program_staff):
    award, owner = offer(program_staff)
    services.decline_award(actor=owner, award=award, reason="")
    before = ledger_rows()
    with pytest.raises(ValidationError):
        services.amend_award(
            actor=program_staff, award=award, amount=Decimal("20000.00"), reason="x"
        )
    with pytest.raises(ValidationError):
        services.rescind_award(actor=program_staff, award=award, reason="x")
    with pytest.raises(ValidationError):
        schedule(program_staff, award, "30000.00")
    assert ledger_rows() == before
    award.refresh_from_db()
    assert award.status == Award.Status.DECLINED
    assert not award.installments.exists()


# Rescinding -------------------------------------------------------------------------


def test_rescinding_cancels_unsent_payments_and_releases_only_the_unpaid_part(
    program_staff, finance_pair
):
    requester, approver = finance_pair
    award, (first, second, third), _ = accepted_award(
        program_staff, "30000.00", ["10000.00", "10000.00", "10000.00"]
    )
    sent = send(requester, approver, first)
    approved = services.request_disbursement(
        actor=requester, installment=second, method="check"
    )
    services.approve_disbursement(actor=approver, disbursement=approved)
    requested = services.request_disbursement(
        actor=requester, installment=third, method="check"
    )

    services.rescind_award(actor=program_staff, award=award, reason="Misused funds")

    statuses = dict(Disbursement.objects.values_list("pk", "status"))
    assert statuses == {
        sent.pk: Disbursement.Status.SENT,
        approved.pk: Disbursement.Status.CANCELLED,
        requested.pk: Disbursement.Status.CANCELLED,
    }
    assert [r[1:] for r in ledger_rows()][-1] == (
        "committed",
        "release",
        Decimal("-20000.00"),
    )
    assert ledger.committed_to_award(award) == Decimal("10000.00")
    assert ledger.paid_on_award(award) == Decimal("10000.00")
    assert ledger.committed_in_round(award.funding_round) == Decimal("10000.00")
    award.refresh_from_db()
    assert award.status == Award.Status.RESCINDED
    assert log_entries("grants.rescind_award", award).count() == 1
    with pytest.raises(ValidationError):
        services.request_disbursement(
            actor=requester, installment=second, method="check"
        )
    with pytest.raises(ValidationError):
        services.rescind_award(actor=program_staff, award=award, reason="Again")
    assert Disbursement.objects.count() == 3


def test_rescinding_a_fully_paid_award_releases_nothing(program_staff, finance_pair):
    requester, approver = finance_pair
    award, (only,), _ = accepted_award(program_staff, "30000.00")
    send(requester, approver, only)
    services.rescind_award(actor=program_staff, award=award, reason="Ended early")
    assert [r[2] for r in ledger_rows()] == ["commitment", "disbursement"]
    assert ledger.committed_in_round(award.funding_round) == Decimal("30000.00")


def test_rescinding_needs_a_reason(program_staff):
    award, _ = offer(program_staff)
    with pytest.raises(ValidationError) as refused:
        services.rescind_award(actor=program_staff, award=award, reason="")
    assert "reason" in refused.value.message_dict
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert len(ledger_rows()) == 1


# Payment schedules ------------------------------------------------------------------


@pytest.mark.parametrize("parts", [["20000.00", "9999.99"], ["20000.00", "10000.01"]])
def test_a_schedule_must_add_up_to_the_award_exactly(program_staff, parts):
    award, _ = offer(program_staff)
    with pytest.raises(ValidationError) as refused:
        schedule(program_staff, award, *parts)
    assert refused.value.code == "sum"
    assert "but the award is $30,000.00" in refused.value.messages[0]
    assert not Installment.objects.exists()
    assert not log_entries("grants.set_schedule").exists()


def test_a_new_schedule_replaces_unpaid_installments_in_due_date_order(program_staff):
    award, _ = offer(program_staff)
    old = schedule(program_staff, award, "15000.00", "15000.00")
    new = services.set_schedule(
        actor=program_staff,
        award=award,
        installments=[
            {"due_on": date(2027, 9, 1), "amount": Decimal("5000.00")},
            {
                "due_on": date(2027, 3, 1),
                "amount": Decimal("25000.00"),
                "condition": " Report ",
            },
        ],
    )
    assert not Installment.objects.filter(pk__in=[i.pk for i in old]).exists()
    assert [(i.number, i.amount, i.condition) for i in new] == [
        (1, Decimal("25000.00"), "Report"),
        (2, Decimal("5000.00"), ""),
    ]
    assert log_entries("grants.set_schedule", award).count() == 2


def test_a_new_schedule_keeps_installments_that_had_a_payment_attempt(
    program_staff, finance_pair
):
    requester, approver = finance_pair
    award, (paid, cancelled, untouched), _ = accepted_award(
        program_staff, "30000.00", ["10000.00", "10000.00", "10000.00"]
    )
    send(requester, approver, paid)
    attempt = services.request_disbursement(
        actor=requester, installment=cancelled, method="check"
    )
    services.cancel_disbursement(actor=requester, disbursement=attempt, reason="Typo")

    # The kept two count towards the sum: 20,000 + 10,000 again is refused.
    with pytest.raises(ValidationError):
        schedule(program_staff, award, "20000.00")
    kept_and_new = schedule(program_staff, award, "4000.00", "6000.00")

    assert [i.pk for i in kept_and_new[:2]] == [paid.pk, cancelled.pk]
    assert [(i.number, i.amount) for i in kept_and_new] == [
        (1, Decimal("10000.00")),
        (2, Decimal("10000.00")),
        (3, Decimal("4000.00")),
        (4, Decimal("6000.00")),
    ]
    assert not Installment.objects.filter(pk=untouched.pk).exists()
    assert sum(i.amount for i in award.installments.all()) == award.amount


# Amounts with cents all the way through the ledger's sums -------------------------------


@pytest.mark.parametrize("amount", ["1000.01", "30000.10", "59999.99"])
def test_an_award_with_cents_can_be_declined_and_its_release_is_exact(
    program_staff, amount
):
    award, owner = offer(program_staff, amount)
    services.decline_award(actor=owner, award=award, reason="")
    award.refresh_from_db()
    assert award.status == Award.Status.DECLINED
    assert [r[3] for r in ledger_rows()] == [Decimal(amount), -Decimal(amount)]
    assert ledger.committed_in_round(award.funding_round) == Decimal("0.00")


@pytest.mark.parametrize("amount", ["1000.01", "30000.10"])
def test_an_award_with_cents_can_be_rescinded(program_staff, amount):
    award, _owner = offer(program_staff, amount)
    services.rescind_award(actor=program_staff, award=award, reason="Closed")
    award.refresh_from_db()
    assert award.status == Award.Status.RESCINDED
    assert [r[3] for r in ledger_rows()] == [Decimal(amount), -Decimal(amount)]


def test_ledger_sums_are_exact_dollars_and_cents(program_staff):
    award, _owner = offer(program_staff, "1000.01")
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("1000.03"), reason="Up"
    )
    committed = ledger.committed_to_award(award)
    assert committed == Decimal("1000.03")
    assert committed.as_tuple().exponent == -2  # no float digits from the database
