"""Signing in and out: sessions, safe redirects, pauses after failed attempts."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.accounts.helpers import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

IP_A = "198.51.100.7"
IP_B = "203.0.113.99"
PAUSED = (
    "For your safety, signing in is paused for 15 minutes after several attempts "
    "that did not match. You can reset your password, or try again later."
)


def fail(client, user, ip):
    return client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": "not the password"},
        REMOTE_ADDR=ip,
    )


def test_signing_in_starts_a_new_session(client, applicant):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key

    sign_in(client, applicant)

    assert client.session[SESSION_KEY] == str(applicant.pk)
    assert client.session.session_key != before


def test_sign_out_needs_a_post(client, applicant):
    client.force_login(applicant)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert client.session[SESSION_KEY] == str(applicant.pk)


def test_next_pointing_to_another_site_is_ignored(client, applicant):
    for target in ("https://evil.example", "//evil.example/", "https:evil.example"):
        response = sign_in(client, applicant, next_url=target)
        assert response.status_code == 302
        assert response["Location"] == reverse("applications:portal_home"), target
        client.post(reverse("accounts:logout"))


def test_next_pointing_to_another_site_is_not_even_carried_in_the_form(client):
    page = client.get(reverse("accounts:login"), {"next": "https://evil.example"})
    assert b"evil.example" not in page.content


def test_next_on_this_site_is_followed(client, applicant):
    response = sign_in(client, applicant, next_url="/apply/3/")
    assert response["Location"] == "/apply/3/"


def test_the_message_is_the_same_for_an_unknown_address_and_a_wrong_password(client):
    user = UserFactory()
    wrong_password = fail(client, user, IP_A)
    unknown = client.post(
        reverse("accounts:login"),
        {"username": "nobody@example.org", "password": "not the password"},
        REMOTE_ADDR=IP_A,
    )
    message = b"The email address and password did not match an account."
    assert message in wrong_password.content
    assert message in unknown.content


def test_five_failures_pause_that_address_from_that_network_only(client):
    user = UserFactory()
    answers = [fail(client, user, IP_A) for _ in range(5)]

    assert [answer.status_code for answer in answers[:4]] == [200] * 4
    assert answers[4].status_code == 429
    assert PAUSED in answers[4].content.decode()
    assert user.email.encode() not in answers[4].content

    right_password_same_network = sign_in(client, user, ip=IP_A)
    assert right_password_same_network.status_code == 429
    assert SESSION_KEY not in client.session

    elsewhere = sign_in(client, user, ip=IP_B)
    assert elsewhere.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert AccessAttempt.objects.filter(ip_address=IP_A).exists()


def test_the_pause_page_offers_a_password_reset(client):
    user = UserFactory()
    for _ in range(5):
        response = fail(client, user, IP_A)
    assert reverse("accounts:password_reset").encode() in response.content
    assert b"noindex" in response.content


def test_failed_sign_ins_are_audited_without_the_address(client):
    user = UserFactory(email="private@example.org")
    fail(client, user, IP_A)
    entry = ModelLogEntry.objects.get(
        action="accounts.login_failed", object_id=str(user.pk)
    )
    assert entry.label == f"User {user.pk}"
    assert "private@example.org" not in str(entry.data)


def test_the_spanish_sign_in_page(client):
    response = client.get("/es/accounts/login/")
    assert response.status_code == 200
    assert b'<html lang="es"' in response.content
    assert b'action="/es/accounts/login/"' in response.content
    assert b'name="username"' in response.content


def test_account_pages_are_kept_out_of_search_engines(client):
    response = client.get(reverse("accounts:login"))
    assert b'<meta name="robots" content="noindex">' in response.content


def test_the_header_offers_sign_in_or_sign_out(client, applicant):
    assert b'href="/accounts/login/"' in client.get("/accounts/signup/").content
    client.force_login(applicant)
    page = client.get("/accounts/signup/").content
    assert b'action="/accounts/logout/"' in page
    assert b"Your account" in page


def test_failures_for_unknown_addresses_are_counted_too(client):
    response = client.post(
        reverse("accounts:login"), {"username": "x@example.org", "password": PASSWORD}
    )
    assert AccessAttempt.objects.filter(username="x@example.org").exists()
    assert response.status_code == 200
