"""The applicant's pages, and that nobody else can reach them."""

from decimal import Decimal

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.storage import InMemoryStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications import services
from applications.models import Application, Attachment, StatusChange
from tests.applications.test_apply import (
    PDF,
    confirmed_user,
    fill_everything,
    organization_for,
)
from tests.factories import ApplicationFormFactory, UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(setup_data):
    return setup_data["application"]


@pytest.fixture
def setup_data():
    from applications.schema import live_raw_blocks, sections_from

    form = ApplicationFormFactory()
    user = confirmed_user()
    organization = organization_for(user)
    application = services.start_application(
        actor=user, funding_round=form.funding_round, organization=organization
    )
    sections = sections_from(live_raw_blocks(form))
    return {
        "form": form,
        "round": form.funding_round,
        "user": user,
        "organization": organization,
        "application": application,
        "sections": sections,
    }


def application_urls(application, section_id, attachment_id):
    key = {"public_id": application.public_id}
    return [
        reverse("applications:task_list", kwargs=key),
        reverse("applications:section", kwargs={**key, "section_id": section_id}),
        reverse("applications:check", kwargs=key),
        reverse("applications:receipt", kwargs=key),
        reverse("applications:print", kwargs=key),
        reverse("applications:withdraw", kwargs=key),
        reverse(
            "applications:attachment_download",
            kwargs={**key, "attachment_id": attachment_id},
        ),
    ]


def test_applicant_fills_a_section_through_the_page_and_sees_progress(
    client, setup_data
):
    client.force_login(setup_data["user"])
    application = setup_data["application"]
    url = reverse(
        "applications:section",
        kwargs={"public_id": application.public_id, "section_id": "about"},
    )
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(
        url,
        {
            "version": "0",
            "title": "Peer circles",
            "amount_requested": "30000",
            "save_and_return": "1",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.title == "Peer circles"
    assert application.amount_requested == Decimal("30000.00")
    task_list = client.get(
        reverse("applications:task_list", kwargs={"public_id": application.public_id})
    )
    assert "Complete" in task_list.content.decode()


@pytest.mark.parametrize(
    "amount", ["0", "-1", "NaN", "1e309", "10.001", "1,000", "Infinity"]
)
def test_bad_amounts_get_a_clear_message_and_nothing_is_written(
    client, setup_data, amount
):
    client.force_login(setup_data["user"])
    application = setup_data["application"]
    url = reverse(
        "applications:section",
        kwargs={"public_id": application.public_id, "section_id": "about"},
    )
    response = client.post(
        url, {"version": "0", "title": "Peer circles", "amount_requested": amount}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    application.refresh_from_db()
    assert application.title == ""
    assert application.amount_requested is None


def test_word_limit_is_enforced_with_a_message(client, setup_data):
    client.force_login(setup_data["user"])
    application, work = setup_data["application"], setup_data["sections"][1]
    field = next(f for f in work.fields if f.type == "long_text")
    url = reverse(
        "applications:section",
        kwargs={"public_id": application.public_id, "section_id": work.id},
    )
    response = client.post(url, {"version": "0", field.id: "word " * 51})
    assert "Use 50 words or fewer (you have 51)." in response.content.decode()
    application.refresh_from_db()
    assert field.id not in application.answers


def test_autosave_answers_json_and_saves(client, setup_data):
    client.force_login(setup_data["user"])
    application = setup_data["application"]
    url = reverse(
        "applications:section",
        kwargs={"public_id": application.public_id, "section_id": "about"},
    )
    response = client.post(
        url, {"version": "0", "title": "Autosaved"}, headers={"X-Autosave": "1"}
    )
    assert response.json() == {"saved": True, "version": 1}
    stale = client.post(
        url, {"version": "0", "title": "Old tab"}, headers={"X-Autosave": "1"}
    )
    assert stale.status_code == 409
    application.refresh_from_db()
    assert application.title == "Autosaved"


def test_script_in_answers_is_shown_escaped(client, setup_data):
    client.force_login(setup_data["user"])
    application = setup_data["application"]
    services.save_section(
        actor=setup_data["user"],
        application=application,
        section_id="about",
        answers={"title": "<script>alert('x')</script>"},
        version=0,
    )
    html = client.get(
        reverse("applications:check", kwargs={"public_id": application.public_id})
    ).content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_submit_through_the_page_shows_the_receipt_and_missing_answers_link_to_fields(
    client, setup_data
):
    client.force_login(setup_data["user"])
    application = setup_data["application"]
    check_url = reverse(
        "applications:check", kwargs={"public_id": application.public_id}
    )
    incomplete = client.post(check_url)
    assert incomplete.status_code == 200
    assert "There is a problem" in incomplete.content.decode()
    assert "/section/about/#id_title" in incomplete.content.decode()
    fill_everything(setup_data, application)
    done = client.post(check_url)
    assert done.status_code == 302
    receipt = client.get(done["Location"])
    application.refresh_from_db()
    assert application.reference in receipt.content.decode()
    again = client.post(check_url)
    assert again.status_code == 302  # a double click lands on the receipt
    assert StatusChange.objects.filter(to_status="submitted").count() == 1


def test_attachment_downloads_only_as_an_attachment(client, setup_data):
    client.force_login(setup_data["user"])
    application = setup_data["application"]
    field_id = next(
        f.id for s in setup_data["sections"] for f in s.fields if f.type == "file"
    )
    services.save_section(
        actor=setup_data["user"],
        application=application,
        section_id=setup_data["sections"][2].id,
        answers={},
        version=0,
        files={field_id: SimpleUploadedFile("plan.pdf", PDF)},
    )
    attachment = Attachment.objects.get()
    response = client.get(
        reverse(
            "applications:attachment_download",
            kwargs={"public_id": application.public_id, "attachment_id": attachment.pk},
        )
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize(
    "who", ["other_member", "panelist", "finance", "comms", "stranger"]
)
def test_everyone_else_gets_404_on_every_application_url_and_writes_nothing(
    client, setup_data, who, request
):
    application = setup_data["application"]
    field_id = next(
        f.id for s in setup_data["sections"] for f in s.fields if f.type == "file"
    )
    services.save_section(
        actor=setup_data["user"],
        application=application,
        section_id=setup_data["sections"][2].id,
        answers={},
        version=0,
        files={field_id: SimpleUploadedFile("plan.pdf", PDF)},
    )
    attachment = Attachment.objects.get()
    if who == "other_member":
        person = confirmed_user()
        organization_for(person, name="Another group")
        client.force_login(person)
    elif who == "stranger":
        client.force_login(UserFactory())
    else:
        fixture = {
            "panelist": "panelist",
            "finance": "finance_officer",
            "comms": "comms_staff",
        }[who]
        login_verified(client, request.getfixturevalue(fixture))
    for url in application_urls(application, "about", attachment.pk):
        assert client.get(url).status_code == 404, url
        assert (
            client.post(
                url, {"version": "0", "title": "Taken over", "reason": "x"}
            ).status_code
            == 404
        ), url
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT
    assert application.title == ""
    assert Attachment.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, setup_data):
    response = client.get(
        reverse(
            "applications:task_list",
            kwargs={"public_id": setup_data["application"].public_id},
        )
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_choice_questions_offer_the_options_staff_wrote(client, setup_data):
    client.force_login(setup_data["user"])
    application, work = setup_data["application"], setup_data["sections"][1]
    choice = next(f for f in work.fields if f.type == "choice")
    assert choice.options["choices"] == ["Housing", "Legal help", "Healing"]
    url = reverse(
        "applications:section",
        kwargs={"public_id": application.public_id, "section_id": work.id},
    )
    html = client.get(url).content.decode()
    assert 'value="Healing"' in html
    assert 'value="value"' not in html
    client.post(url, {"version": "0", choice.id: "Healing"})
    application.refresh_from_db()
    assert application.answers[choice.id] == "Healing"


def test_task_list_marks_the_sections_staff_reopened(client, setup_data, program_staff):
    from tests.applications.test_apply import _submitted_with_request

    setup_data["application"].delete()
    application = _submitted_with_request(setup_data, program_staff, ["about"])
    client.force_login(setup_data["user"])
    html = client.get(
        reverse("applications:task_list", kwargs={"public_id": application.public_id})
    ).content.decode()
    assert (
        html.count("Open for changes") == 2
    )  # the explanation and the one reopened section
    assert "Please update." in html
    assert (
        reverse(
            "applications:section",
            kwargs={"public_id": application.public_id, "section_id": "about"},
        )
        in html
    )


# File storage down or slow: the upload fails with a clear message, the answers are
# saved, the earlier file stays, and no row points at a missing file.


def budget_section(setup_data):
    section = setup_data["sections"][2]
    file_field = next(f.id for f in section.fields if f.type == "file")
    date_field = next(f.id for f in section.fields if f.type == "date")
    return section, file_field, date_field


@pytest.fixture
def storage_down(monkeypatch):
    def refuse(self, name, content):
        raise EndpointConnectionError(endpoint_url="http://s3.invalid")

    monkeypatch.setattr(InMemoryStorage, "_save", refuse)


def test_an_upload_while_storage_is_down_keeps_the_answers_and_the_old_file(
    client, setup_data, monkeypatch
):
    section, file_field, date_field = budget_section(setup_data)
    application = setup_data["application"]
    services.save_section(
        actor=setup_data["user"],
        application=application,
        section_id=section.id,
        answers={},
        version=0,
        files={file_field: SimpleUploadedFile("first.pdf", PDF)},
    )
    earlier = Attachment.objects.get()

    def refuse(self, name, content):
        raise EndpointConnectionError(endpoint_url="http://s3.invalid")

    monkeypatch.setattr(InMemoryStorage, "_save", refuse)
    client.force_login(setup_data["user"])
    url = reverse(
        "applications:section",
        kwargs={"public_id": application.public_id, "section_id": section.id},
    )
    response = client.post(
        url,
        {
            "version": "1",
            date_field: "2027-03-01",
            file_field: SimpleUploadedFile("second.pdf", PDF),
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url
    assert "could not store your file just now" in response.text
    application.refresh_from_db()
    assert application.answers[date_field] == "2027-03-01"
    assert list(Attachment.objects.values_list("pk", "original_name")) == [
        (earlier.pk, "first.pdf")
    ]
    assert earlier.file.storage.exists(earlier.file.name)


def test_autosave_says_which_files_were_not_stored(client, setup_data, storage_down):
    section, file_field, _ = budget_section(setup_data)
    application = setup_data["application"]
    client.force_login(setup_data["user"])
    response = client.post(
        reverse(
            "applications:section",
            kwargs={"public_id": application.public_id, "section_id": section.id},
        ),
        {"version": "0", file_field: SimpleUploadedFile("plan.pdf", PDF)},
        headers={"X-Autosave": "1"},
    )
    assert response.json() == {
        "saved": True,
        "version": 1,
        "files_not_stored": [file_field],
    }
    assert not Attachment.objects.exists()
