"""Grantee onboarding for Stripe payments: owners only, account id and status only."""

import pytest
from django.urls import reverse

from grants.models import PayeeAccount
from tests.factories import MembershipFactory, UserFactory
from tests.grants.stripe_fake import FakeStripe, ensure_log_actions, point_settings_at
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


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
def owner():
    return MembershipFactory(role="owner")


def urls(organization_id):
    return [
        reverse(f"payments:{name}", kwargs={"organization_id": organization_id})
        for name in ("payee_start", "payee_return", "payee_refresh")
    ]


def test_the_owner_is_sent_to_stripe_and_only_the_account_id_and_status_are_kept(
    client, fake, owner
):
    login_verified(client, owner.user)
    start, return_url, refresh_url = urls(owner.organization_id)

    response = client.post(start)

    payee = PayeeAccount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == (
        f"https://connect.stripe.test/setup/{payee.stripe_account_id}"
    )
    assert set(PayeeAccount.objects.values().get()) == {
        "id",
        "organization_id",
        "person_id",
        "stripe_account_id",
        "status",
        "updated_at",
    }
    assert payee.organization == owner.organization
    assert payee.status == PayeeAccount.Status.PENDING
    created, link = [r for r in fake.requests if r.method == "POST"]
    assert created.params["capabilities"] == {"transfers": {"requested": "true"}}
    assert link.params["return_url"].endswith(return_url)
    assert link.params["refresh_url"].endswith(refresh_url)

    client.post(start)
    assert PayeeAccount.objects.count() == 1
    assert len([r for r in fake.requests if r.path == "/v1/accounts"]) == 1


def test_coming_back_from_stripe_shows_the_status_stripe_has_now(client, fake, owner):
    login_verified(client, owner.user)
    start, return_url, refresh_url = urls(owner.organization_id)
    client.post(start)
    payee = PayeeAccount.objects.get()

    response = client.get(refresh_url)
    assert response.status_code == 200
    assert b"Continue with Stripe" in response.content

    account = fake.accounts[payee.stripe_account_id]
    account.update(details_submitted=True, payouts_enabled=True)
    account["capabilities"]["transfers"] = "active"
    response = client.get(return_url)

    payee.refresh_from_db()
    assert payee.status == PayeeAccount.Status.ENABLED
    assert b"ready to receive payments" in response.content


@pytest.mark.parametrize("who", ["editor", "other_owner", "no_membership"])
def test_people_other_than_the_owner_get_404_on_every_payee_url_and_nothing_is_written(
    client, fake, owner, who
):
    person = {
        "editor": lambda: (
            MembershipFactory(role="editor", organization=owner.organization).user
        ),
        "other_owner": lambda: MembershipFactory(role="owner").user,
        "no_membership": UserFactory,
    }[who]()
    login_verified(client, person)

    for url in urls(owner.organization_id):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in (404, 405), url

    assert not PayeeAccount.objects.exists()
    assert fake.requests == []


def test_without_stripe_the_page_says_how_the_grants_team_pays_and_writes_nothing(
    client, settings, owner
):
    settings.STRIPE_SECRET_KEY = ""
    login_verified(client, owner.user)
    start, return_url, _refresh = urls(owner.organization_id)

    for response in (client.get(start), client.post(start), client.get(return_url)):
        assert response.status_code == 200
        assert (
            b"Stripe payments are not set up on this site; the grants team pays by "
            b"bank transfer or check" in response.content
        )
    assert not PayeeAccount.objects.exists()
