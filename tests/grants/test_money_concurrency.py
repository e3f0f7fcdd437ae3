"""Money services racing each other on PostgreSQL: row locks keep each installment
paid once, each award within its amount and each round within its budget.

Every call runs in its own thread on its own connection; a barrier releases them
together. SQLite takes a database-wide lock at BEGIN, so only PostgreSQL shows races.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from grants import ledger, services
from grants.models import Award, Disbursement, FundingRound, Installment
from tests.factories import MembershipFactory
from tests.grants.money_helpers import (
    ENDS,
    STARTS,
    SUMMARY,
    TITLE,
    ensure_money_roles,
    finance_user,
    make_round,
    offer,
    program_user,
    schedule,
)
from tests.helpers import run_at_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def staff(db):
    """Program staff and two finance officers, with role grants restored after any
    earlier transactional test flushed them."""
    ensure_money_roles()
    return program_user(), finance_user(), finance_user()


def accepted(program_staff, amount, parts, funding_round=None):
    award, owner = offer(program_staff, amount, funding_round)
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    installments = schedule(program_staff, award, *parts)
    return award, installments


def owed(award) -> Decimal:
    return ledger.paid_on_award(award) + ledger.in_flight_on_award(award)


def request_call(actor, installment_pk, method="manual_ach"):
    return (
        lambda: (Installment.objects.get(pk=installment_pk),),
        lambda installment: services.request_disbursement(
            actor=actor, installment=installment, method=method
        ),
    )


def test_two_requests_paying_the_same_installment_make_one_payment(staff):
    program_staff, first_officer, second_officer = staff
    award, (first, _second) = accepted(
        program_staff, "30000.00", ["20000.00", "10000.00"]
    )

    outcomes = run_at_once(
        [request_call(first_officer, first.pk), request_call(second_officer, first.pk)]
    )

    made = [o for o in outcomes if isinstance(o, Disbursement)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(made) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].code == "already_paid"
    assert first.disbursements.get().pk == made[0].pk
    assert owed(award) == Decimal("20000.00")


def test_two_installments_that_together_pass_the_award_are_not_both_paid(staff):
    program_staff, first_officer, second_officer = staff
    award, (first, second) = accepted(
        program_staff, "40000.00", ["20000.00", "20000.00"]
    )
    # Amended down with nothing paid yet: the schedule now adds up to more.
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("30000.00"), reason="Cut"
    )

    outcomes = run_at_once(
        [request_call(first_officer, first.pk), request_call(second_officer, second.pk)]
    )

    made = [o for o in outcomes if isinstance(o, Disbursement)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(made) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].code == "over_award"
    award.refresh_from_db()
    assert owed(award) == Decimal("20000.00") <= award.amount
    assert Disbursement.objects.filter(award=award).count() == 1


def test_an_amendment_down_racing_a_request_never_leaves_more_owed_than_the_award(
    staff,
):
    program_staff, officer, _ = staff
    award, (first, _second) = accepted(
        program_staff, "30000.00", ["20000.00", "10000.00"]
    )

    outcomes = run_at_once(
        [
            request_call(officer, first.pk),
            (
                lambda: (Award.objects.get(pk=award.pk),),
                lambda fresh: services.amend_award(
                    actor=program_staff,
                    award=fresh,
                    amount=Decimal("15000.00"),
                    reason="Smaller project",
                ),
            ),
        ]
    )

    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    award.refresh_from_db()
    assert owed(award) <= award.amount
    assert ledger.committed_to_award(award) == award.amount
    if isinstance(outcomes[0], Disbursement):  # the request won: amendment refused
        assert award.amount == Decimal("30000.00")
    else:  # the amendment won: the request would pay more than the award
        assert outcomes[0].code == "over_award"
        assert award.amount == Decimal("15000.00")
        assert not Disbursement.objects.exists()


def test_a_rescind_racing_a_request_leaves_no_payment_on_its_way(staff):
    program_staff, officer, _ = staff
    award, (first, _second) = accepted(
        program_staff, "30000.00", ["20000.00", "10000.00"]
    )

    outcomes = run_at_once(
        [
            request_call(officer, first.pk),
            (
                lambda: (Award.objects.get(pk=award.pk),),
                lambda fresh: services.rescind_award(
                    actor=program_staff, award=fresh, reason="Organization closed"
                ),
            ),
        ]
    )

    assert isinstance(outcomes[1], Award), outcomes
    award.refresh_from_db()
    assert award.status == Award.Status.RESCINDED
    assert ledger.in_flight_on_award(award) == Decimal("0.00")
    assert ledger.committed_to_award(award) == ledger.paid_on_award(award)
    assert ledger.committed_in_round(award.funding_round) == Decimal("0.00")
    assert not Disbursement.objects.exclude(status="cancelled").exists()


def test_awards_decided_at_once_never_pass_the_rounds_budget(staff):
    program_staff, _, _ = staff
    funding_round = make_round(budget=Decimal("100000.00"))
    organizations = [MembershipFactory(role="owner").organization for _ in range(4)]

    def create_call(organization):
        return (
            lambda: (FundingRound.objects.get(pk=funding_round.pk),),
            lambda fresh: services.create_award(
                actor=program_staff,
                organization=organization,
                funding_round=fresh,
                amount=Decimal("30000.00"),
                public_title=TITLE,
                public_summary=SUMMARY,
                starts_on=STARTS,
                ends_on=ENDS,
            ),
        )

    outcomes = run_at_once([create_call(o) for o in organizations])

    made = [o for o in outcomes if isinstance(o, Award)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(made), len(refused)) == (3, 1), outcomes
    assert "over the round's budget" in refused[0].messages[0]
    assert funding_round.awards.count() == 3
    assert ledger.committed_in_round(funding_round) == Decimal("90000.00")


def test_amendments_up_at_once_never_pass_the_rounds_budget(staff):
    program_staff, _, _ = staff
    funding_round = make_round(budget=Decimal("100000.00"))
    first, _ = offer(program_staff, "40000.00", funding_round)
    second, _ = offer(program_staff, "40000.00", funding_round)

    def amend_call(award):
        return (
            lambda: (Award.objects.get(pk=award.pk),),
            lambda fresh: services.amend_award(
                actor=program_staff,
                award=fresh,
                amount=Decimal("55000.00"),
                reason="More sites",
            ),
        )

    outcomes = run_at_once([amend_call(first), amend_call(second)])

    assert sum(isinstance(o, Award) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    assert ledger.committed_in_round(funding_round) == Decimal("95000.00")
    assert sorted(funding_round.awards.values_list("amount", flat=True)) == [
        Decimal("40000.00"),
        Decimal("55000.00"),
    ]


def test_two_officers_approving_at_once_approve_once(staff):
    program_staff, requester, _ = staff
    _award, (first, _second) = accepted(
        program_staff, "30000.00", ["20000.00", "10000.00"]
    )
    payment = services.request_disbursement(
        actor=requester, installment=first, method="check"
    )
    approvers = [finance_user(), finance_user()]

    outcomes = run_at_once(
        [
            (
                lambda: (Disbursement.objects.get(pk=payment.pk),),
                lambda fresh, actor=actor: services.approve_disbursement(
                    actor=actor, disbursement=fresh
                ),
            )
            for actor in approvers
        ]
    )

    assert sum(isinstance(o, Disbursement) for o in outcomes) == 1, outcomes
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert [r.code for r in refused] == ["state"]
    payment.refresh_from_db()
    assert payment.status == Disbursement.Status.APPROVED
    assert payment.approved_by in approvers


def test_a_rescind_racing_an_amendment_ends_with_a_consistent_ledger(staff):
    program_staff, _, _ = staff
    award, owner = offer(program_staff, "30000.00")
    services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")

    outcomes = run_at_once(
        [
            (
                lambda: (Award.objects.get(pk=award.pk),),
                lambda fresh: services.rescind_award(
                    actor=program_staff, award=fresh, reason="Organization closed"
                ),
            ),
            (
                lambda: (Award.objects.get(pk=award.pk),),
                lambda fresh: services.amend_award(
                    actor=program_staff,
                    award=fresh,
                    amount=Decimal("20000.00"),
                    reason="Smaller project",
                ),
            ),
        ]
    )

    assert isinstance(outcomes[0], Award), outcomes  # rescinding always succeeds
    assert isinstance(outcomes[1], Award | ValidationError), outcomes
    award.refresh_from_db()
    assert award.status == Award.Status.RESCINDED
    assert ledger.committed_in_round(award.funding_round) == Decimal("0.00")
