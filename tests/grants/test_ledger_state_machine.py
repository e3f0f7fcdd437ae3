"""Random sequences of award and payment actions keep every money invariant.

A hypothesis state machine drives the services (offer, accept, decline, amend, set a
schedule, request, approve, send, pay, fail, reverse, cancel, rescind) with valid and
invalid input. A plain Python model of the world predicts, for each step, whether the
service must accept or refuse it and what the ledger must then say; the invariants
compare the database with that model after every step. Each example runs in its own
transaction, rolled back at the end.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from grants import ledger, services
from grants.models import Award, Disbursement, FundingRound, Installment, LedgerEntry
from tests.factories import MembershipFactory
from tests.grants.money_helpers import (
    ENDS,
    STARTS,
    SUMMARY,
    TITLE,
    finance_user,
    make_round,
    program_user,
)

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")
BUDGET = Decimal("100000.00")
MIN_AWARD, MAX_AWARD = Decimal("1000.00"), Decimal("60000.00")
LIVE_AWARD = {"offered", "accepted", "active"}
PAYABLE = {"accepted", "active"}
LIVE_PAYMENT = {"requested", "approved", "sent", "paid"}
MONEY_LEFT = {"sent", "paid"}
INVALID_AMOUNTS = [
    Decimal("0"),
    Decimal("-1"),
    Decimal("NaN"),
    Decimal("1e309"),
    Decimal("10.001"),
    "1,000",
]

valid_amounts = st.one_of(
    st.integers(min_value=5, max_value=700).map(lambda n: Decimal(n * 100)),
    st.integers(min_value=100_000, max_value=6_500_000).map(
        lambda cents: Decimal(cents) / 100
    ),
)
amounts = st.one_of(valid_amounts, valid_amounts, st.sampled_from(INVALID_AMOUNTS))
index = st.integers(min_value=0, max_value=63)
strays = st.sampled_from([False, False, False, True])


def is_money(value) -> bool:
    return (
        isinstance(value, Decimal)
        and value.is_finite()
        and ZERO < value < Decimal("10000000000")
        and value == value.quantize(Decimal("0.01"))
    )


@dataclass
class AwardModel:
    pk: int
    round_pk: int
    amount: Decimal
    status: str = "offered"
    committed: Decimal = ZERO  # what the award holds of its round's budget
    installments: dict = field(default_factory=dict)  # pk -> amount


@dataclass
class PaymentModel:
    pk: int
    award_pk: int
    installment_pk: int
    amount: Decimal
    requested_by: int
    status: str = "requested"


class LedgerMachine(RuleBasedStateMachine):
    """People and rounds come from the test; every example gets a fresh ledger."""

    people: dict = {}

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.staff = self.people["staff"]
        self.finance = self.people["finance"]
        self.owner = self.people["owner"]
        self.organization = self.people["organization"]
        self.rounds = [
            make_round(budget=BUDGET, min_award=MIN_AWARD, max_award=MAX_AWARD)
            for _ in range(2)
        ]
        self.awards: list[AwardModel] = []
        self.payments: list[PaymentModel] = []
        self.snapshot: list = []

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # The model --------------------------------------------------------------------

    def committed_in(self, round_pk) -> Decimal:
        return sum((a.committed for a in self.awards if a.round_pk == round_pk), ZERO)

    def money_left(self, award_pk) -> Decimal:
        return sum(
            (
                p.amount
                for p in self.payments
                if p.award_pk == award_pk and p.status in MONEY_LEFT
            ),
            ZERO,
        )

    def in_flight(self, award_pk) -> Decimal:
        return sum(
            (
                p.amount
                for p in self.payments
                if p.award_pk == award_pk and p.status in {"requested", "approved"}
            ),
            ZERO,
        )

    def attempted(self, installment_pk) -> bool:
        return any(p.installment_pk == installment_pk for p in self.payments)

    def all_installments(self):
        return [
            (award, pk, amount)
            for award in self.awards
            for pk, amount in award.installments.items()
        ]

    def expect(self, allowed: bool, call):
        """Run a service: it must succeed when the model allows it, else refuse."""
        if allowed:
            return call()
        with pytest.raises((ValidationError, PermissionDenied)):
            call()
        return None

    def db_award(self, model: AwardModel) -> Award:
        return Award.objects.get(pk=model.pk)

    # Rules ------------------------------------------------------------------------

    @initialize(first=valid_amounts, second=valid_amounts)
    def two_accepted_awards_with_schedules(self, first, second):
        """Start from awards that can be paid, so payments happen in most examples."""
        for which, amount in enumerate((first, second)):
            amount = min(max(amount, MIN_AWARD), MAX_AWARD)
            self.offer(which=which, amount=amount)
            self.accept(i=len(self.awards) - 1, by_owner=True)
            self.set_schedule(i=len(self.awards) - 1, parts=2, mistake=None)

    @rule(which=st.integers(0, 1), amount=amounts)
    def offer(self, which, amount):
        funding_round = self.rounds[which]
        allowed = (
            is_money(amount)
            and MIN_AWARD <= amount <= MAX_AWARD
            and self.committed_in(funding_round.pk) + amount <= BUDGET
        )
        award = self.expect(
            allowed,
            lambda: services.create_award(
                actor=self.staff,
                organization=self.organization,
                funding_round=funding_round,
                amount=amount,
                public_title=TITLE,
                public_summary=SUMMARY,
                starts_on=STARTS,
                ends_on=ENDS,
            ),
        )
        if award is not None:
            self.awards.append(
                AwardModel(award.pk, funding_round.pk, amount, committed=amount)
            )

    def _award(self, i, states, stray=True) -> AwardModel:
        """Mostly an award in one of ``states``; now and then any (to be refused)."""
        fitting = [a for a in self.awards if a.status in states]
        choices = fitting if fitting and not stray else self.awards
        return choices[i % len(choices)]

    @precondition(lambda self: any(a.status == "offered" for a in self.awards))
    @rule(i=index, by_owner=st.sampled_from([True, True, False]), stray=strays)
    def accept(self, i, by_owner, stray=False):
        model = self._award(i, {"offered"}, stray)
        actor = self.owner if by_owner else self.finance[0]
        allowed = by_owner and model.status == "offered"
        done = self.expect(
            allowed,
            lambda: services.accept_award(
                actor=actor, award=self.db_award(model), signer_name="Amina Yusuf"
            ),
        )
        if done is not None:
            model.status = "accepted"

    @precondition(lambda self: len(self.awards) > 2)
    @rule(i=index, stray=strays)
    def decline(self, i, stray):
        model = self._award(i, {"offered"}, stray)
        done = self.expect(
            model.status == "offered",
            lambda: services.decline_award(
                actor=self.owner, award=self.db_award(model), reason="Not now"
            ),
        )
        if done is not None:
            model.status = "declined"
            model.committed = ZERO

    @precondition(lambda self: self.awards)
    @rule(i=index, amount=amounts, stray=strays)
    def amend(self, i, amount, stray):
        model = self._award(i, LIVE_AWARD, stray)
        allowed = (
            is_money(amount)
            and model.status in LIVE_AWARD
            and amount >= self.money_left(model.pk) + self.in_flight(model.pk)
        )
        if allowed and amount != model.amount:
            difference = amount - model.amount
            allowed = MIN_AWARD <= amount <= MAX_AWARD and (
                difference < 0
                or self.committed_in(model.round_pk) + difference <= BUDGET
            )
        done = self.expect(
            allowed,
            lambda: services.amend_award(
                actor=self.staff,
                award=self.db_award(model),
                amount=amount,
                reason="Changed plans",
            ),
        )
        if done is not None:
            model.committed += amount - model.amount
            model.amount = amount

    @precondition(lambda self: self.awards)
    @rule(
        i=index,
        parts=st.integers(1, 3),
        mistake=st.sampled_from([None, None, None, "0.01", "-0.01"]),
        stray=strays,
    )
    def set_schedule(self, i, parts, mistake, stray=False):
        model = self._award(i, LIVE_AWARD, stray)
        kept = {
            pk: amount
            for pk, amount in model.installments.items()
            if self.attempted(pk)
        }
        left = model.amount - sum(kept.values(), ZERO)
        if mistake is not None:
            left += Decimal(mistake)
        # Split what is left into equal parts, the last taking the odd cents.
        share = (left / parts).quantize(Decimal("0.01"), rounding="ROUND_DOWN")
        amounts_ = [share] * (parts - 1) + [left - share * (parts - 1)]
        allowed = (
            model.status in LIVE_AWARD
            and mistake is None
            and all(is_money(a) for a in amounts_)
        )
        items = [
            {"due_on": date(2027, 1 + n, 1), "amount": a}
            for n, a in enumerate(amounts_)
        ]
        created = self.expect(
            allowed,
            lambda: services.set_schedule(
                actor=self.staff, award=self.db_award(model), installments=items
            ),
        )
        if created is not None:
            model.installments = {i.pk: i.amount for i in created}
            assert set(kept) <= set(model.installments)

    @precondition(lambda self: any(a.installments for a in self.awards))
    @rule(
        i=index,
        who=st.integers(0, 1),
        method=st.sampled_from(["manual_ach", "check"]),
        stray=strays,
    )
    def request(self, i, who, method, stray):
        choices = self.all_installments()
        payable = [
            (award, pk, amount)
            for award, pk, amount in choices
            if award.status in PAYABLE
            and not any(
                p.installment_pk == pk and p.status in LIVE_PAYMENT
                for p in self.payments
            )
        ]
        if payable and not stray:
            choices = payable
        model, installment_pk, amount = choices[i % len(choices)]
        live = any(
            p.installment_pk == installment_pk and p.status in LIVE_PAYMENT
            for p in self.payments
        )
        allowed = (
            model.status in PAYABLE
            and not live
            and self.money_left(model.pk) + self.in_flight(model.pk) + amount
            <= model.amount
        )
        actor = self.finance[who]
        payment = self.expect(
            allowed,
            lambda: services.request_disbursement(
                actor=actor,
                installment=Installment.objects.get(pk=installment_pk),
                method=method,
            ),
        )
        if payment is not None:
            assert payment.amount == amount
            self.payments.append(
                PaymentModel(payment.pk, model.pk, installment_pk, amount, actor.pk)
            )

    def _payment(self, i, states=None, stray=True) -> PaymentModel:
        """Mostly a payment in one of ``states``; now and then any (to be refused)."""
        fitting = [p for p in self.payments if states is None or p.status in states]
        choices = fitting if fitting and not stray else self.payments
        return choices[i % len(choices)]

    @precondition(lambda self: any(p.status in {"requested"} for p in self.payments))
    @rule(i=index, by_requester=st.sampled_from([False, False, True]), stray=strays)
    def approve(self, i, by_requester, stray):
        payment = self._payment(i, {"requested"}, stray)
        requester = next(f for f in self.finance if f.pk == payment.requested_by)
        other = next(f for f in self.finance if f.pk != payment.requested_by)
        actor = requester if by_requester else other
        done = self.expect(
            payment.status == "requested" and not by_requester,
            lambda: services.approve_disbursement(
                actor=actor, disbursement=Disbursement.objects.get(pk=payment.pk)
            ),
        )
        if done is not None:
            payment.status = "approved"

    def _move(self, i, stray, allowed_from, to_status, call):
        payment = self._payment(i, allowed_from, stray)
        done = self.expect(
            payment.status in allowed_from,
            lambda: call(Disbursement.objects.get(pk=payment.pk)),
        )
        if done is not None:
            payment.status = to_status
        return payment, done is not None

    @precondition(lambda self: any(p.status in {"approved"} for p in self.payments))
    @rule(i=index, who=st.integers(0, 1), stray=strays)
    def mark_sent(self, i, who, stray):
        self._move(
            i,
            stray,
            {"approved"},
            "sent",
            lambda d: services.mark_sent(
                actor=self.finance[who], disbursement=d, reference="ACH 1"
            ),
        )

    @precondition(lambda self: any(p.status in {"sent"} for p in self.payments))
    @rule(i=index, who=st.integers(0, 1), stray=strays)
    def mark_paid(self, i, who, stray):
        payment, done = self._move(
            i,
            stray,
            {"sent"},
            "paid",
            lambda d: services.mark_paid(
                actor=self.finance[who], disbursement=d, paid_on=timezone.localdate()
            ),
        )
        if done:
            model = next(a for a in self.awards if a.pk == payment.award_pk)
            if model.status == "accepted":
                model.status = "active"

    @precondition(lambda self: any(p.status in {"sent"} for p in self.payments))
    @rule(i=index, who=st.integers(0, 1), stray=strays)
    def mark_failed(self, i, who, stray):
        self._move(
            i,
            stray,
            {"sent"},
            "failed",
            lambda d: services.mark_failed(
                actor=self.finance[who], disbursement=d, reason="Bounced"
            ),
        )

    @precondition(lambda self: any(p.status in {"sent", "paid"} for p in self.payments))
    @rule(i=index, who=st.integers(0, 1), stray=strays)
    def reverse(self, i, who, stray):
        self._move(
            i,
            stray,
            {"sent", "paid"},
            "reversed",
            lambda d: services.mark_failed(
                actor=self.finance[who],
                disbursement=d,
                reason="Recalled",
                reversed_payment=True,
            ),
        )

    @precondition(
        lambda self: any(p.status in {"requested", "approved"} for p in self.payments)
    )
    @rule(i=index, who=st.integers(0, 1), stray=strays)
    def cancel(self, i, who, stray):
        self._move(
            i,
            stray,
            {"requested", "approved"},
            "cancelled",
            lambda d: services.cancel_disbursement(
                actor=self.finance[who], disbursement=d, reason="Hold"
            ),
        )

    @precondition(lambda self: len(self.awards) > 2)
    @rule(i=index, stray=strays)
    def rescind(self, i, stray):
        model = self._award(i, LIVE_AWARD, stray)
        done = self.expect(
            model.status in LIVE_AWARD,
            lambda: services.rescind_award(
                actor=self.staff, award=self.db_award(model), reason="Rescinded"
            ),
        )
        if done is not None:
            model.status = "rescinded"
            for payment in self.payments:
                if payment.award_pk == model.pk and payment.status in {
                    "requested",
                    "approved",
                }:
                    payment.status = "cancelled"
            # Only the part not yet paid goes back to the round.
            model.committed = self.money_left(model.pk)

    # Invariants -------------------------------------------------------------------
    # One invariant reads the ledger once per step and checks everything against it.

    @invariant()
    def every_figure_is_a_sum_of_unchanged_ledger_rows(self):
        rows = list(
            LedgerEntry.objects.order_by("pk").values_list(
                "pk", "amount", "account", "funding_round_id", "award_id"
            )
        )
        # Append-only: what was there before is still there, unchanged.
        assert rows[: len(self.snapshot)] == self.snapshot
        self.snapshot = rows

        def total(account, round_pk=None, award_pk=None):
            return sum(
                (
                    amount
                    for _pk, amount, acc, f, a in rows
                    if acc == account
                    and (round_pk is None or f == round_pk)
                    and (award_pk is None or a == award_pk)
                ),
                ZERO,
            )

        # Rounds: committed never passes the budget and matches the model.
        figures = {r.pk: r for r in ledger.round_figures(FundingRound.objects.all())}
        for funding_round in self.rounds:
            committed = total("committed", round_pk=funding_round.pk)
            assert committed <= funding_round.budget
            assert committed == self.committed_in(funding_round.pk)
            assert figures[funding_round.pk].committed == committed
            assert figures[funding_round.pk].paid == total(
                "paid", round_pk=funding_round.pk
            )
            assert ledger.committed_in_round(funding_round) == committed

        # Awards: never pay more than their amount; balances are sums.
        awards = {a.pk: a for a in Award.objects.all()}
        for model in self.awards:
            award = awards[model.pk]
            paid = total("paid", award_pk=model.pk)
            assert (award.amount, award.status) == (model.amount, model.status)
            assert paid == self.money_left(model.pk)
            assert total("committed", award_pk=model.pk) == model.committed
            assert ZERO <= paid <= award.amount
            assert paid + self.in_flight(model.pk) <= award.amount
        for model in self.awards[-2:]:  # the ledger's own sums, on recent awards
            award = awards[model.pk]
            assert ledger.paid_on_award(award) == total("paid", award_pk=model.pk)
            assert ledger.committed_to_award(award) == model.committed
            assert ledger.in_flight_on_award(award) == self.in_flight(model.pk)

        # Payments: at most one live payment per installment; states as modelled.
        statuses = dict(Disbursement.objects.values_list("pk", "status"))
        assert statuses == {p.pk: p.status for p in self.payments}
        live = [p.installment_pk for p in self.payments if p.status in LIVE_PAYMENT]
        assert len(live) == len(set(live))
        assert not (
            Disbursement.objects.filter(installment__isnull=False)
            .values("installment")
            .annotate(live=Count("pk", filter=Q(status__in=sorted(LIVE_PAYMENT))))
            .filter(live__gt=1)
            .exists()
        )


def test_random_award_and_payment_sequences_keep_every_invariant():
    LedgerMachine.people = {
        "staff": program_user(),
        "finance": [finance_user(), finance_user()],
        "owner": (owner := MembershipFactory(role="owner")).user,
        "organization": owner.organization,
    }
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            database=None,
            # No shrinking: a failure is reported at once with its full sequence,
            # instead of minutes of replays against the database.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
