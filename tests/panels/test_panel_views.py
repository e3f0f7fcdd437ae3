"""The panelist's and chair's pages: the queue, conflicts, scoring, hours, the meeting,
recommendations, reopening, and joining a panel from an invitation.

Every page that takes an id answers 404 to anyone it does not belong to, and a refused
request writes nothing.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import (
    Assignment,
    Attachment,
    ConflictDeclaration,
    HoursEntry,
    PanelMembership,
    PanelRecommendation,
    Review,
    Score,
)
from portal.models import User
from tests.factories import OrganizationFactory, UserFactory
from tests.helpers import login_verified
from tests.panels.helpers import (
    application_for,
    criteria_of,
    make_panel,
    seat,
    submit_review,
)

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4 budget"
PASSWORD = "a-very-long-panel-password"


def block_id(form, label):
    return next(
        block["id"]
        for block in form.fields.raw_data
        if block["value"].get("label") == label
    )


def make_attachment(application, form):
    attachment = Attachment(
        application=application,
        field_id=block_id(form, "Budget document"),
        original_name="budget.pdf",
        size=len(PDF_BYTES),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    attachment.file.save("budget.pdf", ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def world(program_staff):
    """A blind panel, one application with a file, one assigned panelist."""
    panel, form, rubric = make_panel()
    organization = OrganizationFactory(public_name="Lakeshore Survivor Alliance")
    application = application_for(form, organization=organization)
    attachment = make_attachment(application, form)
    reviewer = seat(panel).user
    assignment = services.assign_reviewer(
        actor=program_staff, panel=panel, application=application, panelist=reviewer
    )
    return {
        "panel": panel,
        "form": form,
        "rubric": rubric,
        "application": application,
        "attachment": attachment,
        "reviewer": reviewer,
        "assignment": assignment,
    }


def url(name, **kwargs):
    return reverse(f"applications:{name}", kwargs=kwargs)


def review_url(application):
    return url("review", public_id=application.public_id)


def conflict_url(application):
    return url("review_conflict", public_id=application.public_id)


def file_url(application, attachment):
    return url(
        "review_file", public_id=application.public_id, attachment_id=attachment.pk
    )


def full_scores(panel, recommendation="fund"):
    data = {f"criterion_{c.pk}": "4" for c in criteria_of(panel)}
    data["recommendation"] = recommendation
    return data


def declare_no_conflict(world):
    services.declare_conflict(
        actor=world["reviewer"], assignment=world["assignment"], has_conflict=False
    )


# Nobody but the assigned panelist -----------------------------------------------------


def test_unassigned_panelist_gets_404_on_every_review_url_and_writes_nothing(
    client, world
):
    declare_no_conflict(world)
    application = world["application"]
    # On the same panel, even declared "no conflict": still not assigned.
    stranger = seat(world["panel"]).user
    ConflictDeclaration.objects.create(
        panelist=stranger, application=application, has_conflict=False
    )
    login_verified(client, stranger)
    for target in [
        review_url(application),
        conflict_url(application),
        file_url(application, world["attachment"]),
    ]:
        assert client.get(target).status_code == 404, target
    response = client.post(
        review_url(application), {**full_scores(world["panel"]), "submit": ""}
    )
    assert response.status_code == 404
    response = client.post(conflict_url(application), {"has_conflict": "no"})
    assert response.status_code == 404
    assert not Review.objects.exists()
    assert not Score.objects.exists()
    assert ConflictDeclaration.objects.count() == 2


def test_a_withdrawn_reviewer_is_refused_on_the_very_next_request(
    client, world, program_staff
):
    declare_no_conflict(world)
    application = world["application"]
    login_verified(client, world["reviewer"])
    assert client.get(review_url(application)).status_code == 200
    assert client.get(file_url(application, world["attachment"])).status_code == 200
    services.withdraw_reviewer(actor=program_staff, assignment=world["assignment"])
    assert client.get(review_url(application)).status_code == 404
    assert client.get(file_url(application, world["attachment"])).status_code == 404
    response = client.post(
        review_url(application), {**full_scores(world["panel"]), "save": ""}
    )
    assert response.status_code == 404
    assert not Review.objects.exists()


# Conflicts ----------------------------------------------------------------------------


def test_the_review_page_sends_you_to_the_conflict_question_first(client, world):
    login_verified(client, world["reviewer"])
    response = client.get(review_url(world["application"]))
    assert response.status_code == 302
    assert response["Location"] == conflict_url(world["application"])


def test_answering_no_conflict_opens_the_review(client, world):
    application = world["application"]
    login_verified(client, world["reviewer"])
    response = client.post(conflict_url(application), {"has_conflict": "no"})
    assert response.status_code == 302
    assert response["Location"] == review_url(application)
    assert client.get(response["Location"]).status_code == 200
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.panelist, declaration.has_conflict) == (
        world["reviewer"],
        False,
    )
    # Once answered, the question sends you on to the review.
    again = client.get(conflict_url(application))
    assert again["Location"] == review_url(application)


def test_a_conflict_without_a_reason_is_refused_and_writes_nothing(client, world):
    login_verified(client, world["reviewer"])
    response = client.post(conflict_url(world["application"]), {"has_conflict": "yes"})
    assert response.status_code == 200
    assert "Choose the reason that fits best." in response.content.decode()
    assert not ConflictDeclaration.objects.exists()
    assert Assignment.objects.filter(pk=world["assignment"].pk).exists()


def test_a_declared_conflict_takes_the_application_off_the_list(client, world):
    application = world["application"]
    login_verified(client, world["reviewer"])
    response = client.post(
        conflict_url(application),
        {"has_conflict": "yes", "reason": "works_there", "details": "I volunteer."},
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    assert not Assignment.objects.filter(pk=world["assignment"].pk).exists()
    declaration = ConflictDeclaration.objects.get()
    assert (declaration.has_conflict, declaration.reason) == (True, "works_there")
    assert client.get(review_url(application)).status_code == 404
    assert client.get(conflict_url(application)).status_code == 404


# Scoring ------------------------------------------------------------------------------


def test_saving_a_draft_keeps_scores_and_lists_what_is_still_open(client, world):
    declare_no_conflict(world)
    first, second = criteria_of(world["panel"])
    login_verified(client, world["reviewer"])
    response = client.post(
        review_url(world["application"]),
        {f"criterion_{first.pk}": "3", "strengths": "Clear plan.", "save": ""},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your draft is saved." in html
    assert "Still to score:" in html
    assert f'<a href="#id_criterion_{second.pk}">{second.title}</a>' in html
    assert f'<a href="#id_criterion_{first.pk}">' not in html
    review = Review.objects.get()
    assert review.submitted_at is None
    assert review.strengths == "Clear plan."
    assert dict(review.scores.values_list("criterion_id", "value")) == {first.pk: 3}


def test_submitting_every_score_locks_the_review(client, world):
    declare_no_conflict(world)
    login_verified(client, world["reviewer"])
    response = client.post(
        review_url(world["application"]), {**full_scores(world["panel"]), "submit": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    review = Review.objects.get()
    assert review.submitted_at is not None
    assert review.recommendation == "fund"
    assert review.weighted_score == Decimal("4.0000")
    assert review.scores.count() == 2


def test_a_second_submit_click_changes_nothing_and_says_so_kindly(client, world):
    declare_no_conflict(world)
    application = world["application"]
    login_verified(client, world["reviewer"])
    client.post(review_url(application), {**full_scores(world["panel"]), "submit": ""})
    first = Review.objects.get()
    data = {**full_scores(world["panel"], "do_not_fund"), "submit": ""}
    data.update({f"criterion_{c.pk}": "1" for c in criteria_of(world["panel"])})
    response = client.post(review_url(application), data)
    assert response.status_code == 200
    assert "You submitted this review. It is locked" in response.content.decode()
    assert Review.objects.count() == 1
    again = Review.objects.get()
    assert (again.submitted_at, again.recommendation) == (first.submitted_at, "fund")
    assert set(again.scores.values_list("value", flat=True)) == {4}


def test_submitting_with_scores_missing_shows_errors_and_writes_nothing(client, world):
    declare_no_conflict(world)
    first, _second = criteria_of(world["panel"])
    login_verified(client, world["reviewer"])
    response = client.post(
        review_url(world["application"]),
        {f"criterion_{first.pk}": "5", "submit": ""},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a score." in html
    assert "Choose an overall recommendation." in html
    assert not Review.objects.exists()
    assert not Score.objects.exists()


def test_the_portal_shows_the_queue_with_progress_and_no_organization(client, world):
    login_verified(client, world["reviewer"])
    response = client.get("/portal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You have finished 0 of 1 review." in html
    assert review_url(world["application"]) in html
    assert world["application"].reference in html
    assert "Lakeshore Survivor Alliance" not in html
    assert world["application"].organization.legal_name not in html


# The panelist's panel page -------------------------------------------------------------


@pytest.mark.parametrize("role", ["panelist", "applicant", "program_staff"])
def test_panel_pages_are_404_for_people_not_on_the_panel(client, request, world, role):
    person = request.getfixturevalue(role)
    panel = world["panel"]
    login_verified(client, person)
    detail = url("panel_detail", panel_id=panel.pk)
    assert client.get(detail).status_code == 404
    today = timezone.localdate().isoformat()
    response = client.post(detail, {"worked_on": today, "hours": "2"})
    assert response.status_code == 404
    assert client.post(url("panel_pause", panel_id=panel.pk)).status_code == 404
    assert not HoursEntry.objects.exists()
    assert not PanelMembership.objects.filter(paused_at__isnull=False).exists()


def test_pausing_and_resuming_from_the_panel_page(client, world):
    panel = world["panel"]
    membership = PanelMembership.objects.get(user=world["reviewer"])
    login_verified(client, world["reviewer"])
    assert client.get(url("panel_detail", panel_id=panel.pk)).status_code == 200
    response = client.post(url("panel_pause", panel_id=panel.pk))
    assert response["Location"] == url("panel_detail", panel_id=panel.pk)
    membership.refresh_from_db()
    assert membership.is_paused
    page = client.get(url("panel_detail", panel_id=panel.pk)).content.decode()
    assert "Resume reviewing" in page
    client.post(url("panel_pause", panel_id=panel.pk))
    membership.refresh_from_db()
    assert not membership.is_paused


def test_logging_hours_from_the_panel_page(client, world):
    panel = world["panel"]
    login_verified(client, world["reviewer"])
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url("panel_detail", panel_id=panel.pk),
        {"worked_on": yesterday.isoformat(), "hours": "1.5", "activity": "Reading"},
        follow=True,
    )
    html = response.content.decode()
    assert "Your hours are saved." in html
    entry = HoursEntry.objects.get()
    assert (entry.worked_on, entry.hours, entry.activity) == (
        yesterday,
        Decimal("1.50"),
        "Reading",
    )
    assert entry.membership.user == world["reviewer"]


def test_hours_on_a_future_date_are_refused(client, world):
    login_verified(client, world["reviewer"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        url("panel_detail", panel_id=world["panel"].pk),
        {"worked_on": tomorrow.isoformat(), "hours": "2"},
    )
    assert response.status_code == 200
    assert "Enter a date that has already happened." in response.content.decode()
    assert not HoursEntry.objects.exists()


# The chair's meeting ------------------------------------------------------------------


@pytest.fixture
def meeting(world, program_staff):
    """The world's panel with a chair and one submitted review."""
    chair = seat(world["panel"], role="chair").user
    review = submit_review(
        program_staff,
        world["panel"],
        world["application"],
        seat(world["panel"]).user,
        [4, 3],
    )
    return {**world, "chair": chair, "review": review}


def deliberation_urls(meeting):
    panel, application = meeting["panel"], meeting["application"]
    return {
        "meeting": url("panel_meeting", panel_id=panel.pk),
        "recommend": url(
            "panel_recommend", panel_id=panel.pk, public_id=application.public_id
        ),
        "reopen": url(
            "review_reopen", panel_id=panel.pk, review_id=meeting["review"].pk
        ),
    }


@pytest.mark.parametrize("who", ["chair", "program_staff"])
def test_the_chair_and_program_staff_reach_the_meeting(client, request, meeting, who):
    person = meeting["chair"] if who == "chair" else request.getfixturevalue(who)
    targets = deliberation_urls(meeting)
    login_verified(client, person)
    page = client.get(targets["meeting"])
    assert page.status_code == 200
    assert meeting["application"].reference in page.content.decode()
    assert targets["recommend"] in page.content.decode()
    recommend = client.get(targets["recommend"])
    assert recommend.status_code == 200
    assert targets["reopen"] in recommend.content.decode()


@pytest.mark.parametrize(
    "who", ["panelist", "reviewer", "applicant", "other_chair", "finance_officer"]
)
def test_others_get_404_on_deliberation_pages_and_write_nothing(
    client, request, meeting, program_staff, who
):
    if who == "reviewer":
        person = meeting["review"].assignment.panelist
    elif who == "other_chair":
        other_panel, _form, _rubric = make_panel()
        person = seat(other_panel, role="chair").user
    else:
        person = request.getfixturevalue(who)
    targets = deliberation_urls(meeting)
    login_verified(client, person)
    assert client.get(targets["meeting"]).status_code == 404
    assert client.get(targets["recommend"]).status_code == 404
    response = client.post(
        targets["recommend"],
        {"method": "consensus", "outcome": "fund", "rationale": "Strong plan."},
    )
    assert response.status_code == 404
    assert client.post(targets["reopen"]).status_code == 404
    assert not PanelRecommendation.objects.exists()
    review = Review.objects.get(pk=meeting["review"].pk)
    assert review.submitted_at is not None


def test_the_chair_records_a_recommendation_through_the_page(client, meeting):
    targets = deliberation_urls(meeting)
    login_verified(client, meeting["chair"])
    response = client.post(
        targets["recommend"],
        {"method": "consensus", "outcome": "fund", "rationale": "Strong plan."},
    )
    assert response.status_code == 302
    assert response["Location"] == targets["meeting"]
    recommendation = PanelRecommendation.objects.get()
    assert recommendation.application == meeting["application"]
    assert (recommendation.method, recommendation.outcome) == ("consensus", "fund")
    assert recommendation.recorded_by == meeting["chair"]


def test_a_vote_without_its_tallies_is_refused_and_writes_nothing(client, meeting):
    targets = deliberation_urls(meeting)
    login_verified(client, meeting["chair"])
    response = client.post(
        targets["recommend"],
        {"method": "vote", "outcome": "fund", "rationale": "We voted."},
    )
    assert response.status_code == 200
    assert "Enter the number of votes (0 if none)." in response.content.decode()
    assert not PanelRecommendation.objects.exists()


def test_the_chair_reopens_a_submitted_review(client, meeting):
    targets = deliberation_urls(meeting)
    login_verified(client, meeting["chair"])
    response = client.post(targets["reopen"])
    assert response.status_code == 302
    assert response["Location"] == targets["recommend"]
    review = Review.objects.get(pk=meeting["review"].pk)
    assert review.submitted_at is None
    assert review.weighted_score is None


def test_a_review_of_another_panel_cannot_be_reopened_through_mine(
    client, meeting, program_staff
):
    other_panel, other_form, _rubric = make_panel()
    other_review = submit_review(
        program_staff,
        other_panel,
        application_for(other_form),
        seat(other_panel).user,
        [2, 2],
    )
    login_verified(client, meeting["chair"])
    response = client.post(
        url("review_reopen", panel_id=meeting["panel"].pk, review_id=other_review.pk)
    )
    assert response.status_code == 404
    other_review.refresh_from_db()
    assert other_review.submitted_at is not None


# Joining a panel -----------------------------------------------------------------------


@pytest.fixture
def invitation(program_staff):
    panel, _form, _rubric = make_panel()
    return services.invite_panel_member(
        actor=program_staff,
        panel=panel,
        email="new.panelist@example.org",
        role="panelist",
        stipend_rate=Decimal("45.00"),
    )


def invitation_url(token):
    return url("panel_invitation", token=token)


def test_a_fresh_invitation_creates_the_account_and_signs_in(client, invitation):
    page = client.get(invitation_url(invitation.token))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="password1"' in html
    assert invitation.panel.name in html
    response = client.post(
        invitation_url(invitation.token),
        {"first_name": "Rosa", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == url("panel_detail", panel_id=invitation.panel.pk)
    user = User.objects.get(email="new.panelist@example.org")
    assert user.check_password(PASSWORD)
    assert int(client.session["_auth_user_id"]) == user.pk
    membership = PanelMembership.objects.get(user=user)
    assert (membership.panel, membership.role, membership.stipend_rate) == (
        invitation.panel,
        "panelist",
        Decimal("45.00"),
    )
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


@pytest.mark.parametrize("state", ["used", "expired", "revoked"])
def test_an_invitation_that_can_no_longer_be_used_says_so_kindly(
    client, invitation, state
):
    if state == "used":
        invitation.accepted_at = timezone.now()
    elif state == "expired":
        invitation.expires_at = timezone.now() - timedelta(minutes=1)
    else:
        invitation.revoked_at = timezone.now()
    invitation.save()
    page = client.get(invitation_url(invitation.token))
    assert page.status_code == 200
    assert "can no longer be used" in page.content.decode()
    assert 'name="password1"' not in page.content.decode()
    response = client.post(
        invitation_url(invitation.token),
        {"first_name": "Rosa", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 200
    assert "can no longer be used" in response.content.decode()
    assert not User.objects.filter(email="new.panelist@example.org").exists()
    assert not PanelMembership.objects.exists()


def test_an_invitation_works_only_through_its_own_token(client, invitation):
    assert client.get(invitation_url(uuid.uuid4())).status_code == 404
    response = client.post(
        invitation_url(uuid.uuid4()),
        {"first_name": "Rosa", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 404
    # Signed in as someone else, the right token still joins nobody.
    someone = UserFactory()
    login_verified(client, someone)
    response = client.post(invitation_url(invitation.token), {})
    assert response.status_code == 200
    assert "sent to a different email address" in response.content.decode()
    assert not PanelMembership.objects.exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
