"""Change the address: the password first, then a link to the new address."""

import base64

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.permissions import email_is_confirmed
from tests.accounts.helpers import PASSWORD, add_authenticator, link_path
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def ask_to_change(client, new_email, password=PASSWORD):
    return client.post(
        reverse("accounts:change_email"),
        {"current_password": password, "new_email": new_email},
    )


def test_changing_the_address_needs_the_current_password(
    client, confirmed_applicant, mailoutbox, sending
):
    client.force_login(confirmed_applicant)
    before = confirmed_applicant.email
    with sending():
        response = ask_to_change(client, "new@example.org", password="not my password")

    assert response.status_code == 200
    assert b"That password did not match" in response.content
    assert b'href="#id_current_password"' in response.content
    assert mailoutbox == []
    confirmed_applicant.refresh_from_db()
    assert confirmed_applicant.email == before
    assert not ModelLogEntry.objects.filter(
        action__startswith="accounts.request_email_change"
    ).exists()


def test_the_new_address_applies_only_after_its_owner_confirms(
    client, confirmed_applicant, mailoutbox, sending
):
    old = confirmed_applicant.email
    client.force_login(confirmed_applicant)
    with sending():
        response = ask_to_change(client, "New.Address@Example.org")

    assert response["Location"] == reverse("accounts:change_email_done")
    [message] = mailoutbox
    assert message.to == ["new.address@example.org"]
    link = link_path(message)
    assert "new.address" not in link
    assert base64.urlsafe_b64encode(b"new.address").decode()[:8] not in link
    confirmed_applicant.refresh_from_db()
    assert confirmed_applicant.email == old

    assert b"Use this address" in client.get(link).content
    confirmed_applicant.refresh_from_db()
    assert confirmed_applicant.email == old

    with sending():
        response = client.post(link)

    assert response["Location"] == reverse("accounts:account")
    confirmed_applicant.refresh_from_db()
    assert confirmed_applicant.email == "new.address@example.org"
    assert email_is_confirmed(confirmed_applicant)
    assert ModelLogEntry.objects.filter(
        action="accounts.change_email", object_id=str(confirmed_applicant.pk)
    ).exists()
    notice = mailoutbox[-1]
    assert notice.to == [old]
    assert notice.subject == "Your email address was changed"

    reused = client.post(link)
    assert reused.status_code == 400
    assert b"This link does not work" in reused.content


def test_the_link_works_without_being_signed_in(client, applicant, mailoutbox, sending):
    client.force_login(applicant)
    with sending():
        ask_to_change(client, "phone@example.org")
    client.logout()

    response = client.post(link_path(mailoutbox[0]))

    assert response["Location"] == reverse("accounts:login")
    applicant.refresh_from_db()
    assert applicant.email == "phone@example.org"


def test_a_password_change_cancels_a_pending_link(
    client, applicant, mailoutbox, sending
):
    client.force_login(applicant)
    with sending():
        ask_to_change(client, "later@example.org")
    applicant.set_password("a different long password")
    applicant.save()

    response = client.post(link_path(mailoutbox[0]))

    assert response.status_code == 400
    applicant.refresh_from_db()
    assert applicant.email != "later@example.org"


def test_an_address_with_an_account_is_not_revealed(
    client, applicant, mailoutbox, sending
):
    UserFactory(email="taken@example.org")
    client.force_login(applicant)
    with sending():
        taken = ask_to_change(client, "taken@example.org")
    with sending():
        free = ask_to_change(client, "free@example.org")

    assert taken["Location"] == free["Location"]
    assert [message.to for message in mailoutbox] == [
        ["taken@example.org"],
        ["free@example.org"],
    ]
    assert "/accounts/email/confirm/" not in mailoutbox[0].body
    applicant.refresh_from_db()
    assert applicant.email != "taken@example.org"


def test_an_address_taken_after_the_link_was_sent_is_refused(
    client, applicant, mailoutbox, sending
):
    client.force_login(applicant)
    with sending():
        ask_to_change(client, "race@example.org")
    UserFactory(email="race@example.org")

    response = client.post(link_path(mailoutbox[0]))

    assert response.status_code == 400
    assert b"This address cannot be used" in response.content
    applicant.refresh_from_db()
    assert applicant.email != "race@example.org"


def test_the_same_address_is_refused_with_a_clear_message(
    client, applicant, mailoutbox
):
    client.force_login(applicant)
    response = ask_to_change(client, applicant.email)
    assert b"This is already the address on your account." in response.content
    assert mailoutbox == []


def test_changing_the_address_needs_sign_in(client):
    response = client.get(reverse("accounts:change_email"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_with_two_factor_set_up_the_code_comes_first(client, applicant):
    add_authenticator(applicant)
    client.force_login(applicant)
    response = client.get(reverse("accounts:change_email"))
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
