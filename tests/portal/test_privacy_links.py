"""Every form that collects personal data links to the privacy notice."""

import pytest
from django.urls import reverse

from tests.grants.hiring_helpers import first_report, live_award

pytestmark = pytest.mark.django_db

LINK = 'href="/privacy/"'


def test_the_privacy_notice_exists_and_sign_up_links_to_it(client, demo_site):
    assert client.get("/privacy/").status_code == 200
    assert LINK in client.get(reverse("accounts:signup")).text
    spanish = client.get("/es/accounts/signup/")
    assert 'href="/es/privacy/"' in spanish.text


def test_the_notice_says_what_why_who_how_long_and_how_to_ask(client, demo_site):
    page = client.get("/privacy/").text
    for heading in (
        "Applying for a grant",
        "Who sees what",
        "How long we keep it",
        "Your choices",
    ):
        assert heading in page
    assert "three years after the decision" in page
    assert "download a copy" in page
    assert "delete it" in page
    spanish = client.get("/es/privacy/").text
    assert "Cuánto tiempo lo guardamos" in spanish


def test_forms_for_organizations_and_accounts_link_to_the_notice(client, applicant):
    from django.utils import timezone

    from grants.services import create_organization

    applicant.email_confirmed_at = timezone.now()
    applicant.save(update_fields=["email_confirmed_at"])
    client.force_login(applicant)
    assert LINK in client.get(reverse("grants:organization_create")).text
    assert LINK in client.get(reverse("accounts:change_email")).text
    organization = create_organization(
        actor=applicant,
        legal_name="Northside Healing Collective",
        public_name="Northside Healing Collective",
        address_line1="1 Main St",
        city="Minneapolis",
        state="MN",
        postal_code="55401",
        mission="Healing circles.",
        contact_name="Amina",
        contact_email="amina@example.org",
    )
    page = client.get(reverse("grants:member_invite", args=[organization.pk]))
    assert LINK in page.text


def test_the_progress_report_form_links_to_the_notice(client, program_staff):
    award, owner = live_award(program_staff)
    client.force_login(owner)
    url = reverse(
        "grants:report_detail",
        kwargs={"award_id": award.pk, "report_id": first_report(award).pk},
    )
    assert LINK in client.get(url).text
