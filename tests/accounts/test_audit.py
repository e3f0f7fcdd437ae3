"""Account actions land in Wagtail's audit log, labelled by number, never by address."""

import pytest
from django.urls import reverse
from wagtail.log_actions import registry
from wagtail.models import ModelLogEntry

from tests.accounts.helpers import sign_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REQUIRED_ACTIONS = [
    "accounts.signup",
    "accounts.confirm_email",
    "accounts.change_email",
    "accounts.enable_two_factor",
    "accounts.regenerate_backup_codes",
    "accounts.login",
    "accounts.login_failed",
    "accounts.logout",
]


@pytest.mark.parametrize("action", REQUIRED_ACTIONS)
def test_account_actions_are_registered_for_the_admin_history(action):
    assert registry.action_exists(action)


def test_signing_in_and_out_is_audited_by_the_person(client):
    user = UserFactory(email="someone@example.org")
    sign_in(client, user)
    client.post(reverse("accounts:logout"))

    entries = ModelLogEntry.objects.filter(object_id=str(user.pk)).order_by("pk")

    assert [(entry.action, entry.user_id) for entry in entries] == [
        ("accounts.login", user.pk),
        ("accounts.logout", user.pk),
    ]
    assert {entry.label for entry in entries} == {f"User {user.pk}"}
    assert "someone@example.org" not in str([entry.data for entry in entries])


def test_an_unknown_address_leaves_no_audit_entry(client):
    client.post(
        reverse("accounts:login"),
        {"username": "nobody@example.org", "password": "whatever it is"},
    )
    assert not ModelLogEntry.objects.filter(action="accounts.login_failed").exists()
