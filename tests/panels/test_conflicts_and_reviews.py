"""Conflict declarations, then reviews: drafts, submission, abstention and reopening.

The rubric has two criteria weighted 2 and 1, scored 1-5, so a review scoring 5 and 2
has a weighted score of (2 x 5 + 1 x 2) / 3 = 4.0000.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from applications import services
from applications.models import (
    Assignment,
    ConflictDeclaration,
    Review,
    Score,
)
from portal.models import User
from portal.permissions import can_review
from tests.factories import UserFactory
from tests.helpers import run_at_once
from tests.panels.helpers import (
    application_for,
    assign,
    criteria_of,
    ensure_role_groups,
    log_entries,
    make_panel,
    ready_to_review,
    scores_for,
    seat,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(program_staff):
    """A panel (two reviewers each), two panelists, one application assigned to the
    first panelist."""
    panel, form, rubric = make_panel(reviewers_per_application=2)
    reviewer = seat(panel, user=UserFactory(first_name="Ximena")).user
    colleague = seat(panel, user=UserFactory()).user
    application = application_for(form)
    assignment = assign(program_staff, panel, application, reviewer)
    return {
        "panel": panel,
        "form": form,
        "rubric": rubric,
        "reviewer": reviewer,
        "colleague": colleague,
        "application": application,
        "assignment": assignment,
        "staff": program_staff,
    }


# Declaring conflicts -------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["colleague", "program_staff", "applicant", "panelist"]
)
def test_only_the_assigned_panelist_may_declare(request, setup, role):
    actor = setup[role] if role in setup else request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        services.declare_conflict(
            actor=actor,
            assignment=setup["assignment"],
            has_conflict=True,
            reason="works_there",
        )

    assert ConflictDeclaration.objects.count() == 0
    assert Assignment.objects.filter(pk=setup["assignment"].pk).exists()
    assert can_review(setup["reviewer"], setup["application"])


def test_declaring_no_conflict_keeps_the_assignment(setup):
    declaration = services.declare_conflict(
        actor=setup["reviewer"], assignment=setup["assignment"], has_conflict=False
    )

    assert declaration.has_conflict is False
    assert declaration.reason == ""
    assert Assignment.objects.filter(pk=setup["assignment"].pk).exists()
    assert can_review(setup["reviewer"], setup["application"])


@pytest.mark.parametrize("reason", ["", "not-a-reason"])
def test_a_conflict_needs_a_valid_reason_and_nothing_is_written_without_one(
    setup, reason
):
    with pytest.raises(ValidationError) as error:
        services.declare_conflict(
            actor=setup["reviewer"],
            assignment=setup["assignment"],
            has_conflict=True,
            reason=reason,
        )

    assert "reason" in error.value.message_dict
    assert ConflictDeclaration.objects.count() == 0
    assert Assignment.objects.filter(pk=setup["assignment"].pk).exists()
    assert can_review(setup["reviewer"], setup["application"])
    assert not log_entries("applications.declare_conflict").exists()


def test_declaring_a_conflict_ends_the_assignment_and_the_grant(setup):
    declaration = services.declare_conflict(
        actor=setup["reviewer"],
        assignment=setup["assignment"],
        has_conflict=True,
        reason="family",
        details="  My cousin volunteers there.  ",
    )

    assert (declaration.has_conflict, declaration.reason) == (True, "family")
    assert declaration.details == "My cousin volunteers there."
    assert not Assignment.objects.filter(pk=setup["assignment"].pk).exists()
    assert not can_review(setup["reviewer"], setup["application"])


def test_a_declared_conflict_blocks_manual_and_automatic_reassignment(setup):
    services.declare_conflict(
        actor=setup["reviewer"],
        assignment=setup["assignment"],
        has_conflict=True,
        reason="close",
    )

    with pytest.raises(ValidationError) as error:
        assign(setup["staff"], setup["panel"], setup["application"], setup["reviewer"])
    assert error.value.code == "conflict"

    plan = services.apply_assignment_plan(actor=setup["staff"], panel=setup["panel"])

    assert (setup["application"].pk, setup["reviewer"].pk) not in plan.new_pairs
    assert not Assignment.objects.filter(panelist=setup["reviewer"]).exists()
    assert not can_review(setup["reviewer"], setup["application"])
    # The colleague took the place; one reviewer short, and the plan says so.
    assert plan.new_pairs == [(setup["application"].pk, setup["colleague"].pk)]
    assert plan.shortfalls == {setup["application"].pk: 1}


def test_a_second_declaration_is_refused(setup):
    services.declare_conflict(
        actor=setup["reviewer"], assignment=setup["assignment"], has_conflict=False
    )

    with pytest.raises(ValidationError) as error:
        services.declare_conflict(
            actor=setup["reviewer"],
            assignment=setup["assignment"],
            has_conflict=True,
            reason="other",
        )

    assert error.value.code == "done"
    declaration = ConflictDeclaration.objects.get()
    assert declaration.has_conflict is False
    assert Assignment.objects.filter(pk=setup["assignment"].pk).exists()
    assert log_entries("applications.declare_conflict").count() == 1


@pytest.mark.parametrize("has_conflict", [False, True])
def test_each_declaration_is_logged(setup, has_conflict):
    services.declare_conflict(
        actor=setup["reviewer"],
        assignment=setup["assignment"],
        has_conflict=has_conflict,
        reason="works_there" if has_conflict else "",
    )

    entry = log_entries("applications.declare_conflict", setup["application"]).get()
    assert entry.user_id == setup["reviewer"].pk
    assert entry.data == {"has_conflict": has_conflict}


# Writing reviews ---------------------------------------------------------------------


@pytest.fixture
def declared(setup):
    services.declare_conflict(
        actor=setup["reviewer"], assignment=setup["assignment"], has_conflict=False
    )
    first, second = criteria_of(setup["panel"])
    return {**setup, "first": first, "second": second}


def save(case, submit=False, **values):
    values.setdefault("scores", {})
    return services.save_review(
        actor=case["reviewer"], assignment=case["assignment"], submit=submit, **values
    )


def test_reviewing_before_declaring_conflicts_is_refused(setup):
    with pytest.raises(PermissionDenied):
        save(
            setup,
            submit=True,
            scores=scores_for(setup["panel"], [5, 2]),
            recommendation="fund",
        )

    assert Review.objects.count() == 0
    assert Score.objects.count() == 0


def test_someone_else_cannot_write_the_review(declared):
    with pytest.raises(PermissionDenied):
        services.save_review(
            actor=declared["colleague"],
            assignment=declared["assignment"],
            scores={declared["first"].pk: 1},
        )

    assert Review.objects.count() == 0


def test_a_draft_keeps_partial_scores_and_stays_unsubmitted(declared):
    review = save(declared, scores={declared["first"].pk: 4}, strengths=" Clear plan. ")

    review.refresh_from_db()
    assert review.submitted_at is None
    assert review.weighted_score is None
    assert review.strengths == "Clear plan."
    assert dict(review.scores.values_list("criterion_id", "value")) == {
        declared["first"].pk: 4
    }

    # A later draft replaces the scores: changed, added, and cleared ones.
    save(declared, scores={declared["first"].pk: None, declared["second"].pk: "3"})
    assert dict(review.scores.values_list("criterion_id", "value")) == {
        declared["second"].pk: 3
    }
    assert Review.objects.count() == 1


def test_submitting_an_incomplete_review_names_the_open_fields(declared):
    save(declared, scores={declared["first"].pk: 4})

    with pytest.raises(ValidationError) as error:
        save(declared, submit=True, scores={declared["first"].pk: 4})

    assert set(error.value.message_dict) == {
        f"criterion_{declared['second'].pk}",
        "recommendation",
    }
    review = Review.objects.get()
    assert review.submitted_at is None
    assert review.weighted_score is None
    assert review.scores.count() == 1
    assert not log_entries("applications.submit_review").exists()


def test_submitting_stores_the_weighted_score(declared):
    review = save(
        declared,
        submit=True,
        scores=scores_for(declared["panel"], [5, 2]),
        recommendation="fund_with_changes",
    )

    review.refresh_from_db()
    assert review.weighted_score == Decimal("4.0000")
    assert review.submitted_at is not None
    assert review.recommendation == "fund_with_changes"
    assert review.scores.count() == 2
    entry = log_entries("applications.submit_review", declared["application"]).get()
    assert entry.user_id == declared["reviewer"].pk


def test_a_second_submit_is_refused_and_changes_nothing(declared):
    first = save(
        declared,
        submit=True,
        scores=scores_for(declared["panel"], [5, 2]),
        recommendation="fund",
    )

    with pytest.raises(ValidationError) as error:
        save(
            declared,
            submit=True,
            scores=scores_for(declared["panel"], [1, 1]),
            recommendation="do_not_fund",
            concerns="Changed my mind.",
        )

    assert error.value.code == "submitted"
    review = Review.objects.get()
    assert review.submitted_at == first.submitted_at
    assert review.weighted_score == Decimal("4.0000")
    assert review.recommendation == "fund"
    assert review.concerns == ""
    assert sorted(review.scores.values_list("value", flat=True)) == [2, 5]
    assert log_entries("applications.submit_review").count() == 1


@pytest.mark.parametrize("value", [0, 6, -1])
@pytest.mark.parametrize("submit", [False, True])
def test_a_score_outside_the_scale_is_refused(declared, value, submit):
    with pytest.raises(ValidationError) as error:
        save(
            declared,
            submit=submit,
            scores={declared["first"].pk: value, declared["second"].pk: 3},
            recommendation="fund",
        )

    assert f"criterion_{declared['first'].pk}" in error.value.message_dict
    assert Review.objects.count() == 0
    assert Score.objects.count() == 0


def test_abstaining_needs_a_reason(declared):
    with pytest.raises(ValidationError) as error:
        save(declared, submit=True, abstained=True, abstain_reason="   ")

    assert "abstain_reason" in error.value.message_dict
    assert Review.objects.filter(submitted_at__isnull=False).count() == 0


def test_an_abstention_is_submitted_without_a_weighted_score(declared):
    review = save(
        declared, submit=True, abstained=True, abstain_reason="I know the founder."
    )

    review.refresh_from_db()
    assert review.abstained is True
    assert review.abstain_reason == "I know the founder."
    assert review.submitted_at is not None
    assert review.weighted_score is None
    entry = log_entries("applications.submit_review").get()
    assert entry.data == {"abstained": True}


# Reopening ---------------------------------------------------------------------------


@pytest.fixture
def submitted(declared):
    review = save(
        declared,
        submit=True,
        scores=scores_for(declared["panel"], [5, 2]),
        recommendation="fund",
    )
    return {**declared, "review": review}


@pytest.fixture
def panel_chair(submitted):
    return seat(submitted["panel"], role="chair", user=UserFactory()).user


@pytest.mark.parametrize("role", ["panel_chair", "program_staff"])
def test_the_chair_or_program_staff_reopen_a_review(request, submitted, role):
    actor = request.getfixturevalue(role)

    services.reopen_review(actor=actor, review=submitted["review"], reason="Typo")

    review = Review.objects.get(pk=submitted["review"].pk)
    assert review.submitted_at is None
    assert review.weighted_score is None
    entry = log_entries("applications.reopen_review", submitted["application"]).get()
    assert entry.user_id == actor.pk
    # The panelist can change and submit it again.
    again = save(
        submitted,
        submit=True,
        scores=scores_for(submitted["panel"], [2, 2]),
        recommendation="do_not_fund",
    )
    assert again.weighted_score == Decimal("2.0000")


@pytest.fixture
def chair_of_another_panel():
    other_panel, _form, _rubric = make_panel()
    return seat(other_panel, role="chair", user=UserFactory()).user


@pytest.mark.parametrize(
    "role",
    ["reviewer", "colleague", "chair_of_another_panel", "applicant", "finance_officer"],
)
def test_others_cannot_reopen_a_review(request, submitted, role):
    actor = submitted[role] if role in submitted else request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        services.reopen_review(actor=actor, review=submitted["review"])

    review = Review.objects.get(pk=submitted["review"].pk)
    assert review.submitted_at is not None
    assert review.weighted_score == Decimal("4.0000")
    assert not log_entries("applications.reopen_review").exists()


# Two submissions at the same moment (PostgreSQL only) -----------------------------------


def submit_at_once(user_pk, assignment_pk, scores, count=2) -> list:
    """Submit the same review from ``count`` threads released together (a double
    click, or two tabs); return each call's result or exception."""

    def prepare():
        # Each thread reads its own copies, on its own connection.
        return User.objects.get(pk=user_pk), Assignment.objects.get(pk=assignment_pk)

    def submitter(index):
        def act(user, assignment):
            return services.save_review(
                actor=user,
                assignment=assignment,
                scores=scores,
                recommendation="fund",
                strengths=f"Attempt {index}",
                submit=True,
            )

        return act

    return run_at_once([(prepare, submitter(i)) for i in range(count)])


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://...)",
)
# Transactional: the threads must see committed rows.
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_of_one_review_store_it_once():
    # An earlier transactional test may have flushed the role groups away, so the
    # set-up acts as an administrator (every right) and recreates the groups.
    ensure_role_groups()
    staff = UserFactory(is_staff=True, is_superuser=True)
    panel, form, _rubric = make_panel()
    reviewer = seat(panel, user=UserFactory()).user
    application = application_for(form)
    assignment = ready_to_review(staff, panel, application, reviewer)
    scores = scores_for(panel, [5, 2])

    outcomes = submit_at_once(reviewer.pk, assignment.pk, scores)

    succeeded = [o for o in outcomes if isinstance(o, Review)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(succeeded) == 1, outcomes
    assert len(refused) == 1, outcomes
    assert refused[0].code == "submitted"
    review = Review.objects.get(assignment=assignment)
    assert review.submitted_at == succeeded[0].submitted_at
    assert review.strengths == succeeded[0].strengths
    assert review.weighted_score == Decimal("4.0000")
    assert Score.objects.filter(review=review).count() == len(scores)
    assert log_entries("applications.submit_review", application).count() == 1
