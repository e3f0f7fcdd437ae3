"""Change the password while signed in: the current one first, counted like sign-ins."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.accounts.helpers import NEW_PASSWORD, PASSWORD, add_authenticator

pytestmark = pytest.mark.django_db


def change(client, old, ip="198.51.100.7"):
    return client.post(
        reverse("accounts:password_change"),
        {
            "old_password": old,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        REMOTE_ADDR=ip,
    )


def test_a_new_password_keeps_this_session_signed_in(client, applicant):
    client.force_login(applicant)

    response = change(client, PASSWORD)

    assert response["Location"] == reverse("accounts:account")
    applicant.refresh_from_db()
    assert applicant.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(applicant.pk)
    assert ModelLogEntry.objects.filter(
        action="accounts.change_password", object_id=str(applicant.pk)
    ).exists()


def test_wrong_current_passwords_are_refused_then_paused(client, applicant):
    client.force_login(applicant)

    answers = [change(client, "a wrong guess") for _ in range(5)]

    assert b"That is not your current password" in answers[0].content
    assert answers[4].status_code == 429
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)


def test_with_two_factor_set_up_the_code_comes_first(client, applicant):
    add_authenticator(applicant)
    client.force_login(applicant)
    response = change(client, PASSWORD)
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    applicant.refresh_from_db()
    assert applicant.check_password(PASSWORD)
