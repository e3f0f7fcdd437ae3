"""Administrators erase a person or an organization from the Wagtail admin; nobody
else reaches these pages, and a refusal explains itself."""

import pytest
from django.urls import reverse

from applications.models import Application
from applications.services.privacy import erased_email, erased_organization_name
from portal.models import ErasureRecord
from tests.factories import ApplicationFactory, UserFactory
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def erasure_log(settings, tmp_path):
    settings.PORTAL_ERASURE_LOG = str(tmp_path / "erasure-log.jsonl")


def test_an_administrator_erases_a_person_after_confirming(client, administrator):
    person = UserFactory(email="asking@example.org")
    login_verified(client, administrator)
    listing = client.get(reverse("wagtailusers_users:index"))
    url = reverse("privacy_erase_person", args=[person.pk])
    assert url in listing.text

    page = client.get(url)
    assert "asking@example.org" in page.text
    unconfirmed = client.post(url, {})
    assert unconfirmed.status_code == 200
    person.refresh_from_db()
    assert person.email == "asking@example.org"

    response = client.post(url, {"confirmed": "on"}, follow=True)
    person.refresh_from_db()
    assert person.email == erased_email(person.pk)
    assert "The personal data was erased." in response.text
    again = client.post(url, {"confirmed": "on"}, follow=True)
    assert "There was nothing left to erase." in again.text


def test_an_administrator_finds_and_erases_an_organization(client, administrator):
    application = ApplicationFactory(status=Application.Status.DECLINED)
    organization = application.organization
    login_verified(client, administrator)
    found = client.get(
        reverse("privacy_organizations"), {"q": organization.public_name}
    )
    url = reverse("privacy_erase_organization", args=[organization.pk])
    assert url in found.text

    client.post(url, {"confirmed": "on"})

    organization.refresh_from_db()
    assert organization.public_name == erased_organization_name(organization.pk)


def test_work_in_progress_is_explained_and_nothing_is_erased(client, administrator):
    application = ApplicationFactory(status=Application.Status.SCREENING)
    login_verified(client, administrator)
    url = reverse("privacy_erase_organization", args=[application.organization.pk])
    response = client.post(url, {"confirmed": "on"})
    assert response.status_code == 200
    assert "still being reviewed" in response.text
    assert not ErasureRecord.objects.exists()


@pytest.mark.parametrize(
    "who", ["program_staff", "finance_officer", "comms_staff", "panelist", "applicant"]
)
def test_only_administrators_reach_the_erasure_pages(client, request, who):
    person = UserFactory()
    organization = ApplicationFactory(status=Application.Status.DECLINED).organization
    login_verified(client, request.getfixturevalue(who))
    for url in (
        reverse("privacy_erase_person", args=[person.pk]),
        reverse("privacy_erase_organization", args=[organization.pk]),
        reverse("privacy_organizations"),
    ):
        assert client.get(url).status_code in (302, 404)
        assert client.post(url, {"confirmed": "on"}).status_code in (302, 404)
    person.refresh_from_db()
    organization.refresh_from_db()
    assert person.is_active
    assert not organization.public_name.startswith("Erased")
    assert not ErasureRecord.objects.exists()
