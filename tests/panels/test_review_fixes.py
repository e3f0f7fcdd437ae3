"""Review fixes: conflicted chairs stay out, reviews close with the application,
members can be taken off a panel, and the previewed plan is the one applied.

Also: anonymous reviews on the recommendation page, rubric edits that would orphan
draft scores, shared ranks, cross-panel admin ids, hours before the round opened and
plain-text emails.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import (
    Assignment,
    Attachment,
    Criterion,
    HoursEntry,
    PanelInvitation,
    PanelMembership,
    PanelRecommendation,
    Review,
    Rubric,
    Score,
)
from applications.ranking import panel_ranking
from portal.permissions import can_chair, can_review
from tests.factories import MembershipFactory, UserFactory, rubric_levels
from tests.helpers import login_verified
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

PDF_BYTES = b"%PDF-1.4 budget"
RECOMMENDATION = {
    "method": "consensus",
    "outcome": "fund",
    "rationale": "A strong survivor-led plan.",
}


def url(name, **kwargs):
    return reverse(f"applications:{name}", kwargs=kwargs)


def recommend_url(panel, application):
    return url("panel_recommend", panel_id=panel.pk, public_id=application.public_id)


def review_url(application):
    return url("review", public_id=application.public_id)


def row_for(html, reference):
    """The one table row of the meeting page that names this application."""
    rows = [
        row
        for row in re.findall(r"<tr\b.*?</tr>", html, flags=re.DOTALL)
        if reference in row
    ]
    assert len(rows) == 1, reference
    return rows[0]


# 1. Conflicted chairs stay out ----------------------------------------------------------


@pytest.fixture
def chair_case(program_staff):
    """A chair, and two applications with one submitted review each."""
    panel, form, _rubric = make_panel()
    chair = seat(panel, role="chair").user
    reviewer = seat(panel).user
    kept_out = application_for(form)
    other = application_for(form)
    kept_out_review = submit_review(program_staff, panel, kept_out, reviewer, [4, 3])
    submit_review(program_staff, panel, other, reviewer, [3, 3])
    return {
        "staff": program_staff,
        "panel": panel,
        "chair": chair,
        "kept_out": kept_out,
        "kept_out_review": kept_out_review,
        "other": other,
    }


def keep_chair_out(case, how):
    """Declare a conflict through the services, or make the chair a member of the
    applying organization."""
    if how == "declared":
        record_conflict(case["staff"], case["panel"], case["kept_out"], case["chair"])
    else:
        MembershipFactory(
            organization=case["kept_out"].organization, user=case["chair"]
        )


CONFLICTS = ["declared", "member"]


@pytest.mark.parametrize("how", CONFLICTS)
def test_a_conflicted_chair_gets_404_on_the_recommendation_page_and_writes_nothing(
    client, chair_case, how
):
    keep_chair_out(chair_case, how)
    target = recommend_url(chair_case["panel"], chair_case["kept_out"])
    login_verified(client, chair_case["chair"])

    assert client.get(target).status_code == 404
    assert client.post(target, RECOMMENDATION).status_code == 404

    assert not PanelRecommendation.objects.exists()
    assert not log_entries("applications.record_recommendation").exists()


@pytest.mark.parametrize("how", CONFLICTS)
def test_a_conflicted_chair_cannot_record_a_recommendation_through_the_service(
    chair_case, how
):
    keep_chair_out(chair_case, how)

    with pytest.raises(PermissionDenied):
        services.record_recommendation(
            actor=chair_case["chair"],
            application=chair_case["kept_out"],
            **RECOMMENDATION,
        )

    assert not PanelRecommendation.objects.exists()
    assert not log_entries("applications.record_recommendation").exists()


@pytest.mark.parametrize("how", CONFLICTS)
def test_a_conflicted_chair_cannot_reopen_a_review_of_that_application(
    client, chair_case, how
):
    keep_chair_out(chair_case, how)
    review = chair_case["kept_out_review"]
    login_verified(client, chair_case["chair"])

    response = client.post(
        url("review_reopen", panel_id=chair_case["panel"].pk, review_id=review.pk)
    )

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.reopen_review(actor=chair_case["chair"], review=review)
    review.refresh_from_db()
    assert review.submitted_at is not None
    assert review.weighted_score is not None
    assert not log_entries("applications.reopen_review").exists()


@pytest.mark.parametrize("how", CONFLICTS)
def test_the_meeting_page_keeps_a_conflicted_chair_out_of_that_row_only(
    client, chair_case, how
):
    keep_chair_out(chair_case, how)
    panel, kept_out, other = (
        chair_case["panel"],
        chair_case["kept_out"],
        chair_case["other"],
    )
    login_verified(client, chair_case["chair"])

    response = client.get(url("panel_meeting", panel_id=panel.pk))

    assert response.status_code == 200
    html = response.content.decode()
    kept_out_row = row_for(html, kept_out.reference)
    assert "You stay out of this one" in kept_out_row
    assert recommend_url(panel, kept_out) not in html
    other_row = row_for(html, other.reference)
    assert recommend_url(panel, other) in other_row
    assert "You stay out of this one" not in other_row


@pytest.mark.parametrize("how", CONFLICTS)
def test_program_staff_still_record_what_a_conflicted_chair_may_not(
    client, chair_case, program_staff, how
):
    keep_chair_out(chair_case, how)
    panel, kept_out = chair_case["panel"], chair_case["kept_out"]
    login_verified(client, program_staff)

    page = client.get(recommend_url(panel, kept_out))
    response = client.post(recommend_url(panel, kept_out), RECOMMENDATION)

    assert page.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == url("panel_meeting", panel_id=panel.pk)
    recommendation = PanelRecommendation.objects.get()
    assert recommendation.application == kept_out
    assert recommendation.recorded_by == program_staff


@pytest.mark.parametrize("how", CONFLICTS)
def test_a_conflicted_chair_still_records_the_applications_they_are_free_of(
    chair_case, how
):
    keep_chair_out(chair_case, how)

    services.record_recommendation(
        actor=chair_case["chair"], application=chair_case["other"], **RECOMMENDATION
    )

    recommendation = PanelRecommendation.objects.get()
    assert recommendation.application == chair_case["other"]
    assert recommendation.recorded_by == chair_case["chair"]


# 2. The recommendation page: anonymous reviews, own review first --------------------------

STRENGTHS = "Peer mentors with lived experience lead every session."
CONCERNS = "The housing budget looks thin for a full year."


@pytest.fixture
def reviewed(program_staff):
    """One application with two submitted reviews by recognisable panelists."""
    panel, form, _rubric = make_panel()
    chair = seat(panel, role="chair").user
    first = seat(
        panel,
        user=UserFactory(
            first_name="Zephyrine", email="zephyrine.reviewer@example.org"
        ),
    ).user
    second = seat(
        panel,
        user=UserFactory(first_name="Octavian", email="octavian.reviewer@example.org"),
    ).user
    application = application_for(form)
    submit_review(program_staff, panel, application, first, [5, 4], strengths=STRENGTHS)
    submit_review(program_staff, panel, application, second, [3, 3], concerns=CONCERNS)
    return {
        "staff": program_staff,
        "panel": panel,
        "chair": chair,
        "reviewers": [first, second],
        "application": application,
    }


@pytest.mark.parametrize("who", ["chair", "program_staff"])
def test_the_recommendation_page_numbers_reviewers_and_never_names_them(
    client, request, reviewed, who
):
    person = reviewed["chair"] if who == "chair" else request.getfixturevalue(who)
    login_verified(client, person)

    response = client.get(recommend_url(reviewed["panel"], reviewed["application"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Reviewer 1" in html
    assert "Reviewer 2" in html
    assert STRENGTHS in html
    assert CONCERNS in html
    for reviewer in reviewed["reviewers"]:
        assert reviewer.first_name not in html
        assert reviewer.email not in html


def test_a_chair_reads_the_others_reviews_only_after_submitting_their_own(
    client, reviewed
):
    panel, application, chair = (
        reviewed["panel"],
        reviewed["application"],
        reviewed["chair"],
    )
    assignment = ready_to_review(reviewed["staff"], panel, application, chair)
    services.save_review(
        actor=chair,
        assignment=assignment,
        scores=scores_for(panel, [4]),
    )  # a draft
    login_verified(client, chair)

    before = client.get(recommend_url(panel, application))

    assert before.status_code == 200
    html = before.content.decode()
    assert "Please submit your own review of this application first" in html
    assert STRENGTHS not in html
    assert CONCERNS not in html
    assert "Reviewer 1" not in html

    services.save_review(
        actor=chair,
        assignment=assignment,
        scores=scores_for(panel, [4, 4]),
        recommendation="fund",
        submit=True,
    )
    after = client.get(recommend_url(panel, application))

    assert after.status_code == 200
    html = after.content.decode()
    assert "Please submit your own review of this application first" not in html
    assert STRENGTHS in html
    assert CONCERNS in html
    assert "Reviewer 3" in html


# 3. Rubric edits that would orphan draft scores ------------------------------------------


def form_fields(html):
    """Every named input of a rendered form, with its value where it has one."""
    fields = {}
    for tag in re.findall(r"<(?:input|textarea|select)\b[^>]*>", html):
        name = re.search(r'\bname="([^"]+)"', tag)
        if not name:
            continue
        value = re.search(r'\bvalue="([^"]*)"', tag)
        fields[name.group(1)] = value.group(1) if value else ""
    return fields


@pytest.fixture
def drafted(program_staff):
    """A rubric (scale 1-5, two criteria) with a draft review scoring both 5 and 4."""
    panel, form, rubric = make_panel()
    panelist = seat(panel).user
    assignment = ready_to_review(program_staff, panel, application_for(form), panelist)
    services.save_review(
        actor=panelist, assignment=assignment, scores=scores_for(panel, [5, 4])
    )
    return {"panel": panel, "rubric": rubric}


def post_rubric(client, rubric, *, scale_max, delete=(), title_prefix=""):
    """The admin edit form's POST for the rubric's criteria, as the GET form names
    them; ``delete`` lists criteria marked for deletion."""
    target = f"/admin/rubrics/edit/{rubric.pk}/"
    names = form_fields(client.get(target).content.decode())
    criteria = list(rubric.criteria.all())
    assert names["criteria-TOTAL_FORMS"] == str(len(criteria))
    data = {
        "funding_round": rubric.funding_round_id,
        "scale_max": scale_max,
        "instructions": rubric.instructions,
        "criteria-TOTAL_FORMS": len(criteria),
        "criteria-INITIAL_FORMS": names["criteria-INITIAL_FORMS"],
        "criteria-MIN_NUM_FORMS": names["criteria-MIN_NUM_FORMS"],
        "criteria-MAX_NUM_FORMS": names["criteria-MAX_NUM_FORMS"],
    }
    for n, criterion in enumerate(criteria):
        data.update(
            {
                f"criteria-{n}-id": criterion.pk,
                f"criteria-{n}-ORDER": n + 1,
                f"criteria-{n}-title": title_prefix + criterion.title,
                f"criteria-{n}-guidance": criterion.guidance,
                f"criteria-{n}-weight": criterion.weight,
                f"criteria-{n}-level_descriptions": rubric_levels(scale_max),
            }
        )
        if criterion in delete:
            data[f"criteria-{n}-DELETE"] = "on"
    return client.post(target, data)


def rubric_state(rubric):
    rubric = Rubric.objects.get(pk=rubric.pk)
    return {
        "scale_max": rubric.scale_max,
        "criteria": list(
            Criterion.objects.filter(rubric=rubric).values_list(
                "pk", "title", "level_descriptions"
            )
        ),
        "scores": sorted(Score.objects.values_list("criterion_id", "value")),
    }


def test_removing_a_criterion_with_draft_scores_is_refused_with_a_message(
    client, program_staff, drafted
):
    rubric = drafted["rubric"]
    before = rubric_state(rubric)
    scored = list(rubric.criteria.all())[1]
    login_verified(client, program_staff)

    response = post_rubric(client, rubric, scale_max=5, delete=[scored])

    assert response.status_code == 200
    assert (
        "Panelists have started scoring a criterion you removed"
        in response.content.decode()
    )
    assert rubric_state(rubric) == before
    assert Criterion.objects.filter(pk=scored.pk).exists()
    assert Score.objects.filter(criterion=scored).count() == 1
    assert not log_entries("applications.save_rubric").exists()


def test_lowering_the_top_score_below_a_draft_score_is_refused(
    client, program_staff, drafted
):
    rubric = drafted["rubric"]
    before = rubric_state(rubric)
    login_verified(client, program_staff)

    response = post_rubric(client, rubric, scale_max=4)

    assert response.status_code == 200
    assert "Some draft scores are higher than this" in response.content.decode()
    assert rubric_state(rubric) == before
    assert not log_entries("applications.save_rubric").exists()


def test_rewording_a_rubric_with_draft_scores_is_still_allowed(
    client, program_staff, drafted
):
    rubric = drafted["rubric"]
    login_verified(client, program_staff)

    response = post_rubric(client, rubric, scale_max=5, title_prefix="Reworded ")

    assert response.status_code == 302
    assert all(c.title.startswith("Reworded ") for c in rubric.criteria.all())
    assert Score.objects.count() == 2


# 4. Reviews close with the application ---------------------------------------------------


def budget_field_id(form):
    return next(
        block["id"]
        for block in form.fields.raw_data
        if block["value"].get("label") == "Budget document"
    )


def make_attachment(application, form):
    attachment = Attachment(
        application=application,
        field_id=budget_field_id(form),
        original_name="budget.pdf",
        size=len(PDF_BYTES),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    attachment.file.save("budget.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def drafting(program_staff):
    """A panelist halfway through a review of an application with a file."""
    panel, form, _rubric = make_panel()
    application = application_for(form)
    attachment = make_attachment(application, form)
    drafter = seat(panel).user
    assignment = ready_to_review(program_staff, panel, application, drafter)
    review = services.save_review(
        actor=drafter, assignment=assignment, scores=scores_for(panel, [3])
    )
    return {
        "staff": program_staff,
        "panel": panel,
        "application": application,
        "attachment": attachment,
        "drafter": drafter,
        "assignment": assignment,
        "review": review,
    }


def close(case, how, applicant):
    """Withdraw the application as its applicant, or decide it after the panel
    recommended (another panelist's review is what the recommendation rests on)."""
    application = case["application"]
    if how == "withdrawn":
        MembershipFactory(organization=application.organization, user=applicant)
        services.withdraw_application(
            actor=applicant, application=application, reason="Not this year"
        )
    else:
        other = seat(case["panel"]).user
        submit_review(case["staff"], case["panel"], application, other, [4, 4])
        services.record_recommendation(
            actor=case["staff"], application=application, **RECOMMENDATION
        )
        services.record_decision(
            actor=case["staff"], application=application, outcome="decline"
        )


CLOSINGS = ["withdrawn", "decided"]


@pytest.mark.parametrize("how", CLOSINGS)
def test_a_closed_application_leaves_the_reviewers_pages_and_queue(
    client, drafting, applicant, how
):
    application = drafting["application"]
    file_url = url(
        "review_file",
        public_id=application.public_id,
        attachment_id=drafting["attachment"].pk,
    )
    login_verified(client, drafting["drafter"])
    assert client.get(review_url(application)).status_code == 200
    assert client.get(file_url).status_code == 200
    assert review_url(application) in client.get("/portal/").content.decode()

    close(drafting, how, applicant)

    assert client.get(review_url(application)).status_code == 404
    assert client.get(file_url).status_code == 404
    portal = client.get("/portal/")
    assert portal.status_code == 200
    assert review_url(application) not in portal.content.decode()


@pytest.mark.parametrize("how", CLOSINGS)
def test_a_review_cannot_be_submitted_once_the_application_is_closed(
    drafting, applicant, how
):
    close(drafting, how, applicant)
    panel, drafter = drafting["panel"], drafting["drafter"]

    with pytest.raises(ValidationError) as error:
        services.save_review(
            actor=drafter,
            assignment=drafting["assignment"],
            scores=scores_for(panel, [5, 5]),
            recommendation="fund",
            strengths="Changed my mind.",
            submit=True,
        )

    assert error.value.code == "closed"
    review = Review.objects.get(pk=drafting["review"].pk)
    assert review.submitted_at is None
    assert review.weighted_score is None
    assert review.strengths == ""
    assert list(review.scores.values_list("value", flat=True)) == [3]
    assert not log_entries("applications.submit_review").filter(user=drafter).exists()


# 5. Taking someone off a panel -------------------------------------------------------------


@pytest.fixture
def leaving(program_staff):
    """One panelist with an unstarted, a drafted and a submitted assignment."""
    panel, form, _rubric = make_panel(reviewers_per_application=1)
    membership = seat(panel)
    person = membership.user
    unstarted_app = application_for(form)
    drafted_app = application_for(form)
    reviewed_app = application_for(form)
    unstarted = assign(program_staff, panel, unstarted_app, person)
    drafted = ready_to_review(program_staff, panel, drafted_app, person)
    services.save_review(
        actor=person, assignment=drafted, scores=scores_for(panel, [2])
    )
    review = submit_review(program_staff, panel, reviewed_app, person, [4, 4])
    return {
        "staff": program_staff,
        "panel": panel,
        "form": form,
        "membership": membership,
        "person": person,
        "applications": [unstarted_app, drafted_app, reviewed_app],
        "reviewed_app": reviewed_app,
        "unstarted": unstarted,
        "drafted": drafted,
        "review": review,
    }


def test_removing_a_member_ends_open_work_and_keeps_submitted_reviews(leaving):
    staff, panel, person = leaving["staff"], leaving["panel"], leaving["person"]
    assert all(can_review(person, a) for a in leaving["applications"])

    services.remove_panel_member(actor=staff, membership=leaving["membership"])

    membership = PanelMembership.objects.get(pk=leaving["membership"].pk)
    assert membership.removed_at is not None
    assert not Assignment.objects.filter(pk=leaving["unstarted"].pk).exists()
    assert not Assignment.objects.filter(pk=leaving["drafted"].pk).exists()
    kept = Assignment.objects.get(panelist=person)
    assert kept.application == leaving["reviewed_app"]
    assert list(Review.objects.values_list("pk", flat=True)) == [leaving["review"].pk]
    assert Review.objects.get().submitted_at is not None
    assert not any(can_review(person, a) for a in leaving["applications"])
    row = next(r for r in panel_ranking(panel) if r.pk == leaving["reviewed_app"].pk)
    assert row.reviews_done == 1
    assert row.mean_score == pytest.approx(4.0)
    entry = log_entries("applications.remove_panel_member", panel).get()
    assert entry.user_id == staff.pk
    assert entry.data == {"panelist_id": person.pk}


def test_a_removed_member_loses_their_panel_page_and_review_pages_at_once(
    client, leaving
):
    panel, person = leaving["panel"], leaving["person"]
    detail = url("panel_detail", panel_id=panel.pk)
    login_verified(client, person)
    assert client.get(detail).status_code == 200

    services.remove_panel_member(
        actor=leaving["staff"], membership=leaving["membership"]
    )

    assert client.get(detail).status_code == 404
    for application in leaving["applications"]:
        assert client.get(review_url(application)).status_code == 404
    response = client.post(detail, {"worked_on": timezone.localdate(), "hours": "2"})
    assert response.status_code == 404
    assert not HoursEntry.objects.exists()


def test_automatic_assignment_no_longer_picks_a_removed_member(leaving):
    staff, panel, person = leaving["staff"], leaving["panel"], leaving["person"]
    late = application_for(leaving["form"])
    assert services.plan_assignments(panel=panel).new_pairs == [(late.pk, person.pk)]

    services.remove_panel_member(actor=staff, membership=leaving["membership"])

    plan = services.plan_assignments(panel=panel)
    assert plan.new_pairs == []
    assert late.pk in plan.shortfalls
    assert person.pk not in plan.loads
    services.apply_assignment_plan(actor=staff, panel=panel)
    assert not Assignment.objects.filter(application=late).exists()
    with pytest.raises(ValidationError):
        services.assign_reviewer(
            actor=staff, panel=panel, application=late, panelist=person
        )
    assert not Assignment.objects.filter(application=late).exists()


def test_a_removed_chair_can_no_longer_chair(client, leaving):
    panel = leaving["panel"]
    chair_seat = seat(panel, role="chair")
    chair = chair_seat.user
    assert can_chair(chair, panel)

    services.remove_panel_member(actor=leaving["staff"], membership=chair_seat)

    assert not can_chair(chair, panel)
    login_verified(client, chair)
    assert client.get(url("panel_meeting", panel_id=panel.pk)).status_code == 404


@pytest.mark.parametrize(
    "role", ["panelist", "finance_officer", "applicant", "panel_chair"]
)
def test_only_program_staff_take_someone_off_a_panel(request, leaving, role):
    if role == "panel_chair":
        actor = seat(leaving["panel"], role="chair").user
    else:
        actor = request.getfixturevalue(role)
    assignments = set(Assignment.objects.values_list("pk", flat=True))

    with pytest.raises(PermissionDenied):
        services.remove_panel_member(actor=actor, membership=leaving["membership"])

    membership = PanelMembership.objects.get(pk=leaving["membership"].pk)
    assert membership.removed_at is None
    assert set(Assignment.objects.values_list("pk", flat=True)) == assignments
    assert Review.objects.count() == 2
    assert all(can_review(leaving["person"], a) for a in leaving["applications"])
    assert not log_entries("applications.remove_panel_member").exists()


def invite_and_accept(staff, panel, user, role):
    invitation = services.invite_panel_member(
        actor=staff,
        panel=panel,
        email=user.email,
        role=role,
        stipend_rate=Decimal("40.00"),
    )
    return services.accept_panel_invitation(actor=user, token=invitation.token)


def test_a_removed_member_invited_again_is_back_on_the_panel(client, leaving):
    staff, panel, person = leaving["staff"], leaving["panel"], leaving["person"]
    services.remove_panel_member(actor=staff, membership=leaving["membership"])
    late = application_for(leaving["form"])

    assert services.plan_assignments(panel=panel).new_pairs == []

    membership = invite_and_accept(staff, panel, person, "panelist")

    assert membership.pk == leaving["membership"].pk
    membership.refresh_from_db()
    assert membership.removed_at is None
    assert membership.role == PanelMembership.Role.PANELIST
    # Back in the pool: the late application and the two whose open assignments
    # were taken back go to them again.
    unstarted_app, drafted_app, _reviewed = leaving["applications"]
    assert set(services.plan_assignments(panel=panel).new_pairs) == {
        (unstarted_app.pk, person.pk),
        (drafted_app.pk, person.pk),
        (late.pk, person.pk),
    }
    login_verified(client, person)
    assert client.get(url("panel_detail", panel_id=panel.pk)).status_code == 200


def test_a_removed_panelist_invited_back_as_chair_becomes_the_chair(leaving):
    staff, panel, person = leaving["staff"], leaving["panel"], leaving["person"]
    services.remove_panel_member(actor=staff, membership=leaving["membership"])
    assert not can_chair(person, panel)

    membership = invite_and_accept(staff, panel, person, "chair")

    membership.refresh_from_db()
    assert (membership.role, membership.removed_at) == ("chair", None)
    assert can_chair(person, panel)


def test_a_panelist_accepting_a_chair_invitation_becomes_the_chair(program_staff):
    panel, _form, _rubric = make_panel()
    person = UserFactory()
    invitation = services.invite_panel_member(
        actor=program_staff,
        panel=panel,
        email=person.email,
        role="chair",
        stipend_rate=Decimal("50.00"),
    )
    seat(panel, user=person)  # joined as a panelist before opening the invitation
    assert not can_chair(person, panel)

    membership = services.accept_panel_invitation(actor=person, token=invitation.token)

    assert PanelMembership.objects.filter(panel=panel, user=person).count() == 1
    membership.refresh_from_db()
    assert membership.role == PanelMembership.Role.CHAIR
    assert can_chair(person, panel)
    assert PanelInvitation.objects.get(pk=invitation.pk).accepted_at is not None


# 6. Shared ranks ----------------------------------------------------------------------------


def test_equal_mean_scores_share_a_rank_and_the_next_rank_skips(program_staff):
    panel, form, _rubric = make_panel()
    tied_first = application_for(form)
    tied_second = application_for(form)
    lower = application_for(form)
    for application, scores in [
        (tied_first, [4, 4]),
        (tied_second, [4, 4]),
        (lower, [2, 3]),
    ]:
        submit_review(program_staff, panel, application, seat(panel).user, scores)

    ranks = {row.pk: row.rank for row in panel_ranking(panel)}

    assert ranks == {tied_first.pk: 1, tied_second.pk: 1, lower.pk: 3}


# 7. Admin confirm pages of another panel --------------------------------------------------


def test_confirm_pages_answer_404_for_another_panels_ids_on_get_and_post(
    client, program_staff
):
    panel_a, _form_a, _rubric_a = make_panel()
    panel_b, form_b, _rubric_b = make_panel()
    member_b = seat(panel_b)
    assignment_b = assign(
        program_staff, panel_b, application_for(form_b), member_b.user
    )
    invitation_b = services.invite_panel_member(
        actor=program_staff,
        panel=panel_b,
        email="invited.b@example.org",
        role="panelist",
        stipend_rate=Decimal("40.00"),
    )
    paths = [
        f"assignments/{assignment_b.pk}/remove/",
        f"invitations/{invitation_b.pk}/revoke/",
        f"members/{member_b.pk}/rate/",
        f"members/{member_b.pk}/remove/",
    ]
    login_verified(client, program_staff)

    for path in paths:
        own = client.get(f"/admin/panels/inspect/{panel_b.pk}/{path}")
        assert own.status_code == 200, path
        target = f"/admin/panels/inspect/{panel_a.pk}/{path}"
        assert client.get(target).status_code == 404, path
        assert client.post(target, {"stipend_rate": "99.00"}).status_code == 404, path

    assert Assignment.objects.filter(pk=assignment_b.pk).exists()
    assert PanelInvitation.objects.get(pk=invitation_b.pk).revoked_at is None
    member_b.refresh_from_db()
    assert (member_b.stipend_rate, member_b.removed_at) == (Decimal("40.00"), None)


# 8. Hours before the round opened ------------------------------------------------------------


def test_hours_before_the_round_opened_are_refused_and_nothing_is_written():
    panel, _form, _rubric = make_panel()
    membership = seat(panel)
    opened_on = timezone.localdate(panel.funding_round.opens_at)

    with pytest.raises(ValidationError) as error:
        services.log_hours(
            actor=membership.user,
            membership=membership,
            worked_on=opened_on - timedelta(days=1),
            hours=Decimal("2"),
        )

    assert "worked_on" in error.value.message_dict
    assert not HoursEntry.objects.exists()
    assert not log_entries("applications.log_hours").exists()


def test_hours_on_the_day_the_round_opened_are_accepted():
    panel, _form, _rubric = make_panel()
    membership = seat(panel)
    opened_on = timezone.localdate(panel.funding_round.opens_at)

    entry = services.log_hours(
        actor=membership.user,
        membership=membership,
        worked_on=opened_on,
        hours=Decimal("2"),
    )

    assert HoursEntry.objects.get() == entry
    assert entry.worked_on == opened_on


# 9. Plain-text emails are not HTML-escaped ----------------------------------------------------


def test_the_invitation_email_keeps_the_panel_name_as_typed(
    program_staff, mailoutbox, django_capture_on_commit_callbacks
):
    panel, _form, _rubric = make_panel(name="Hope & Healing <North>")

    with django_capture_on_commit_callbacks(execute=True):
        services.invite_panel_member(
            actor=program_staff,
            panel=panel,
            email="new.member@example.org",
            role="panelist",
            stipend_rate=Decimal("40.00"),
        )

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Hope & Healing <North>" in body
    assert "&amp;" not in body
    assert "&lt;" not in body


def test_the_assignment_email_keeps_the_panelists_name_as_typed(
    program_staff, mailoutbox, django_capture_on_commit_callbacks
):
    panel, form, _rubric = make_panel(reviewers_per_application=1)
    seat(panel, user=UserFactory(first_name="Ana-Lucía O'Hara & Jo"))
    application_for(form)

    with django_capture_on_commit_callbacks(execute=True):
        services.apply_assignment_plan(actor=program_staff, panel=panel)

    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    assert "Hello Ana-Lucía O'Hara & Jo," in body
    assert "&amp;" not in body
    assert "&#x27;" not in body


# 10. The previewed plan is the one applied -----------------------------------------------------


def test_applying_a_plan_that_changed_since_the_preview_creates_nothing(program_staff):
    panel, form, _rubric = make_panel(reviewers_per_application=1)
    seat(panel)
    application_for(form)
    previewed = services.plan_assignments(panel=panel).digest
    application_for(form)  # a late application arrives before the click

    with pytest.raises(ValidationError) as error:
        services.apply_assignment_plan(
            actor=program_staff, panel=panel, expected=previewed
        )

    assert error.value.code == "changed"
    assert not Assignment.objects.exists()
    assert not log_entries("applications.apply_assignment_plan").exists()


def test_applying_the_current_preview_creates_its_assignments(program_staff):
    panel, form, _rubric = make_panel(reviewers_per_application=1)
    person = seat(panel).user
    first = application_for(form)
    outdated = services.plan_assignments(panel=panel).digest
    second = application_for(form)
    with pytest.raises(ValidationError):
        services.apply_assignment_plan(
            actor=program_staff, panel=panel, expected=outdated
        )
    current = services.plan_assignments(panel=panel)

    plan = services.apply_assignment_plan(
        actor=program_staff, panel=panel, expected=current.digest
    )

    assert plan.new_pairs == current.new_pairs
    pairs = set(Assignment.objects.values_list("application_id", "panelist_id"))
    assert pairs == {(first.pk, person.pk), (second.pk, person.pk)}
    assert can_review(person, first)
    assert can_review(person, second)


def test_a_panelist_on_the_panel_can_be_invited_to_chair_it(program_staff, mailoutbox):
    panel, _form, _rubric = make_panel()
    member = seat(panel, user=UserFactory())
    with pytest.raises(ValidationError):
        services.invite_panel_member(
            actor=program_staff,
            panel=panel,
            email=member.user.email,
            role="panelist",
            stipend_rate=Decimal("40"),
        )
    invitation = services.invite_panel_member(
        actor=program_staff,
        panel=panel,
        email=member.user.email,
        role="chair",
        stipend_rate=Decimal("40"),
    )
    services.accept_panel_invitation(actor=member.user, token=invitation.token)
    member.refresh_from_db()
    assert member.role == "chair"
    assert can_chair(member.user, panel)
