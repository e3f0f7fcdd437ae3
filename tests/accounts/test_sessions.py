"""Session lifetime and ending sessions.

Staff, finance, chairs and panelists are signed out after a quiet spell and after a
long day; changing the password or the second factor ends the person's other
sessions; an administrator can sign someone out everywhere; deactivating an account
ends its sessions.
"""

import time

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from portal.accounts.middleware import SEEN_KEY, STARTED_KEY
from tests.accounts.helpers import NEW_PASSWORD, PASSWORD
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

PORTAL = "/portal/"


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def age_session(client, **seconds_ago) -> None:
    """Time passes: the session was last seen / started this many seconds ago."""
    session = client.session
    now = int(time.time())
    if "seen" in seconds_ago:
        session[SEEN_KEY] = now - seconds_ago["seen"]
    if "started" in seconds_ago:
        session[STARTED_KEY] = now - seconds_ago["started"]
    session.save()


def test_staff_are_signed_out_after_a_quiet_spell_and_told_why(client, program_staff):
    login_verified(client, program_staff)
    assert client.get(PORTAL).status_code == 200
    age_session(client, seen=settings.PORTAL_SESSION_IDLE_MINUTES * 60 + 5)

    response = client.get(PORTAL, follow=True)

    assert not signed_in(client)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "signed you out after a while without activity" in response.text


def test_staff_who_keep_working_stay_signed_in(client, program_staff):
    login_verified(client, program_staff)
    client.get(PORTAL)
    age_session(client, seen=settings.PORTAL_SESSION_IDLE_MINUTES * 60 - 120)

    assert client.get(PORTAL).status_code == 200
    assert signed_in(client)


def test_a_long_day_ends_a_panelist_session_even_while_active(client, panelist):
    login_verified(client, panelist)
    client.get(PORTAL)
    age_session(client, seen=10, started=settings.PORTAL_SESSION_MAX_HOURS * 3600 + 5)

    response = client.get(PORTAL, follow=True)

    assert not signed_in(client)
    assert "we sign everyone out once a day" in response.text


def test_the_admin_asks_staff_to_sign_in_again_after_a_quiet_spell(
    client, program_staff
):
    login_verified(client, program_staff)
    assert client.get("/admin/").status_code == 200
    age_session(client, seen=settings.PORTAL_SESSION_IDLE_MINUTES * 60 + 5)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert not signed_in(client)


def test_applicants_keep_their_session_through_a_quiet_spell(client, applicant):
    client.force_login(applicant)
    client.get(PORTAL)
    age_session(client, seen=3 * 3600, started=20 * 3600)

    assert client.get(PORTAL).status_code == 200
    assert signed_in(client)


def test_a_new_password_ends_the_other_sessions_but_not_this_one(applicant):
    here, elsewhere = Client(), Client()
    here.force_login(applicant)
    elsewhere.force_login(applicant)
    assert elsewhere.get(PORTAL).status_code == 200

    here.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert here.get(PORTAL).status_code == 200
    assert elsewhere.get(PORTAL).status_code == 302
    assert not signed_in(elsewhere)


def test_new_backup_codes_end_the_other_sessions_but_not_this_one(program_staff):
    here, elsewhere = Client(), Client()
    login_verified(here, program_staff)
    login_verified(elsewhere, program_staff)
    assert elsewhere.get(PORTAL).status_code == 200

    response = here.post(reverse("accounts:two_factor_backup_codes"))

    assert response.status_code == 200
    assert here.get(PORTAL).status_code == 200
    assert elsewhere.get(PORTAL).status_code == 302
    assert not signed_in(elsewhere)


def test_an_administrator_signs_someone_out_everywhere(
    client, administrator, program_staff
):
    target = Client()
    login_verified(target, program_staff)
    assert target.get(PORTAL).status_code == 200
    login_verified(client, administrator)
    url = reverse("accounts_end_sessions", args=[program_staff.pk])
    assert "Sign out everywhere" in client.get(url).text
    listing = client.get(reverse("wagtailusers_users:index"))
    assert url in listing.text

    response = client.post(url)

    assert response.status_code == 302
    assert target.get(PORTAL).status_code == 302
    assert not signed_in(target)
    assert signed_in(client)
    entry = ModelLogEntry.objects.get(
        action="accounts.end_all_sessions", object_id=str(program_staff.pk)
    )
    assert entry.user_id == administrator.pk


@pytest.mark.parametrize("role", ["program_staff", "finance_officer", "applicant"])
def test_only_administrators_sign_other_people_out(client, request, role, panelist):
    target = Client()
    login_verified(target, panelist)
    actor = request.getfixturevalue(role)
    login_verified(client, actor)
    url = reverse("accounts_end_sessions", args=[panelist.pk])

    assert client.post(url).status_code in (302, 404)
    assert target.get(PORTAL).status_code == 200
    assert not ModelLogEntry.objects.filter(action="accounts.end_all_sessions")


def test_deactivating_an_account_ends_its_sessions(client, panelist):
    login_verified(client, panelist)
    assert client.get(PORTAL).status_code == 200
    panelist.is_active = False
    panelist.save(update_fields=["is_active"])

    assert client.get(PORTAL).status_code == 302
    # Turned on again later, the account's old sessions stay ended.
    panelist.is_active = True
    panelist.save(update_fields=["is_active"])
    assert client.get(PORTAL).status_code == 302
    assert not signed_in(client)
