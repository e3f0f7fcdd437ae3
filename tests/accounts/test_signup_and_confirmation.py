"""Sign up, confirm the address by link, sign in and out; links that no longer work."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from portal import roles
from portal.accounts.tokens import make_confirmation_token
from portal.models import User
from portal.permissions import email_is_confirmed, requires_second_factor
from tests.accounts.helpers import NEW_PASSWORD, link_path
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signup_data(email="amina@example.org", password=NEW_PASSWORD, **extra):
    return {
        "first_name": "Amina",
        "email": email,
        "password1": password,
        "password2": password,
        **extra,
    }


def logged(action, user):
    return ModelLogEntry.objects.filter(action=action, object_id=str(user.pk))


def test_sign_up_confirm_sign_in_and_sign_out(client, mailoutbox, sending):
    with sending():
        response = client.post(reverse("accounts:signup"), signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    user = User.objects.get(email="amina@example.org")
    assert list(user.groups.values_list("name", flat=True)) == [roles.APPLICANTS]
    assert not email_is_confirmed(user)
    assert SESSION_KEY not in client.session  # signing up does not sign you in
    assert logged("accounts.signup", user).exists()

    [message] = mailoutbox
    assert message.to == ["amina@example.org"]
    assert message.subject == "Confirm your email address"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    link = link_path(message)
    assert link in html
    assert "Amina" not in message.body + html  # only the link and plain guidance
    assert "amina@example.org" not in message.body + html + link

    page = client.get(link)
    assert page.status_code == 200
    assert b"Confirm my email address" in page.content
    user.refresh_from_db()
    assert user.email_confirmed_at is None  # a GET (or a mail scanner) changes nothing

    response = client.post(link)
    assert response["Location"] == reverse("accounts:login")
    user.refresh_from_db()
    assert email_is_confirmed(user)
    assert logged("accounts.confirm_email", user).count() == 1

    response = client.post(
        reverse("accounts:login"),
        {"username": "Amina@Example.org", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("applications:portal_home")
    assert client.session[SESSION_KEY] == str(user.pk)
    assert logged("accounts.login", user).exists()
    session_key = client.session.session_key

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("accounts:account"))["Location"].startswith(
        reverse("accounts:login")
    )


def test_new_applicants_get_no_privileged_access(client, sending):
    with sending():
        client.post(reverse("accounts:signup"), signup_data())
    user = User.objects.get(email="amina@example.org")
    assert not user.is_staff
    assert not user.is_superuser
    assert not user.has_perm("wagtailadmin.access_admin")
    assert not requires_second_factor(user)


def test_an_unconfirmed_account_can_sign_in(client):
    user = UserFactory(roles=[roles.APPLICANTS])
    response = client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": "a-long-test-password"},
    )
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert not email_is_confirmed(user)


def test_signing_up_with_a_registered_address_reveals_nothing(
    client, mailoutbox, sending
):
    owner = UserFactory(email="owner@example.org")
    owner_password = owner.password

    with sending():
        response = client.post(
            reverse("accounts:signup"), signup_data(email="Owner@example.org")
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:signup_done")
    assert User.objects.filter(email__iexact="owner@example.org").count() == 1
    owner.refresh_from_db()
    assert owner.password == owner_password
    assert not owner.groups.filter(name=roles.APPLICANTS).exists()
    [message] = mailoutbox
    assert message.to == ["owner@example.org"]
    assert "tried to create an account" in message.subject
    assert "/accounts/confirm/" not in message.body


def test_the_page_after_sign_up_is_the_same_for_new_and_registered_addresses(
    client, sending
):
    UserFactory(email="owner@example.org")
    with sending():
        new = client.post(
            reverse("accounts:signup"),
            signup_data(email="new@example.org"),
            follow=True,
        )
    with sending():
        taken = client.post(
            reverse("accounts:signup"),
            signup_data(email="owner@example.org"),
            follow=True,
        )
    assert new.redirect_chain == taken.redirect_chain
    assert new.content == taken.content


def test_notices_to_a_registered_address_are_not_repeated_for_ten_minutes(
    client, mailoutbox, sending
):
    UserFactory(email="owner@example.org")
    for _ in range(3):
        with sending():
            client.post(
                reverse("accounts:signup"), signup_data(email="owner@example.org")
            )
    assert len(mailoutbox) == 1


def test_a_weak_or_mistyped_password_is_refused_and_nothing_is_written(
    client, mailoutbox
):
    short = client.post(reverse("accounts:signup"), signup_data(password="short-pw"))
    mismatched = client.post(
        reverse("accounts:signup"),
        {**signup_data(), "password2": "something else entirely"},
    )
    for response in (short, mismatched):
        assert response.status_code == 200
        assert b'class="error-summary" role="alert"' in response.content
    assert b'href="#id_password1"' in short.content
    assert b'aria-describedby="id_password1_helptext id_password1_error"' in (
        short.content
    )
    assert b'href="#id_password2"' in mismatched.content
    assert not User.objects.exists()
    assert mailoutbox == []


def test_a_spanish_sign_up_gets_a_spanish_link(client, mailoutbox, sending):
    with sending():
        client.post("/es/accounts/signup/", signup_data())
    assert link_path(mailoutbox[0]).startswith("/es/accounts/confirm/")


def test_an_expired_confirmation_link_is_refused_kindly(client, monkeypatch):
    user = UserFactory()
    long_ago = time.time() - timedelta(days=3, minutes=1).total_seconds()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: long_ago)
        token = make_confirmation_token(user)
    url = reverse("accounts:confirm_email", kwargs={"token": token})

    page = client.get(url)
    response = client.post(url)

    for answer in (page, response):
        assert answer.status_code == 400
        assert b"This link has expired" in answer.content
        assert b"Send me a new link" in answer.content
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_a_link_two_days_old_still_works(client, monkeypatch):
    user = UserFactory()
    two_days_ago = time.time() - timedelta(days=2).total_seconds()
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: two_days_ago)
        token = make_confirmation_token(user)
    client.post(reverse("accounts:confirm_email", kwargs={"token": token}))
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


def test_a_used_confirmation_link_is_refused_kindly(client):
    user = UserFactory()
    url = reverse(
        "accounts:confirm_email", kwargs={"token": make_confirmation_token(user)}
    )
    client.post(url)
    user.refresh_from_db()
    first_confirmed_at = user.email_confirmed_at

    again = client.post(url)

    assert again.status_code == 200
    assert b"already confirmed" in again.content
    user.refresh_from_db()
    assert user.email_confirmed_at == first_confirmed_at
    assert logged("accounts.confirm_email", user).count() == 1


def test_a_tampered_confirmation_link_is_refused_kindly(client):
    user = UserFactory()
    token = make_confirmation_token(user)
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.post(
        reverse("accounts:confirm_email", kwargs={"token": tampered})
    )

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_a_link_for_an_earlier_address_stops_working(client):
    user = UserFactory(email="before@example.org")
    token = make_confirmation_token(user)
    user.email = "after@example.org"
    user.save()

    response = client.post(reverse("accounts:confirm_email", kwargs={"token": token}))

    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_resending_says_the_same_for_every_address_and_mails_only_unconfirmed(
    client, mailoutbox, sending
):
    waiting = UserFactory(email="waiting@example.org")
    UserFactory(email="done@example.org", email_confirmed_at=timezone.now())
    answers = []
    for address in ("waiting@example.org", "done@example.org", "nobody@example.org"):
        with sending():
            answers.append(
                client.post(reverse("accounts:resend_confirmation"), {"email": address})
            )
    assert {answer["Location"] for answer in answers} == {
        reverse("accounts:resend_confirmation_done")
    }
    [message] = mailoutbox
    assert message.to == [waiting.email]
    client.post(link_path(message))
    waiting.refresh_from_db()
    assert waiting.email_confirmed_at is not None


def test_a_signed_in_person_can_ask_for_the_link_again(client, mailoutbox, sending):
    user = UserFactory()
    client.force_login(user)
    with sending():
        response = client.post(reverse("accounts:resend_confirmation"))
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[user.email]]
