"""The grantee's award page: members read it, owners answer the offer."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from grants import services
from grants.models import Award
from tests.factories import FundingRoundFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(program_staff):
    owner = MembershipFactory(role="owner")
    return services.create_award(
        actor=program_staff,
        organization=owner.organization,
        funding_round=FundingRoundFactory(),
        amount=Decimal("25000.00"),
        public_title="Healing circles",
        public_summary="Weekly healing circles led by survivors.",
        starts_on=date(2027, 1, 1),
        ends_on=date(2027, 12, 31),
        conditions="Quarterly counts of survivors hired.",
    )


def url(award):
    return reverse("grants:award_detail", args=[award.pk])


def owner_of(award):
    return award.organization.memberships.get(role="owner").user


def test_an_owner_reads_the_agreement_and_accepts(client, award):
    client.force_login(owner_of(award))
    page = client.get(url(award)).content.decode()
    assert "Quarterly counts of survivors hired." in page
    assert "$25,000.00" in page
    digest = client.get(url(award)).context["agreement_digest"]
    response = client.post(
        url(award),
        {
            "accept": "1",
            "accept-signer_name": "Amina Yusuf",
            "accept-agree": "on",
            "agreement": digest,
        },
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED
    assert award.signer_name == "Amina Yusuf"
    assert "Quarterly counts" in award.agreement_text


def test_accepting_without_ticking_the_box_shows_an_error_and_writes_nothing(
    client, award
):
    client.force_login(owner_of(award))
    response = client.post(
        url(award), {"accept": "1", "accept-signer_name": "Amina Yusuf"}
    )
    assert response.status_code == 200
    assert "Tick the box to accept the agreement." in response.content.decode()
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED


def test_an_owner_can_decline(client, award):
    client.force_login(owner_of(award))
    client.post(url(award), {"decline": "1", "decline-reason": "We merged."})
    award.refresh_from_db()
    assert award.status == Award.Status.DECLINED


def test_outsiders_get_404_and_editors_cannot_answer(client, award):
    client.force_login(UserFactory())
    assert client.get(url(award)).status_code == 404
    assert (
        client.post(
            url(award),
            {"accept": "1", "accept-signer_name": "X", "accept-agree": "on"},
        ).status_code
        == 404
    )
    editor = MembershipFactory(organization=award.organization, role="editor").user
    client.force_login(editor)
    page = client.get(url(award))
    assert page.status_code == 200
    assert "An owner of your organization can accept" in page.content.decode()
    assert (
        client.post(
            url(award),
            {"accept": "1", "accept-signer_name": "X", "accept-agree": "on"},
        ).status_code
        == 404
    )
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED


def test_an_award_amended_after_the_page_opened_is_not_signed(
    client, award, program_staff
):
    client.force_login(owner_of(award))
    digest = client.get(url(award)).context["agreement_digest"]
    services.amend_award(
        actor=program_staff, award=award, amount=Decimal("20000.00"), reason="Budget"
    )
    response = client.post(
        url(award),
        {
            "accept": "1",
            "accept-signer_name": "Amina Yusuf",
            "accept-agree": "on",
            "agreement": digest,
        },
    )
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert award.signer_name == ""
