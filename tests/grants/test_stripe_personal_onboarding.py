"""Panelists owed a stipend can set up Stripe to be paid; nobody else can."""

from decimal import Decimal

import pytest
from django.urls import reverse

from grants.models import PayeeAccount, Stipend
from tests.factories import FundingRoundFactory, UserFactory
from tests.grants.stripe_fake import FakeStripe, ensure_log_actions, point_settings_at
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db
START = "payments:my_payee_start"


@pytest.fixture(autouse=True)
def _log_actions():
    ensure_log_actions()


@pytest.fixture
def fake(settings):
    server = FakeStripe().start()
    point_settings_at(settings, server)
    yield server
    server.stop()


@pytest.fixture
def owed(program_staff):
    person = UserFactory()
    Stipend.objects.create(
        panelist=person,
        funding_round=FundingRoundFactory(),
        hours=Decimal("4"),
        rate=Decimal("40"),
        amount=Decimal("160.00"),
        sent_by=program_staff,
    )
    return person


def test_a_panelist_with_a_stipend_is_sent_to_stripe_once(client, fake, owed):
    login_verified(client, owed)
    response = client.post(reverse(START))
    payee = PayeeAccount.objects.get()
    assert response.status_code == 302
    assert payee.person == owed
    assert payee.organization is None
    client.post(reverse(START))
    assert PayeeAccount.objects.count() == 1
    assert len([r for r in fake.requests if r.path == "/v1/accounts"]) == 1
    back = client.get(reverse("payments:my_payee_return"))
    assert back.status_code == 200


def test_someone_without_a_stipend_gets_404_and_nothing_is_written(client, fake):
    login_verified(client, UserFactory())
    assert client.get(reverse(START)).status_code == 404
    assert client.post(reverse(START)).status_code == 404
    assert client.get(reverse("payments:my_payee_return")).status_code == 404
    assert not PayeeAccount.objects.exists()
    assert fake.requests == []


def test_without_stripe_the_page_says_how_stipends_are_paid(client, owed, settings):
    settings.STRIPE_SECRET_KEY = ""
    login_verified(client, owed)
    page = client.get(reverse(START)).content.decode()
    assert "check or prepaid card" in page
    assert client.post(reverse(START)).status_code == 200
    assert not PayeeAccount.objects.exists()
