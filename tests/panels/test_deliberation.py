"""Deliberation: the panel's recommendation, then program staff's funding decision.

The round (factory defaults) awards between $10,000 and $50,000 from a $500,000
budget; the application asks for $20,000.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from applications import services
from applications.models import (
    Application,
    Decision,
    PanelRecommendation,
    Review,
    StatusChange,
)
from grants import services as grants_services
from portal.models import User
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import run_at_once
from tests.panels.helpers import (
    application_for,
    award_details,
    ensure_role_groups,
    log_entries,
    make_panel,
    ready_to_review,
    scores_for,
    seat,
    submit_review,
)

pytestmark = pytest.mark.django_db

RATIONALE = "Strong peer-led plan; the budget matches the work."


@pytest.fixture
def case(program_staff):
    """An eligible application with one submitted review, a chair and a panelist."""
    panel, form, _rubric = make_panel()
    chair = seat(panel, role="chair", user=UserFactory()).user
    reviewer = seat(
        panel,
        user=UserFactory(
            first_name="Zephyrine", email="zephyrine.reviewer@example.org"
        ),
    ).user
    application = application_for(form, amount_requested=Decimal("20000.00"))
    submit_review(program_staff, panel, application, reviewer, [5, 2])
    return {
        "panel": panel,
        "form": form,
        "chair": chair,
        "reviewer": reviewer,
        "application": application,
        "staff": program_staff,
    }


@pytest.fixture
def panel_chair(case):
    return case["chair"]


@pytest.fixture
def plain_panelist(case):
    return case["reviewer"]


@pytest.fixture
def chair_of_another_panel():
    other_panel, _form, _rubric = make_panel()
    return seat(other_panel, role="chair", user=UserFactory()).user


def recommend(actor, application, **values):
    values.setdefault("method", "consensus")
    values.setdefault("outcome", "fund")
    values.setdefault("rationale", RATIONALE)
    return services.record_recommendation(
        actor=actor, application=application, **values
    )


# The panel's recommendation ----------------------------------------------------------


@pytest.mark.parametrize("role", ["panel_chair", "program_staff"])
def test_the_panel_chair_or_program_staff_record_the_recommendation(
    request, case, role
):
    actor = request.getfixturevalue(role)

    recommendation = recommend(actor, case["application"], outcome="fund_with_changes")

    stored = PanelRecommendation.objects.get(application=case["application"])
    assert stored == recommendation
    assert (stored.method, stored.outcome) == ("consensus", "fund_with_changes")
    assert stored.rationale == RATIONALE
    assert stored.recorded_by == actor
    entry = log_entries("applications.record_recommendation", case["application"]).get()
    assert entry.user_id == actor.pk


@pytest.mark.parametrize(
    "role",
    ["chair_of_another_panel", "plain_panelist", "applicant", "finance_officer"],
)
def test_others_cannot_record_a_recommendation(request, case, role):
    with pytest.raises(PermissionDenied):
        recommend(request.getfixturevalue(role), case["application"])

    assert not PanelRecommendation.objects.exists()
    assert not log_entries("applications.record_recommendation").exists()


def test_a_recommendation_needs_a_submitted_review(case):
    drafted = application_for(case["form"])
    assignment = ready_to_review(
        case["staff"], case["panel"], drafted, case["reviewer"]
    )
    services.save_review(
        actor=case["reviewer"],
        assignment=assignment,
        scores=scores_for(case["panel"], [4, 4]),
        recommendation="fund",
    )  # a draft only
    unreviewed = application_for(case["form"])

    for application in (drafted, unreviewed):
        with pytest.raises(ValidationError):
            recommend(case["chair"], application)

    assert not PanelRecommendation.objects.exists()


def test_a_vote_needs_all_three_tallies(case):
    with pytest.raises(ValidationError) as error:
        recommend(
            case["chair"],
            case["application"],
            method="vote",
            votes_for=4,
            votes_against=1,
        )

    assert set(error.value.message_dict) == {"votes_abstaining"}
    assert not PanelRecommendation.objects.exists()

    recommendation = recommend(
        case["chair"],
        case["application"],
        method="vote",
        votes_for=4,
        votes_against=1,
        votes_abstaining=0,
    )
    assert (
        recommendation.votes_for,
        recommendation.votes_against,
        recommendation.votes_abstaining,
    ) == (4, 1, 0)


def test_tallies_are_dropped_when_the_panel_did_not_vote(case):
    recommendation = recommend(
        case["chair"], case["application"], method="consensus", votes_for=3
    )

    recommendation.refresh_from_db()
    assert recommendation.votes_for is None


@pytest.mark.parametrize("rationale", ["", "   \n "])
def test_a_recommendation_needs_a_rationale(case, rationale):
    with pytest.raises(ValidationError) as error:
        recommend(case["chair"], case["application"], rationale=rationale)

    assert "rationale" in error.value.message_dict
    assert not PanelRecommendation.objects.exists()


def test_recording_again_updates_the_one_recommendation(case, program_staff):
    first = recommend(case["chair"], case["application"], outcome="fund")

    second = recommend(
        program_staff,
        case["application"],
        outcome="do_not_fund",
        rationale="Rethought.",
    )

    stored = PanelRecommendation.objects.get()
    assert stored.pk == first.pk == second.pk
    assert (stored.outcome, stored.rationale) == ("do_not_fund", "Rethought.")
    assert stored.recorded_by == program_staff
    assert log_entries("applications.record_recommendation").count() == 2


# Program staff's decision ------------------------------------------------------------


@pytest.fixture
def recommended(case):
    recommend(case["chair"], case["application"])
    return case


def decide(actor, application, outcome="award", **values):
    if outcome == "award":
        values.setdefault("award_details", award_details())
    return services.record_decision(
        actor=actor, application=application, outcome=outcome, **values
    )


def assert_undecided(application):
    application.refresh_from_db()
    assert application.status == Application.Status.ELIGIBLE
    assert not Decision.objects.filter(application=application).exists()
    assert not StatusChange.objects.filter(application=application).exists()
    assert not log_entries("applications.record_decision", application).exists()


def test_program_staff_award_and_the_status_change_is_recorded(
    recommended, program_staff
):
    application = recommended["application"]

    decision = decide(program_staff, application, amount=Decimal("18000.00"))

    decision.refresh_from_db()
    assert (decision.outcome, decision.amount) == ("award", Decimal("18000.00"))
    assert decision.decided_by == program_staff
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status) == ("eligible", "awarded")
    assert change.actor == program_staff
    entry = log_entries("applications.record_decision", application).get()
    assert entry.data == {"outcome": "award", "amount": "18000.00"}


@pytest.mark.parametrize(
    "role", ["plain_panelist", "panel_chair", "finance_officer", "applicant"]
)
def test_only_program_staff_decide(request, recommended, role):
    with pytest.raises(PermissionDenied):
        decide(
            request.getfixturevalue(role),
            recommended["application"],
            amount=Decimal("15000.00"),
        )

    assert_undecided(recommended["application"])


def test_a_decision_needs_the_panels_recommendation(case, program_staff):
    with pytest.raises(ValidationError):
        decide(program_staff, case["application"], amount=Decimal("15000.00"))

    assert_undecided(case["application"])


@pytest.mark.parametrize(
    "amount",
    [
        None,
        Decimal("0"),
        Decimal("-1"),
        Decimal("20000.01"),  # above the $20,000 requested
        Decimal("9999.99"),  # below the round's smallest award
        Decimal("10000.001"),  # a fraction of a cent
        Decimal("1e309"),
    ],
)
def test_an_award_amount_outside_the_rules_is_refused(
    recommended, program_staff, mailoutbox, django_capture_on_commit_callbacks, amount
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ValidationError) as error:
            decide(program_staff, recommended["application"], amount=amount)

    assert "amount" in error.value.message_dict
    assert_undecided(recommended["application"])
    assert mailoutbox == []


def test_an_award_above_the_rounds_largest_award_is_refused(recommended, program_staff):
    application = recommended["application"]
    Application.objects.filter(pk=application.pk).update(
        amount_requested=Decimal("80000.00")
    )
    application.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        decide(program_staff, application, amount=Decimal("50000.01"))

    assert "amount" in error.value.message_dict
    assert_undecided(application)
    assert decide(program_staff, application, amount=Decimal("50000.00")).amount == (
        Decimal("50000.00")
    )


def test_an_award_beyond_the_rounds_remaining_budget_is_refused(
    recommended, program_staff
):
    application = recommended["application"]
    funding_round = application.funding_round
    funding_round.budget = Decimal("60000.00")
    funding_round.save(update_fields=["budget"])
    # Another award already committed $45,000 of the round (in the ledger).
    grants_services.create_award(
        actor=program_staff,
        organization=application_for(recommended["form"]).organization,
        funding_round=funding_round,
        amount=Decimal("45000.00"),
        **award_details(),
    )
    declined = application_for(recommended["form"], status="declined")
    Decision.objects.create(application=declined, outcome="decline")

    # $15,000 is left: $15,000.01 is too much, $15,000 fits exactly.
    with pytest.raises(ValidationError) as error:
        decide(program_staff, application, amount=Decimal("15000.01"))

    assert "amount" in error.value.message_dict
    assert "$15,000.00" in error.value.message_dict["amount"][0]
    assert_undecided(application)
    decision = decide(program_staff, application, amount=Decimal("15000.00"))
    assert decision.amount == Decimal("15000.00")


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("decline", Application.Status.DECLINED),
        ("waitlist", Application.Status.WAITLISTED),
    ],
)
def test_decline_and_waitlist_set_the_application_status(
    recommended, program_staff, outcome, status
):
    application = recommended["application"]

    decision = decide(program_staff, application, outcome, amount=Decimal("15000.00"))

    assert decision.amount is None
    application.refresh_from_db()
    assert application.status == status
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status) == ("eligible", status)


def test_a_waitlisted_application_can_be_awarded_later(recommended, program_staff):
    application = recommended["application"]
    first = decide(program_staff, application, "waitlist")

    second = decide(program_staff, application, "award", amount=Decimal("12000.00"))

    assert Decision.objects.get().pk == first.pk == second.pk
    assert (second.outcome, second.amount) == ("award", Decimal("12000.00"))
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    assert list(
        StatusChange.objects.filter(application=application).values_list(
            "from_status", "to_status"
        )
    ) == [("eligible", "waitlisted"), ("waitlisted", "awarded")]


def test_a_review_cannot_be_reopened_once_the_application_is_decided(
    recommended, program_staff
):
    application = recommended["application"]
    decide(program_staff, application, "decline")
    review = Review.objects.get(assignment__application=application)

    with pytest.raises(ValidationError):
        services.reopen_review(actor=recommended["chair"], review=review)

    review.refresh_from_db()
    assert review.submitted_at is not None
    assert review.weighted_score == Decimal("4.0000")
    assert not log_entries("applications.reopen_review").exists()


def test_a_decided_application_cannot_be_decided_again(recommended, program_staff):
    application = recommended["application"]
    decide(program_staff, application, "decline")

    with pytest.raises(ValidationError):
        decide(program_staff, application, "award", amount=Decimal("15000.00"))

    decision = Decision.objects.get()
    assert (decision.outcome, decision.amount) == ("decline", None)
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED


@pytest.mark.parametrize(
    ("outcome", "amount", "subject"),
    [
        ("award", Decimal("15000.00"), "Good news about your application {ref}"),
        ("decline", None, "A decision on your application {ref}"),
        ("waitlist", None, "Your application {ref} is on the waiting list"),
    ],
)
def test_the_organizations_members_get_a_kind_email_without_reviewer_details(
    recommended,
    program_staff,
    mailoutbox,
    django_capture_on_commit_callbacks,
    outcome,
    amount,
    subject,
):
    application = recommended["application"]
    owner = MembershipFactory(organization=application.organization, role="owner").user
    editor = MembershipFactory(organization=application.organization).user
    reviewer = recommended["reviewer"]

    with django_capture_on_commit_callbacks(execute=True):
        decide(
            program_staff,
            application,
            outcome,
            amount=amount,
            feedback="Reviewer Zephyrine found the budget unclear.",
            feedback_approved=True,
        )

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == subject.format(ref=application.reference)
    assert sorted(message.recipients()) == sorted([owner.email, editor.email])
    text = f"{message.subject}\n{message.body}"
    for secret in (
        reviewer.first_name,
        reviewer.email,
        recommended["chair"].email,
        program_staff.email,
        application.title,
    ):
        assert secret not in text
    assert "/applications/" in message.body  # only a link to the portal


def test_approved_feedback_is_kept_for_a_decline(recommended, program_staff):
    decision = decide(
        program_staff,
        recommended["application"],
        "decline",
        feedback="  The plan needs more detail on housing.  ",
        feedback_approved=True,
    )

    decision.refresh_from_db()
    assert decision.feedback == "The plan needs more detail on housing."
    assert decision.feedback_approved is True


@pytest.mark.parametrize(
    ("outcome", "amount", "feedback"),
    [
        ("award", Decimal("15000.00"), "Lovely work."),
        ("waitlist", None, "Close to the line."),
        ("decline", None, "   "),
    ],
)
def test_feedback_is_approved_only_for_a_decline_with_text(
    recommended, program_staff, outcome, amount, feedback
):
    decision = decide(
        program_staff,
        recommended["application"],
        outcome,
        amount=amount,
        feedback=feedback,
        feedback_approved=True,
    )

    decision.refresh_from_db()
    assert decision.feedback_approved is False


# Two awards at the same moment (PostgreSQL only) ---------------------------------------


def award_at_once(staff_pk, application_pks, amount) -> list:
    """Award each application from its own thread, all released together."""

    def preparer(application_pk):
        def prepare():
            return (
                User.objects.get(pk=staff_pk),
                Application.objects.get(pk=application_pk),
            )

        return prepare

    def act(staff, application):
        return decide(staff, application, "award", amount=amount)

    return run_at_once([(preparer(pk), act) for pk in application_pks])


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (set DATABASE_URL=postgres://...)",
)
# Transactional: the threads must see committed rows.
@pytest.mark.django_db(transaction=True)
def test_two_awards_decided_at_once_cannot_pass_the_rounds_budget():
    # An earlier transactional test may have flushed the role groups away, so the
    # set-up acts as an administrator (every right) and recreates the groups.
    ensure_role_groups()
    staff = UserFactory(is_staff=True, is_superuser=True)
    panel, form, _rubric = make_panel()
    reviewer = seat(panel, user=UserFactory()).user
    funding_round = form.funding_round
    funding_round.budget = Decimal("30000.00")
    funding_round.save(update_fields=["budget"])
    applications = [application_for(form) for _ in range(2)]
    for application in applications:
        submit_review(staff, panel, application, reviewer, [4, 4])
        recommend(staff, application)

    outcomes = award_at_once(
        staff.pk, [a.pk for a in applications], Decimal("20000.00")
    )

    awarded = [o for o in outcomes if isinstance(o, Decision)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(awarded), len(refused)) == (1, 1), outcomes
    assert "amount" in refused[0].message_dict
    assert list(Decision.objects.values_list("amount", flat=True)) == [
        Decimal("20000.00")
    ]
    assert Application.objects.filter(status=Application.Status.AWARDED).count() == 1
