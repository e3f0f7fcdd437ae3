"""Balanced reviewer assignment: the pure algorithm, then the services around it.

The property tests drive ``balanced_assignment`` with generated panels; the database
tests go through ``plan_assignments``, ``apply_assignment_plan``, ``assign_reviewer``
and ``withdraw_reviewer``.
"""

from collections import Counter, defaultdict

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from applications import services
from applications.assignment import balanced_assignment
from applications.models import (
    Application,
    ApplicationUserObjectPermission,
    Assignment,
    Review,
    Score,
)
from portal import roles
from portal.permissions import can_review
from tests.factories import MembershipFactory, UserFactory
from tests.panels.helpers import (
    application_for,
    assign,
    log_entries,
    make_panel,
    ready_to_review,
    record_conflict,
    scores_for,
    seat,
    submit_review,
)

pytestmark = pytest.mark.django_db

# Modest and deterministic enough for CI; no example database written to the checkout.
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)


# The pure algorithm -----------------------------------------------------------------


@st.composite
def any_panel(draw):
    """Any panel: 1-8 panelists, 0-15 applications, any blocks, a few existing pairs.

    Existing pairs give an application at most ``per_application`` reviewers (a re-run
    after the first plan) and may include a blocked pair (a panelist who joined the
    applying organization after being assigned).
    """
    panelists = draw(st.lists(st.integers(1, 40), min_size=1, max_size=8, unique=True))
    applications = draw(
        st.lists(st.integers(100, 400), min_size=0, max_size=15, unique=True)
    )
    per_application = draw(st.integers(1, 4))
    pairs = [(app, person) for app in applications for person in panelists]
    blocked = draw(st.sets(st.sampled_from(pairs))) if pairs else set()
    existing = set()
    for app in applications:
        people = draw(
            st.lists(
                st.sampled_from(panelists),
                max_size=min(per_application, len(panelists)),
                unique=True,
            )
        )
        existing.update((app, person) for person in people)
    return {
        "panelists": panelists,
        "applications": applications,
        "per_application": per_application,
        "existing": existing,
        "blocked": blocked,
    }


@st.composite
def sparse_panel(draw):
    """No existing pairs; blocks form a partial matching (a panelist is blocked for
    at most one application and an application for at most one panelist), and there
    is at least one panelist more than each application needs."""
    per_application = draw(st.integers(1, 4))
    panelists = draw(
        st.lists(
            st.integers(1, 40), min_size=per_application + 1, max_size=8, unique=True
        )
    )
    applications = draw(
        st.lists(st.integers(100, 400), min_size=0, max_size=15, unique=True)
    )
    shuffled_people = draw(st.permutations(panelists))
    shuffled_apps = draw(st.permutations(applications))
    size = draw(st.integers(0, min(len(panelists), len(applications))))
    blocked = set(zip(shuffled_apps[:size], shuffled_people[:size], strict=True))
    return {
        "panelists": panelists,
        "applications": applications,
        "per_application": per_application,
        "existing": set(),
        "blocked": blocked,
    }


def spread(loads: dict) -> int:
    return max(loads.values()) - min(loads.values())


@PROPERTY_SETTINGS
@given(any_panel())
def test_any_plan_respects_blocks_existing_pairs_and_reviewer_counts(case):
    plan = balanced_assignment(**case)

    new = plan.new_pairs
    assert not set(new) & case["blocked"]
    assert not set(new) & case["existing"]
    assert len(new) == len(set(new)), "a panelist was added twice to one application"
    assert {person for _app, person in new} <= set(case["panelists"])
    assert {app for app, _person in new} <= set(case["applications"])

    reviewers = defaultdict(set)
    for app, person in case["existing"] | set(new):
        reviewers[app].add(person)
    expected_shortfalls = {}
    for app in case["applications"]:
        allowed = {
            person
            for person in case["panelists"]
            if (app, person) not in case["blocked"]
        } | {person for a, person in case["existing"] if a == app}
        expected = min(case["per_application"], len(allowed))
        assert len(reviewers[app]) == expected, app
        if expected < case["per_application"]:
            expected_shortfalls[app] = case["per_application"] - expected
    assert plan.shortfalls == expected_shortfalls

    # Loads are every pair a panelist holds, old and new.
    held = Counter(person for _app, person in case["existing"] | set(new))
    assert plan.loads == {person: held[person] for person in case["panelists"]}


@PROPERTY_SETTINGS
@given(sparse_panel())
# Least-loaded-first alone leaves panelist 7 idle while 1 and 2 hold two each here;
# only the exchange paths even it out. Random search finds such cases rarely.
@example(
    {
        "panelists": [1, 2, 3, 4, 5, 6, 7, 8],
        "applications": [100, 101, 102],
        "per_application": 3,
        "existing": set(),
        "blocked": {(100, 1), (101, 3), (102, 7)},
    }
)
def test_sparse_conflicts_leave_loads_within_one(case):
    plan = balanced_assignment(**case)

    assert plan.shortfalls == {}
    assert not set(plan.new_pairs) & case["blocked"]
    assert len(plan.new_pairs) == case["per_application"] * len(case["applications"])
    assert spread(plan.loads) <= 1, plan.loads


@PROPERTY_SETTINGS
@given(
    panelists=st.lists(st.integers(1, 40), min_size=1, max_size=8, unique=True),
    applications=st.lists(st.integers(100, 400), max_size=15, unique=True),
    per_application=st.integers(1, 4),
)
def test_without_blocks_or_existing_pairs_loads_differ_by_at_most_one(
    panelists, applications, per_application
):
    plan = balanced_assignment(
        applications=applications, panelists=panelists, per_application=per_application
    )

    assert spread(plan.loads) <= 1, plan.loads
    assert sum(plan.loads.values()) == len(applications) * min(
        per_application, len(panelists)
    )


def test_worked_example_existing_pairs_stay_and_new_work_goes_to_the_lightest():
    # Panelist 1 already holds two reviews; 2 and 3 hold none.
    plan = balanced_assignment(
        applications=[10, 11, 12],
        panelists=[1, 2, 3],
        per_application=1,
        existing={(10, 1), (11, 1)},
    )

    assert plan.new_pairs in ([(12, 2)], [(12, 3)])
    assert plan.loads[1] == 2
    assert plan.shortfalls == {}


# Planning and applying through the services --------------------------------------------


def grant_rows():
    return ApplicationUserObjectPermission.objects.count()


@pytest.fixture
def round_panel():
    """A panel needing two reviewers per application, with three panelists."""
    panel, form, _rubric = make_panel(reviewers_per_application=2)
    people = [seat(panel, user=UserFactory()).user for _ in range(3)]
    return panel, form, people


def test_plan_preview_writes_nothing(round_panel):
    panel, form, _people = round_panel
    for _ in range(3):
        application_for(form)

    plan = services.plan_assignments(panel=panel)

    assert len(plan.new_pairs) == 6
    assert plan.shortfalls == {}
    assert Assignment.objects.count() == 0
    assert grant_rows() == 0


def test_applying_the_plan_creates_balanced_assignments_with_review_grants(
    round_panel, program_staff
):
    panel, form, people = round_panel
    applications = [application_for(form) for _ in range(3)]

    plan = services.apply_assignment_plan(actor=program_staff, panel=panel)

    pairs = set(Assignment.objects.values_list("application_id", "panelist_id"))
    assert pairs == set(plan.new_pairs)
    assert len(pairs) == 6
    assert Counter(p for _a, p in pairs) == {person.pk: 2 for person in people}
    for assignment in Assignment.objects.select_related("panelist", "application"):
        assert can_review(assignment.panelist, assignment.application)
        assert assignment.assigned_by == program_staff
        assert assignment.panel == panel
    for application in applications:
        assigned = {p for a, p in pairs if a == application.pk}
        for person in people:
            assert can_review(person, application) == (person.pk in assigned)
    assert log_entries("applications.assign_reviewer").count() == 6
    assert log_entries("applications.apply_assignment_plan", panel).count() == 1


def test_each_panelist_with_new_work_gets_one_email_without_application_details(
    program_staff, mailoutbox, django_capture_on_commit_callbacks
):
    panel, form, _rubric = make_panel(reviewers_per_application=1)
    busy, idle = (seat(panel, user=UserFactory()).user for _ in range(2))
    paused_seat = seat(panel, user=UserFactory())
    services.pause_reviewing(actor=paused_seat.user, membership=paused_seat)
    applications = [application_for(form) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        plan = services.apply_assignment_plan(actor=program_staff, panel=panel)

    loads = Counter(person for _app, person in plan.new_pairs)
    assert sorted(loads.values()) == [1, 2]
    by_address = {m.to[0]: m for m in mailoutbox}
    assert len(mailoutbox) == 2
    assert set(by_address) == {busy.email, idle.email}
    for person in (busy, idle):
        message = by_address[person.email]
        assert message.subject == "New applications to review"
        count = loads[person.pk]
        expected = (
            "One new application is" if count == 1 else f"{count} new applications are"
        )
        assert expected in message.body
        for application in applications:
            assert application.reference not in message.body
            assert application.title not in message.body
            assert application.organization.public_name not in message.body


def test_auto_assignment_skips_conflicts_organization_members_and_paused_panelists(
    program_staff,
):
    panel, form, _rubric = make_panel(reviewers_per_application=2)
    conflicted, member, free = (seat(panel, user=UserFactory()).user for _ in range(3))
    paused_seat = seat(panel, user=UserFactory())
    x, y, z = (application_for(form) for _ in range(3))
    record_conflict(program_staff, panel, x, conflicted)
    MembershipFactory(organization=y.organization, user=member)
    services.pause_reviewing(actor=paused_seat.user, membership=paused_seat)

    plan = services.apply_assignment_plan(actor=program_staff, panel=panel)

    pairs = set(Assignment.objects.values_list("application_id", "panelist_id"))
    assert (x.pk, conflicted.pk) not in pairs
    assert (y.pk, member.pk) not in pairs
    assert paused_seat.user_id not in {p for _a, p in pairs}
    assert {p for a, p in pairs if a == x.pk} == {member.pk, free.pk}
    assert {p for a, p in pairs if a == y.pk} == {conflicted.pk, free.pk}
    assert len({p for a, p in pairs if a == z.pk}) == 2
    assert plan.shortfalls == {}
    assert not can_review(conflicted, x)
    assert not can_review(member, y)
    assert not can_review(paused_seat.user, z)


def test_rerun_adds_only_the_late_application_and_keeps_every_existing_assignment(
    round_panel, program_staff
):
    panel, form, _people = round_panel
    first, _second = application_for(form), application_for(form)
    services.apply_assignment_plan(actor=program_staff, panel=panel)
    reviewed = Assignment.objects.filter(application=first).first()
    services.declare_conflict(
        actor=reviewed.panelist, assignment=reviewed, has_conflict=False
    )
    services.save_review(
        actor=reviewed.panelist,
        assignment=reviewed,
        scores=scores_for(panel, [4, 3]),
        recommendation="fund",
        submit=True,
    )
    before = set(Assignment.objects.values_list("pk", "application_id", "panelist_id"))
    late = application_for(form)

    plan = services.apply_assignment_plan(actor=program_staff, panel=panel)

    after = set(Assignment.objects.values_list("pk", "application_id", "panelist_id"))
    assert before <= after
    added = after - before
    assert {app for _pk, app, _p in added} == {late.pk}
    assert len(added) == 2
    assert {(a, p) for _pk, a, p in added} == set(plan.new_pairs)
    reviewed.review.refresh_from_db()
    assert reviewed.review.submitted_at is not None
    assert len(before) == 4
    # Two, one and one before; the late application goes to the two lighter ones.
    assert sorted(plan.loads.values()) == [2, 2, 2]


def test_too_few_panelists_is_reported_as_shortfalls(program_staff):
    panel, form, _rubric = make_panel(reviewers_per_application=3)
    people = [seat(panel, user=UserFactory()).user for _ in range(2)]
    x, y = application_for(form), application_for(form)
    record_conflict(program_staff, panel, y, people[0])

    plan = services.apply_assignment_plan(actor=program_staff, panel=panel)

    assert plan.shortfalls == {x.pk: 1, y.pk: 2}
    assert set(Assignment.objects.values_list("application_id", "panelist_id")) == {
        (x.pk, people[0].pk),
        (x.pk, people[1].pk),
        (y.pk, people[1].pk),
    }


def test_rerun_counts_work_on_already_decided_applications_in_the_loads(program_staff):
    # plan_assignments promises: "Loads count every assignment the panelist already
    # holds on this panel." A reviewed the first application, which was then put on
    # the waiting list; the late application should go to B, who has done nothing.
    panel, form, _rubric = make_panel(reviewers_per_application=1)
    a = seat(panel, user=UserFactory()).user
    b = seat(panel, user=UserFactory()).user
    decided = application_for(form)
    submit_review(program_staff, panel, decided, a, [4, 4])
    services.record_recommendation(
        actor=program_staff,
        application=decided,
        method="consensus",
        outcome="fund",
        rationale="Solid plan.",
    )
    services.record_decision(
        actor=program_staff, application=decided, outcome="waitlist"
    )
    late = application_for(form)

    plan = services.apply_assignment_plan(actor=program_staff, panel=panel)

    assert plan.loads == {a.pk: 1, b.pk: 1}
    assert plan.new_pairs == [(late.pk, b.pk)]
    assert Assignment.objects.filter(application=late).get().panelist == b


@pytest.fixture
def panel_chair(round_panel):
    panel, _form, _people = round_panel
    return seat(panel, role="chair", user=UserFactory()).user


@pytest.mark.parametrize(
    "role", ["panelist", "applicant", "finance_officer", "panel_chair"]
)
def test_only_program_staff_may_apply_a_plan(request, round_panel, role):
    panel, form, _people = round_panel
    application_for(form)
    actor = request.getfixturevalue(role)

    with pytest.raises(PermissionDenied):
        services.apply_assignment_plan(actor=actor, panel=panel)

    assert Assignment.objects.count() == 0
    assert grant_rows() == 0


# Assigning and withdrawing one reviewer ----------------------------------------------


def assert_not_assigned(application, person):
    assert not Assignment.objects.filter(
        application=application, panelist=person
    ).exists()
    assert not can_review(person, application)


def test_assign_reviewer_gives_the_panelist_the_application(round_panel, program_staff):
    panel, form, people = round_panel
    application = application_for(form)

    assignment = assign(program_staff, panel, application, people[0])

    assert assignment.pk is not None
    assert assignment.due_on == panel.reviews_due_on
    assert can_review(people[0], application)
    assert not can_review(people[1], application)


def test_assign_reviewer_refuses_a_panelist_with_a_declared_conflict(
    round_panel, program_staff
):
    panel, form, people = round_panel
    application = application_for(form)
    record_conflict(program_staff, panel, application, people[0])

    with pytest.raises(ValidationError) as error:
        assign(program_staff, panel, application, people[0])

    assert error.value.code == "conflict"
    assert_not_assigned(application, people[0])


def test_assign_reviewer_refuses_a_member_of_the_applying_organization(
    round_panel, program_staff
):
    panel, form, people = round_panel
    application = application_for(form)
    MembershipFactory(organization=application.organization, user=people[0])

    with pytest.raises(ValidationError) as error:
        assign(program_staff, panel, application, people[0])

    assert error.value.code == "conflict"
    assert_not_assigned(application, people[0])


def test_assign_reviewer_refuses_a_paused_panelist(round_panel, program_staff):
    panel, form, people = round_panel
    application = application_for(form)
    membership = panel.members.get(user=people[0])
    services.pause_reviewing(actor=people[0], membership=membership)

    with pytest.raises(ValidationError):
        assign(program_staff, panel, application, people[0])

    assert_not_assigned(application, people[0])


def test_assign_reviewer_refuses_someone_not_on_the_panel(round_panel, program_staff):
    panel, form, _people = round_panel
    application = application_for(form)
    outsider = UserFactory(roles=[roles.PANELISTS])
    other_panel, _other_form, _rubric = make_panel()
    seat(other_panel, user=outsider)

    with pytest.raises(ValidationError):
        assign(program_staff, panel, application, outsider)

    assert_not_assigned(application, outsider)


def test_assign_reviewer_refuses_an_application_of_another_round(
    round_panel, program_staff
):
    panel, _form, people = round_panel
    _other_panel, other_form, _rubric = make_panel()
    elsewhere = application_for(other_form)

    with pytest.raises(ValidationError):
        assign(program_staff, panel, elsewhere, people[0])

    assert_not_assigned(elsewhere, people[0])


@pytest.mark.parametrize(
    "status",
    [
        Application.Status.SUBMITTED,
        Application.Status.SCREENING,
        Application.Status.INELIGIBLE,
        Application.Status.WITHDRAWN,
        Application.Status.AWARDED,
    ],
)
def test_assign_reviewer_refuses_an_application_not_found_eligible(
    round_panel, program_staff, status
):
    panel, form, people = round_panel
    application = application_for(form, status=status)

    with pytest.raises(ValidationError):
        assign(program_staff, panel, application, people[0])

    assert_not_assigned(application, people[0])


def test_assign_reviewer_refuses_a_duplicate(round_panel, program_staff):
    panel, form, people = round_panel
    application = application_for(form)
    first = assign(program_staff, panel, application, people[0])

    with pytest.raises(ValidationError) as error:
        assign(program_staff, panel, application, people[0])

    assert error.value.code == "assigned"
    assert list(Assignment.objects.filter(application=application)) == [first]


@pytest.mark.parametrize("role", ["panelist", "applicant", "finance_officer"])
def test_only_program_staff_may_assign_a_reviewer(request, round_panel, role):
    panel, form, people = round_panel
    application = application_for(form)

    with pytest.raises(PermissionDenied):
        assign(request.getfixturevalue(role), panel, application, people[0])

    assert_not_assigned(application, people[0])


def test_withdrawing_a_reviewer_removes_the_assignment_draft_and_grant_at_once(
    round_panel, program_staff
):
    panel, form, people = round_panel
    application = application_for(form)
    assignment = ready_to_review(program_staff, panel, application, people[0])
    services.save_review(
        actor=people[0], assignment=assignment, scores=scores_for(panel, [3])
    )
    assert can_review(people[0], application)

    services.withdraw_reviewer(actor=program_staff, assignment=assignment)

    # The same user object, as a request already in flight would hold it.
    assert not can_review(people[0], application)
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    assert Review.objects.count() == 0
    assert Score.objects.count() == 0
    assert grant_rows() == 0
    assert log_entries("applications.withdraw_reviewer", application).count() == 1


def test_withdrawing_a_submitted_review_is_refused(round_panel, program_staff):
    panel, form, people = round_panel
    application = application_for(form)
    review = submit_review(program_staff, panel, application, people[0], [4, 4])

    with pytest.raises(ValidationError) as error:
        services.withdraw_reviewer(actor=program_staff, assignment=review.assignment)

    assert error.value.code == "submitted"
    assert Assignment.objects.filter(pk=review.assignment_id).exists()
    assert Review.objects.get(pk=review.pk).submitted_at is not None
    assert can_review(people[0], application)


@pytest.mark.parametrize("role", ["panelist", "applicant", "finance_officer"])
def test_only_program_staff_may_withdraw_a_reviewer(
    request, round_panel, program_staff, role
):
    panel, form, people = round_panel
    application = application_for(form)
    assignment = assign(program_staff, panel, application, people[0])

    with pytest.raises(PermissionDenied):
        services.withdraw_reviewer(
            actor=request.getfixturevalue(role), assignment=assignment
        )

    assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert can_review(people[0], application)
