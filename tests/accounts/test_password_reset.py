"""Password reset: a link only for real accounts, the same page for everyone."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.accounts.helpers import NEW_PASSWORD, link_path
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask_for_reset(client, address):
    return client.post(
        reverse("accounts:password_reset"), {"email": address}, follow=True
    )


def test_reset_email_goes_only_to_accounts_and_the_page_is_the_same(client, mailoutbox):
    user = UserFactory(email="holder@example.org")

    known = ask_for_reset(client, "holder@example.org")
    unknown = ask_for_reset(client, "stranger@example.org")

    assert (
        known.redirect_chain
        == unknown.redirect_chain
        == [(reverse("accounts:password_reset_done"), 302)]
    )
    assert known.content == unknown.content
    [message] = mailoutbox
    assert message.to == [user.email]
    assert message.subject == "Choose a new password"
    assert message.alternatives[0][1] == "text/html"


def test_no_reset_email_for_a_deactivated_account(client, mailoutbox):
    UserFactory(email="gone@example.org", is_active=False)
    ask_for_reset(client, "gone@example.org")
    assert mailoutbox == []


def test_the_reset_link_sets_a_new_password_and_lifts_a_pause(client, mailoutbox):
    user = UserFactory(email="holder@example.org")
    for _ in range(5):
        client.post(
            reverse("accounts:login"),
            {"username": user.email, "password": "wrong guess"},
            REMOTE_ADDR="198.51.100.7",
        )
    assert AccessAttempt.objects.filter(username=user.email).exists()
    ask_for_reset(client, user.email)

    form_page = client.get(link_path(mailoutbox[0]), follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_password_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert not AccessAttempt.objects.filter(username=user.email).exists()
    assert ModelLogEntry.objects.filter(
        action="accounts.reset_password", object_id=str(user.pk)
    ).exists()
    client.post(
        reverse("accounts:login"),
        {"username": user.email, "password": NEW_PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_used_reset_link_is_refused_kindly(client, mailoutbox):
    user = UserFactory()
    ask_for_reset(client, user.email)
    link = link_path(mailoutbox[0])
    set_password_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    client.logout()

    again = client.get(link, follow=True)

    assert b"This link does not work" in again.content
    assert b"Send me a new link" in again.content
