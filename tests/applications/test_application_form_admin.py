"""Program staff build and change a round's application form in the Wagtail admin."""

import copy
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from applications.models import Application, ApplicationForm
from applications.schema import live_raw_blocks
from tests.factories import (
    ApplicationFormFactory,
    FundingRoundFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db

ADD = "/admin/application_forms/new/"


def edit_url(application_form):
    return f"/admin/application_forms/edit/{application_form.pk}/"


def login(client, user):
    """Sign in with the second factor passed, as django-otp marks a verified session."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def stream(name, blocks):
    """StreamField POST data; each block is (type, value) or (type, value, id)."""
    data = {f"{name}-count": str(len(blocks))}
    for index, block in enumerate(blocks):
        kind, value, *block_id = block
        prefix = f"{name}-{index}"
        data.update(
            {
                f"{prefix}-type": kind,
                f"{prefix}-deleted": "",
                f"{prefix}-order": str(index),
                f"{prefix}-id": block_id[0] if block_id else "",
            }
        )
        for key, item in value.items():
            data[f"{prefix}-value-{key}"] = item
    return data


def question(label, **extra):
    return {
        "label": label,
        "help_text": "",
        "required": "on",
        "identifying": "",
        **extra,
    }


def form_data(funding_round, blocks):
    return {
        "funding_round": funding_round.pk,
        **stream("eligibility", []),
        **stream("fields", blocks),
    }


def test_program_staff_create_a_form_and_it_is_logged(client, program_staff):
    funding_round = FundingRoundFactory()
    login(client, program_staff)
    response = client.post(
        ADD,
        form_data(
            funding_round,
            [
                ("section", {"title": "Your work", "intro": ""}),
                ("long_text", question("What will you do?", word_limit="300")),
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application_form = ApplicationForm.objects.get(funding_round=funding_round)
    assert application_form.version == 1
    assert [b["type"] for b in application_form.fields.raw_data] == [
        "section",
        "long_text",
    ]
    assert ModelLogEntry.objects.filter(
        action="applications.create_application_form",
        object_id=str(application_form.pk),
        user=program_staff,
    ).exists()


def test_a_round_gets_one_form_only(client, program_staff):
    existing = ApplicationFormFactory()
    login(client, program_staff)
    response = client.post(
        ADD,
        form_data(
            existing.funding_round,
            [("short_text", question("Name of the work", max_length="120"))],
        ),
    )
    assert response.status_code == 200
    assert ApplicationForm.objects.count() == 1
    assert not ModelLogEntry.objects.filter(
        action="applications.create_application_form"
    ).exists()


def test_editing_bumps_the_version_and_submitted_answers_keep_their_questions(
    client, program_staff
):
    application_form = ApplicationFormFactory()
    plan_id = next(
        b["id"]
        for b in application_form.fields.raw_data
        if b["value"].get("label") == "What will you do with the grant?"
    )
    section_id = application_form.fields.raw_data[0]["id"]
    application = Application.objects.create(
        funding_round=application_form.funding_round,
        organization=OrganizationFactory(),
        status=Application.Status.SUBMITTED,
        title="Healing circles",
        amount_requested=Decimal("20000.00"),
        reference="T1-0001",
        submitted_at=timezone.now(),
        answers={plan_id: "Weekly peer circles in north Minneapolis"},
        form_snapshot=live_raw_blocks(application_form),
        form_version=application_form.version,
    )
    snapshot = copy.deepcopy(application.form_snapshot)
    login(client, program_staff)
    response = client.post(
        edit_url(application_form),
        form_data(
            application_form.funding_round,
            [
                ("section", {"title": "About the plan", "intro": ""}, section_id),
                (
                    "long_text",
                    question("Describe your plan", word_limit="100"),
                    plan_id,
                ),
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application_form.refresh_from_db()
    assert application_form.version == 2
    assert [b["value"].get("label") for b in application_form.fields.raw_data] == [
        None,
        "Describe your plan",
    ]
    assert ModelLogEntry.objects.filter(
        action="applications.update_application_form", user=program_staff
    ).exists()

    application.refresh_from_db()
    assert application.form_snapshot == snapshot
    assert application.form_version == 1
    html = client.get(
        reverse("screening:inspect", args=[application.pk])
    ).content.decode()
    assert "What will you do with the grant?" in html
    assert "Weekly peer circles in north Minneapolis" in html
    assert "Budget and documents" in html
    assert "Describe your plan" not in html


def test_an_invalid_edit_shows_errors_and_writes_nothing(client, program_staff):
    application_form = ApplicationFormFactory()
    before = copy.deepcopy(list(application_form.fields.raw_data))
    login(client, program_staff)
    response = client.post(
        edit_url(application_form),
        form_data(application_form.funding_round, [("short_text", question(""))]),
    )
    assert response.status_code == 200
    application_form.refresh_from_db()
    assert application_form.version == 1
    assert list(application_form.fields.raw_data) == before


@pytest.mark.parametrize(
    "role", ["finance_officer", "comms_staff", "applicant", "panelist"]
)
def test_other_roles_cannot_add_or_change_forms(client, request, role):
    user = request.getfixturevalue(role)
    application_form = ApplicationFormFactory()
    funding_round = FundingRoundFactory()
    login(client, user)
    for target in ("/admin/application_forms/", ADD, edit_url(application_form)):
        response = client.get(target)
        assert response.status_code in (302, 403, 404), (role, target)
        if response.status_code == 302:
            assert response["Location"] in ("/admin/",) or response[
                "Location"
            ].startswith("/admin/login/")
    client.post(
        ADD,
        form_data(funding_round, [("short_text", question("Q", max_length="50"))]),
    )
    client.post(
        edit_url(application_form),
        form_data(
            application_form.funding_round,
            [("short_text", question("Changed", max_length="50"))],
        ),
    )
    application_form.refresh_from_db()
    assert application_form.version == 1
    assert not ApplicationForm.objects.filter(funding_round=funding_round).exists()
    assert not ModelLogEntry.objects.filter(action__startswith="applications.").exists()


def test_program_staff_see_the_forms_listing(client, program_staff):
    application_form = ApplicationFormFactory()
    login(client, program_staff)
    response = client.get("/admin/application_forms/")
    assert response.status_code == 200
    assert edit_url(application_form) in response.content.decode()
