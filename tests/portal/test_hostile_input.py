"""Hostile input anywhere people type: NUL characters and very long text get a kind
answer (400, or the form's own message), never a server error, and nothing is written.
"""

import pytest
from django.urls import reverse

from grants.models import HiringReport, Organization
from portal.models import User
from tests.grants.hiring_helpers import first_report, live_award, report_form
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

NUL = "budget\x00plan"
HUGE = "x" * 1_000_000


def test_a_nul_character_in_a_sign_up_is_refused_kindly(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "first_name": NUL,
            "email": "nul@example.org",
            "password1": "plum-harbor-lantern-97",
            "password2": "plum-harbor-lantern-97",
        },
    )
    assert response.status_code == 400
    assert "We could not read what was sent" in response.text
    assert not User.objects.filter(email="nul@example.org").exists()


@pytest.mark.parametrize("query", [NUL, "\x00"])
def test_a_nul_character_in_a_search_is_refused_kindly(client, demo_site, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 400
    assert "Nothing was saved" in response.text


def test_a_nul_character_in_a_sign_in_is_refused_kindly(client, applicant):
    response = client.post(
        reverse("accounts:login"),
        {"username": f"{applicant.email}\x00", "password": "x"},
    )
    assert response.status_code == 400


def test_a_nul_character_in_a_field_name_is_refused_kindly(client):
    response = client.get("/", {"q\x00": "1"})
    assert response.status_code == 400


@pytest.mark.parametrize("value", [NUL, HUGE], ids=["nul", "one-megabyte"])
def test_hostile_text_in_an_organization_form_writes_nothing(client, applicant, value):
    client.force_login(applicant)
    before = Organization.objects.count()
    response = client.post(
        reverse("grants:organization_create"),
        {
            "legal_name": value,
            "public_name": "Safe name",
            "address_line1": "1 Main St",
            "city": "Minneapolis",
            "state": "MN",
            "postal_code": "55401",
            "mission": value,
            "contact_name": "Amina",
            "contact_email": "amina@example.org",
        },
    )
    assert response.status_code in (200, 400)
    assert Organization.objects.count() == before


@pytest.mark.parametrize("value", [NUL, HUGE], ids=["nul", "one-megabyte"])
def test_hostile_text_in_a_progress_report_writes_nothing(client, program_staff, value):
    award, owner = live_award(program_staff)
    report = first_report(award)
    client.force_login(owner)
    url = reverse(
        "grants:report_detail", kwargs={"award_id": award.pk, "report_id": report.pk}
    )
    response = client.post(url, report_form(barriers=value))
    assert response.status_code in (200, 400)
    report.refresh_from_db()
    assert report.status == HiringReport.Status.DUE
    assert report.barriers == ""


def test_hostile_text_in_the_admin_is_refused_without_an_error(client, administrator):
    login_verified(client, administrator)
    response = client.post("/admin/funds/new/", {"name": NUL, "slug": "nul"})
    assert response.status_code == 400
