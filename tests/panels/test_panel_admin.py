"""Program staff run panels, rubrics and decisions in the Wagtail admin; finance sees
stipends. Everyone else is refused on every one of those URLs and writes nothing.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from applications import services
from applications.models import (
    Application,
    Assignment,
    Criterion,
    Decision,
    PanelInvitation,
    PanelMembership,
    Rubric,
)
from grants.models import Stipend
from portal.permissions import can_review
from tests.factories import (
    FundingRoundFactory,
    OrganizationFactory,
    UserFactory,
    rubric_levels,
)
from tests.helpers import login_verified
from tests.panels.helpers import application_for, make_panel, seat, submit_review

pytestmark = pytest.mark.django_db

OTHER_ROLES = ["finance_officer", "comms_staff", "panelist", "applicant"]


def refused(response):
    """Wagtail sends staff without the permission to the dashboard, others to sign in."""
    if response.status_code == 302:
        location = response["Location"]
        return location == "/admin/" or location.startswith("/admin/login/")
    return response.status_code in (403, 404)


@pytest.fixture
def setup(program_staff):
    """A panel with people, an invitation, an assignment, hours and a stipend, and an
    application the panel has recommended (ready for a decision)."""
    panel, form, rubric = make_panel()
    first = seat(panel)
    second = seat(panel)
    pending = application_for(
        form,
        organization=OrganizationFactory(public_name="Cedar Path Collective"),
        created_by=UserFactory(),
    )
    assignment = services.assign_reviewer(
        actor=program_staff, panel=panel, application=pending, panelist=first.user
    )
    recommended = application_for(form, amount_requested=Decimal("20000.00"))
    submit_review(program_staff, panel, recommended, second.user, [4, 4])
    services.record_recommendation(
        actor=program_staff,
        application=recommended,
        method="consensus",
        outcome="fund",
        rationale="A strong survivor-led plan.",
    )
    invitation = services.invite_panel_member(
        actor=program_staff,
        panel=panel,
        email="invited@example.org",
        role="panelist",
        stipend_rate=Decimal("40.00"),
    )
    services.log_hours(
        actor=first.user,
        membership=first,
        worked_on=timezone.localdate() - timedelta(days=1),
        hours=Decimal("2"),
    )
    stipend = services.send_stipends_to_finance(actor=program_staff, panel=panel)[0]
    return {
        "panel": panel,
        "form": form,
        "rubric": rubric,
        "first": first,
        "second": second,
        "pending": pending,
        "assignment": assignment,
        "recommended": recommended,
        "invitation": invitation,
        "stipend": stipend,
    }


def panel_urls(s):
    pk = s["panel"].pk
    base = f"/admin/panels/inspect/{pk}/"
    return {
        "index": "/admin/panels/",
        "add": "/admin/panels/new/",
        "edit": f"/admin/panels/edit/{pk}/",
        "history": f"/admin/panels/history/{pk}/",
        "history_results": f"/admin/panels/history-results/{pk}/",
        "inspect": base,
        "invite": base + "invite/",
        "revoke_invitation": base + f"invitations/{s['invitation'].pk}/revoke/",
        "stipend_rate": base + f"members/{s['first'].pk}/rate/",
        "remove_member": base + f"members/{s['first'].pk}/remove/",
        "auto_assign": base + "assign/",
        "assign": base + "assign-one/",
        "unassign": base + f"assignments/{s['assignment'].pk}/remove/",
        "content_note": base + f"applications/{s['pending'].pk}/content-note/",
        "send_stipends": base + "stipends/",
        "ranking": base + "ranking/",
    }


def rubric_urls(s):
    pk = s["rubric"].pk
    return {
        "index": "/admin/rubrics/",
        "add": "/admin/rubrics/new/",
        "edit": f"/admin/rubrics/edit/{pk}/",
        "history": f"/admin/rubrics/history/{pk}/",
        "history_results": f"/admin/rubrics/history-results/{pk}/",
        "usage": f"/admin/rubrics/usage/{pk}/",
    }


def decision_url(application):
    return f"/admin/applications/inspect/{application.pk}/decision/"


# Program staff -------------------------------------------------------------------------


def test_program_staff_reach_every_panel_rubric_and_decision_page(
    client, program_staff, setup
):
    login_verified(client, program_staff)
    targets = [
        *panel_urls(setup).values(),
        *rubric_urls(setup).values(),
        decision_url(setup["recommended"]),
    ]
    for target in targets:
        response = client.get(target)
        assert response.status_code == 200, target
    inspect = client.get(panel_urls(setup)["inspect"]).content.decode()
    assert setup["pending"].reference in inspect
    assert "invited@example.org" in inspect
    ranking = client.get(panel_urls(setup)["ranking"]).content.decode()
    assert setup["recommended"].reference in ranking


def test_auto_assign_previews_on_get_and_creates_on_post(client, program_staff):
    panel, form, _rubric = make_panel(reviewers_per_application=2)
    people = [seat(panel).user, seat(panel).user]
    applications = [application_for(form), application_for(form)]
    url = f"/admin/panels/inspect/{panel.pk}/assign/"
    login_verified(client, program_staff)
    preview = client.get(url)
    assert preview.status_code == 200
    html = preview.content.decode()
    for application in applications:
        assert application.reference in html
    for person in people:
        assert (person.first_name or person.email) in html
    assert "Create 4 assignments" in html
    assert not Assignment.objects.exists()
    response = client.post(url, {"plan": preview.context["plan"].digest})
    assert response.status_code == 302
    assert response["Location"] == f"/admin/panels/inspect/{panel.pk}/"
    pairs = set(Assignment.objects.values_list("application_id", "panelist_id"))
    assert pairs == {(a.pk, p.pk) for a in applications for p in people}
    assert all(can_review(p, a) for a in applications for p in people)


def test_auto_assign_refuses_when_the_plan_changed_since_the_preview(
    client, program_staff
):
    panel, form, _rubric = make_panel(reviewers_per_application=1)
    seat(panel)
    application_for(form)
    url = f"/admin/panels/inspect/{panel.pk}/assign/"
    login_verified(client, program_staff)
    previewed = client.get(url).context["plan"].digest
    application_for(form)  # a late application arrives before the click
    response = client.post(url, {"plan": previewed})
    assert response.status_code == 200
    assert (
        "Something changed since you looked at the preview" in response.content.decode()
    )
    assert not Assignment.objects.exists()


def test_program_staff_act_on_a_panel_through_its_action_pages(
    client, program_staff, setup
):
    urls = panel_urls(setup)
    extra = seat(setup["panel"]).user
    login_verified(client, program_staff)
    posts = [
        (
            urls["invite"],
            {"email": "second@example.org", "role": "chair", "stipend_rate": "50"},
        ),
        (urls["revoke_invitation"], {}),
        (urls["stipend_rate"], {"stipend_rate": "55.00"}),
        (
            urls["assign"],
            {"application": setup["pending"].pk, "panelist": extra.pk, "due_on": ""},
        ),
        (urls["unassign"], {}),
        (urls["content_note"], {"content_note": "Describes violence."}),
        (urls["send_stipends"], {}),
    ]
    for target, data in posts:
        response = client.post(target, data)
        assert response.status_code == 302, target
        assert response["Location"] == urls["inspect"], target
    assert PanelInvitation.objects.filter(
        email="second@example.org", role="chair", revoked_at__isnull=True
    ).exists()
    setup["invitation"].refresh_from_db()
    assert setup["invitation"].revoked_at is not None
    setup["first"].refresh_from_db()
    assert setup["first"].stipend_rate == Decimal("55.00")
    assert Assignment.objects.filter(
        application=setup["pending"], panelist=extra
    ).exists()
    assert not Assignment.objects.filter(pk=setup["assignment"].pk).exists()
    assert not can_review(setup["first"].user, setup["pending"])
    setup["pending"].refresh_from_db()
    assert setup["pending"].content_note == "Describes violence."
    stipend = Stipend.objects.get(panelist=setup["first"].user)
    assert stipend.amount == Decimal("110.00")


def test_a_content_note_can_be_set_after_the_applicant_account_was_deleted(
    client, program_staff
):
    panel, form, _rubric = make_panel()
    creator = UserFactory()
    application = application_for(form, created_by=creator)
    creator.delete()  # created_by is SET_NULL: the application stays
    application.refresh_from_db()
    assert application.created_by is None
    url = (
        f"/admin/panels/inspect/{panel.pk}/applications/{application.pk}/content-note/"
    )
    login_verified(client, program_staff)
    response = client.post(url, {"content_note": "Describes violence."})
    assert response.status_code == 302, response.context["form"].errors
    application.refresh_from_db()
    assert application.content_note == "Describes violence."


def panel_form_data(panel, **changes):
    data = {
        "funding_round": panel.funding_round_id,
        "name": panel.name,
        "blind_review": "on" if panel.blind_review else "",
        "reviewers_per_application": panel.reviewers_per_application,
        "reviews_due_on": "",
        "flat_stipend_per_review": "",
        "onboarding_page": "",
        "onboarding_document": "",
    }
    data.update(changes)
    return data


def test_program_staff_change_a_panel_through_its_edit_page(
    client, program_staff, setup
):
    panel = setup["panel"]
    login_verified(client, program_staff)
    response = client.post(
        panel_urls(setup)["edit"],
        panel_form_data(panel, name="Spring panel", reviewers_per_application=3),
    )
    assert response.status_code == 302
    panel.refresh_from_db()
    assert (panel.name, panel.reviewers_per_application) == ("Spring panel", 3)


def test_a_panel_with_assignments_cannot_move_round_and_the_page_says_why(
    client, program_staff, setup
):
    panel = setup["panel"]
    other_round = FundingRoundFactory()
    login_verified(client, program_staff)
    response = client.post(
        panel_urls(setup)["edit"],
        panel_form_data(panel, funding_round=other_round.pk, name="Moved"),
    )
    panel.refresh_from_db()
    assert (panel.funding_round_id, panel.name) != (other_round.pk, "Moved")
    assert response.status_code == 200
    assert "This panel already has assignments in its round." in (
        response.content.decode()
    )


# Rubrics -------------------------------------------------------------------------------


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


def rubric_post(html, funding_round, criteria, *, scale_max=3):
    """The admin form's POST, with its inline criteria, named as the GET form names them."""
    names = form_fields(html)
    for expected in [
        "funding_round",
        "scale_max",
        "instructions",
        "criteria-TOTAL_FORMS",
        "criteria-INITIAL_FORMS",
        "criteria-MIN_NUM_FORMS",
        "criteria-MAX_NUM_FORMS",
        "criteria-0-title",
        "criteria-0-guidance",
        "criteria-0-weight",
        "criteria-0-level_descriptions",
        "criteria-0-ORDER",
        "criteria-0-DELETE",
        "criteria-0-id",
    ]:
        assert expected in names, expected
    data = {
        "funding_round": funding_round.pk,
        "scale_max": scale_max,
        "instructions": "Score what the application says.",
        "criteria-TOTAL_FORMS": len(criteria),
        "criteria-INITIAL_FORMS": names["criteria-INITIAL_FORMS"],
        "criteria-MIN_NUM_FORMS": names["criteria-MIN_NUM_FORMS"],
        "criteria-MAX_NUM_FORMS": names["criteria-MAX_NUM_FORMS"],
    }
    for n, (title, weight, levels) in enumerate(criteria):
        data.update(
            {
                f"criteria-{n}-id": "",
                f"criteria-{n}-ORDER": n + 1,
                f"criteria-{n}-title": title,
                f"criteria-{n}-guidance": f"What to look for in {title.lower()}.",
                f"criteria-{n}-weight": weight,
                f"criteria-{n}-level_descriptions": levels,
            }
        )
    return data


def test_program_staff_create_a_rubric_with_its_criteria(client, program_staff):
    funding_round = FundingRoundFactory()
    login_verified(client, program_staff)
    page = client.get("/admin/rubrics/new/")
    assert page.status_code == 200
    data = rubric_post(
        page.content.decode(),
        funding_round,
        [
            ("Led by survivors", "2", "Not at all\nPartly\nFully"),
            ("Clear plan", "1", "Unclear\nMostly clear\nClear"),
        ],
    )
    response = client.post("/admin/rubrics/new/", data)
    assert response.status_code == 302
    rubric = Rubric.objects.get(funding_round=funding_round)
    assert rubric.scale_max == 3
    criteria = list(rubric.criteria.all())
    assert [(c.title, c.weight) for c in criteria] == [
        ("Led by survivors", Decimal("2")),
        ("Clear plan", Decimal("1")),
    ]
    assert criteria[0].levels == ["Not at all", "Partly", "Fully"]


def test_a_criterion_without_one_line_per_score_is_refused_and_nothing_saved(
    client, program_staff
):
    funding_round = FundingRoundFactory()
    before = Criterion.objects.count()
    login_verified(client, program_staff)
    page = client.get("/admin/rubrics/new/")
    data = rubric_post(
        page.content.decode(),
        funding_round,
        [
            ("Led by survivors", "2", "Not at all\nPartly\nFully"),
            ("Clear plan", "1", "Unclear\nClear"),
        ],
    )
    response = client.post("/admin/rubrics/new/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "“Clear plan” needs one description for each score from 1 to 3" in html
    assert not Rubric.objects.filter(funding_round=funding_round).exists()
    assert Criterion.objects.count() == before


def test_program_staff_edit_a_rubric_no_one_has_used_yet(client, program_staff):
    _panel, _form, rubric = make_panel()
    criteria = list(rubric.criteria.all())
    url = f"/admin/rubrics/edit/{rubric.pk}/"
    login_verified(client, program_staff)
    names = form_fields(client.get(url).content.decode())
    assert names["criteria-TOTAL_FORMS"] == "2"
    data = {
        "funding_round": rubric.funding_round_id,
        "scale_max": 5,
        "instructions": "New instructions.",
        "criteria-TOTAL_FORMS": 2,
        "criteria-INITIAL_FORMS": names["criteria-INITIAL_FORMS"],
        "criteria-MIN_NUM_FORMS": names["criteria-MIN_NUM_FORMS"],
        "criteria-MAX_NUM_FORMS": names["criteria-MAX_NUM_FORMS"],
    }
    for n, criterion in enumerate(criteria):
        data.update(
            {
                f"criteria-{n}-id": criterion.pk,
                f"criteria-{n}-ORDER": n + 1,
                f"criteria-{n}-title": f"Renamed {n}",
                f"criteria-{n}-guidance": criterion.guidance,
                f"criteria-{n}-weight": criterion.weight,
                f"criteria-{n}-level_descriptions": rubric_levels(5),
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302
    rubric.refresh_from_db()
    assert rubric.instructions == "New instructions."
    assert list(rubric.criteria.values_list("pk", "title")) == [
        (criteria[0].pk, "Renamed 0"),
        (criteria[1].pk, "Renamed 1"),
    ]


# Decisions -----------------------------------------------------------------------------


def test_program_staff_award_through_the_decision_page(client, program_staff, setup):
    application = setup["recommended"]
    login_verified(client, program_staff)
    response = client.post(
        decision_url(application),
        {
            "outcome": "award",
            "amount": "15000.00",
            "public_title": "Peer support for survivors",
            "public_summary": "Weekly peer support circles led by survivors.",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/applications/inspect/{application.pk}/"
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.amount) == ("award", Decimal("15000.00"))
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED
    assert application.award.public_title == "Peer support for survivors"
    assert application.award.amount == Decimal("15000.00")


def test_an_award_without_its_public_words_shows_errors_and_writes_nothing(
    client, program_staff, setup
):
    application = setup["recommended"]
    login_verified(client, program_staff)
    response = client.post(
        decision_url(application), {"outcome": "award", "amount": "15000.00"}
    )
    assert response.status_code == 200
    assert "This field cannot be blank" in response.content.decode()
    assert not Decision.objects.filter(application=application).exists()
    application.refresh_from_db()
    assert application.award is None


def test_program_staff_decline_with_approved_feedback(client, program_staff, setup):
    application = setup["recommended"]
    login_verified(client, program_staff)
    response = client.post(
        decision_url(application),
        {
            "outcome": "decline",
            "amount": "",
            "feedback": "The panel would like a clearer budget.",
            "feedback_approved": "on",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.amount, decision.feedback_approved) == (
        "decline",
        None,
        True,
    )
    application.refresh_from_db()
    assert application.status == Application.Status.DECLINED


def test_an_award_above_the_request_is_refused_and_writes_nothing(
    client, program_staff, setup
):
    application = setup["recommended"]
    login_verified(client, program_staff)
    response = client.post(
        decision_url(application), {"outcome": "award", "amount": "25000.00"}
    )
    assert response.status_code == 200
    assert "An award cannot be more than the amount requested." in (
        response.content.decode()
    )
    assert not Decision.objects.exists()
    application.refresh_from_db()
    assert application.status == Application.Status.ELIGIBLE


# Everyone else -------------------------------------------------------------------------


def snapshot(s):
    """Everything the refused requests below might try to change."""
    s["panel"].refresh_from_db()
    s["rubric"].refresh_from_db()
    s["pending"].refresh_from_db()
    return {
        "panel": (s["panel"].name, s["panel"].reviewers_per_application),
        "rubric": (s["rubric"].scale_max, s["rubric"].instructions),
        "criteria": list(Criterion.objects.values_list("pk", "title")),
        "rubrics": Rubric.objects.count(),
        "assignments": set(Assignment.objects.values_list("pk", flat=True)),
        "invitations": list(
            PanelInvitation.objects.values_list("pk", "email", "revoked_at")
        ),
        "rates": list(PanelMembership.objects.values_list("pk", "stipend_rate")),
        "content_note": s["pending"].content_note,
        "stipends": list(Stipend.objects.values_list("pk", "amount", "sent_at")),
        "decisions": Decision.objects.count(),
        "statuses": list(Application.objects.values_list("pk", "status")),
    }


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_on_every_panel_rubric_and_decision_url(
    client, request, setup, role
):
    person = request.getfixturevalue(role)
    before = snapshot(setup)
    panels = panel_urls(setup)
    rubrics = rubric_urls(setup)
    decision = decision_url(setup["recommended"])
    login_verified(client, person)
    for target in [*panels.values(), *rubrics.values(), decision]:
        response = client.get(target)
        assert refused(response), (role, target, response.status_code)
        assert b"Cedar Path Collective" not in response.content, (role, target)
    extra = setup["second"].user
    posts = [
        (panels["add"], {"funding_round": FundingRoundFactory().pk, "name": "Mine"}),
        (
            panels["edit"],
            {
                "funding_round": setup["panel"].funding_round_id,
                "name": "Hijacked",
                "reviewers_per_application": 1,
            },
        ),
        (
            panels["invite"],
            {"email": "intruder@example.org", "role": "chair", "stipend_rate": "999"},
        ),
        (panels["revoke_invitation"], {}),
        (panels["stipend_rate"], {"stipend_rate": "999.00"}),
        (panels["auto_assign"], {}),
        (panels["assign"], {"application": setup["pending"].pk, "panelist": extra.pk}),
        (panels["unassign"], {}),
        (panels["content_note"], {"content_note": "Changed"}),
        (panels["send_stipends"], {}),
        (
            rubrics["add"],
            {"funding_round": FundingRoundFactory().pk, "scale_max": 2},
        ),
        (rubrics["edit"], {"scale_max": 2, "instructions": "Changed"}),
        (decision, {"outcome": "award", "amount": "15000.00"}),
    ]
    for target, data in posts:
        response = client.post(target, data)
        assert refused(response), (role, target, response.status_code)
    assert snapshot(setup) == before


# Stipends ------------------------------------------------------------------------------


def test_finance_sees_stipends_and_their_detail(client, finance_officer, setup):
    stipend = setup["stipend"]
    login_verified(client, finance_officer)
    listing = client.get("/admin/stipends/")
    assert listing.status_code == 200
    assert f"/admin/stipends/inspect/{stipend.pk}/" in listing.content.decode()
    detail = client.get(f"/admin/stipends/inspect/{stipend.pk}/")
    assert detail.status_code == 200
    assert "80.00" in detail.content.decode()


@pytest.mark.parametrize("role", ["panelist", "applicant", "comms_staff"])
def test_people_without_the_stipend_permission_cannot_see_stipends(
    client, request, setup, role
):
    stipend = setup["stipend"]
    login_verified(client, request.getfixturevalue(role))
    for target in [
        "/admin/stipends/",
        "/admin/stipends/results/",
        f"/admin/stipends/inspect/{stipend.pk}/",
        "/admin/stipends/?export=csv",
    ]:
        response = client.get(target)
        assert refused(response), (role, target, response.status_code)
        assert not response.streaming, (role, target)
        assert b"80.00" not in response.content, (role, target)
