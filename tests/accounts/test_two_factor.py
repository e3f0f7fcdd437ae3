"""The second factor: who must use it, the gate, setting it up, codes and backups."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import ModelLogEntry

from portal.accounts.middleware import is_gated_path
from portal.permissions import requires_second_factor
from tests.accounts.helpers import (
    add_authenticator,
    add_backup_codes,
    code_for,
    sign_in,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
ROLES_WITH_SECOND_FACTOR = [
    "program_staff",
    "finance_officer",
    "comms_staff",
    "chair",
    "panelist",
    "administrator",
]


def verify(client, code, next_url="/admin/"):
    return client.post(VERIFY, {"code": code, "next": next_url})


def logged(action, user):
    return ModelLogEntry.objects.filter(action=action, object_id=str(user.pk))


@pytest.mark.parametrize("role", ROLES_WITH_SECOND_FACTOR)
def test_these_roles_need_a_second_factor(request, role):
    assert requires_second_factor(request.getfixturevalue(role))


def test_applicants_and_visitors_do_not(applicant, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not requires_second_factor(applicant)
    assert not requires_second_factor(AnonymousUser())


def test_anyone_given_the_admin_directly_needs_one():
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    assert requires_second_factor(user)


@pytest.mark.parametrize("role", ROLES_WITH_SECOND_FACTOR)
def test_without_a_device_they_are_sent_to_set_one_up(client, request, role):
    client.force_login(request.getfixturevalue(role))
    for path in ("/admin/", "/admin/pages/", "/portal/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(SETUP), path
    spanish = client.get("/es/portal/")
    assert spanish["Location"].startswith("/es/accounts/two-factor/setup/")


def test_with_a_device_staff_are_sent_to_verify(client, program_staff):
    add_authenticator(program_staff)
    client.force_login(program_staff)
    for path in ("/admin/", reverse("applications:portal_home")):
        response = client.get(path)
        assert response["Location"] == f"{VERIFY}?next={path.replace('/', '%2F')}"


def test_account_pages_public_pages_and_admin_sign_in_stay_open(
    client, finance_officer
):
    client.force_login(finance_officer)
    for path in (
        reverse("accounts:account"),
        SETUP,
        "/static/css/forms.css",
        "/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
    for path in ("/admin/login/", "/admin/password_reset/"):
        response = client.get(path)
        assert not response.get("Location", "").startswith(SETUP), path


def test_gated_paths():
    assert is_gated_path("/admin/")
    assert is_gated_path("/admin/snippets/")
    assert is_gated_path("/portal/organizations/4/")
    assert is_gated_path("/hmn/portal/")
    assert is_gated_path("/applications/6f1c1d2e-0000-4000-8000-000000000000/")
    assert is_gated_path("/es/applications/6f1c1d2e-0000-4000-8000-000000000000/check/")
    assert is_gated_path("/apply/3/")
    assert not is_gated_path("/admin/login/")
    assert not is_gated_path("/admin/logout/")
    assert not is_gated_path("/admin/password_reset/done/")
    assert not is_gated_path("/accounts/two-factor/setup/")
    assert not is_gated_path("/funding/")
    assert not is_gated_path("/portalx/")


def test_a_correct_code_opens_the_admin(client, program_staff):
    device = add_authenticator(program_staff)
    response = sign_in(client, program_staff, next_url="/admin/")
    assert response["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get("/admin/")["Location"].startswith(VERIFY)

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"<select" not in page.content  # nothing to choose, just the code
    assert b'autocomplete="one-time-code"' in page.content
    assert b'aria-describedby="id_code_helptext"' in page.content

    before = client.session.session_key
    response = verify(client, code_for(device))

    assert response["Location"] == "/admin/"
    assert client.session.session_key != before
    assert client.get("/admin/").status_code == 200
    assert logged("accounts.verify_two_factor", program_staff).exists()


def test_a_wrong_code_is_refused_kindly_and_the_admin_stays_closed(
    client, program_staff
):
    device = add_authenticator(program_staff)
    client.force_login(program_staff)

    response = verify(client, "000000" if code_for(device) != "000000" else "111111")

    assert response.status_code == 200
    assert b"That code did not match" in response.content
    assert b'href="#id_code"' in response.content
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    assert logged("accounts.two_factor_failed", program_staff).exists()

    paused = verify(client, code_for(device))
    assert b"we pause code checks for a short while" in paused.content

    device.refresh_from_db()
    device.throttle_reset()
    assert verify(client, code_for(device))["Location"] == "/admin/"


def test_a_backup_code_works_once_only(client, panelist):
    add_authenticator(panelist)
    add_backup_codes(panelist, codes=["abcdefgh", "ijklmnop"])
    sign_in(client, panelist)

    response = verify(client, "ABCD-EFGH", next_url="/portal/")

    assert response["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    assert not StaticToken.objects.filter(token="abcdefgh").exists()
    assert logged("accounts.verify_two_factor", panelist).get().data == {
        "method": "backup_code"
    }

    client.post(reverse("accounts:logout"))
    sign_in(client, panelist)
    again = verify(client, "abcdefgh", next_url="/portal/")
    assert again.status_code == 200
    assert b"That code did not match" in again.content
    assert client.get("/portal/")["Location"].startswith(VERIFY)


def test_setting_up_shows_an_inline_qr_code_and_the_key(client, chair):
    client.force_login(chair)

    page = client.get(SETUP, {"next": "/portal/"})

    assert page.status_code == 200
    html = page.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert "<svg" in main
    assert 'role="img" aria-labelledby="qr-code-label"' in main
    assert "<script" not in main
    assert "<img" not in main
    assert "otpauth://" not in main  # the key URI is drawn, not linked
    device = TOTPDevice.objects.get(user=chair)
    assert not device.confirmed
    secret = re.search(r'class="secret-key"><code>([A-Z2-7 ]+)</code>', main).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert client.get(SETUP).content.decode().count(secret) == 1  # same device again


def test_confirming_setup_turns_it_on_and_shows_ten_backup_codes_once(client, chair):
    client.force_login(chair)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=chair)

    response = client.post(SETUP, {"code": code_for(device), "next": "/portal/"})

    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = re.findall(
        r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", response.content.decode()
    )
    assert len(codes) == 10
    assert StaticToken.objects.filter(device__user=chair).count() == 10
    assert client.get("/portal/").status_code == 200  # this session is verified
    assert logged("accounts.enable_two_factor", chair).count() == 1
    assert b"<li><code>" not in client.get(SETUP).content  # never shown again


def test_a_wrong_code_during_setup_leaves_it_off(client, chair):
    client.force_login(chair)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=chair)

    response = client.post(SETUP, {"code": "12345"})

    assert b"That code did not match" in response.content
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()
    assert client.get("/portal/")["Location"].startswith(SETUP)


def test_a_password_alone_cannot_add_a_second_device(client, program_staff):
    add_authenticator(program_staff)
    client.force_login(program_staff)
    response = client.get(SETUP)
    assert response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=program_staff).count() == 1


def test_new_backup_codes_replace_the_old_ones(client, program_staff):
    device = add_authenticator(program_staff)
    add_backup_codes(program_staff, codes=["oldcode1"])
    client.force_login(program_staff)
    verify(client, code_for(device))

    response = client.post(reverse("accounts:two_factor_backup_codes"))

    codes = re.findall(
        r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", response.content.decode()
    )
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token="oldcode1").exists()
    assert StaticToken.objects.filter(token=codes[0].replace("-", "")).exists()
    assert logged("accounts.regenerate_backup_codes", program_staff).count() == 1


def test_new_backup_codes_need_the_second_factor_first(client, program_staff):
    add_authenticator(program_staff)
    add_backup_codes(program_staff, codes=["oldcode1"])
    client.force_login(program_staff)

    response = client.post(reverse("accounts:two_factor_backup_codes"))

    assert response["Location"].startswith(VERIFY)
    assert StaticToken.objects.filter(token="oldcode1").exists()


def test_an_applicant_without_a_device_reaches_the_portal_without_it(client, applicant):
    response = sign_in(client, applicant)
    assert response["Location"] == reverse("applications:portal_home")
    assert client.get(reverse("applications:portal_home")).status_code == 200
    assert not client.get("/admin/").get("Location", "").startswith((SETUP, VERIFY))


def test_an_applicant_who_opted_in_is_asked_for_a_code_at_sign_in(client, applicant):
    device = add_authenticator(applicant)

    response = sign_in(client, applicant, next_url="/apply/3/")

    assert response["Location"] == f"{VERIFY}?next=%2Fapply%2F3%2F"
    assert client.get(reverse("applications:portal_home"))["Location"].startswith(
        VERIFY
    )
    assert verify(client, code_for(device), next_url="/apply/3/")["Location"] == (
        "/apply/3/"
    )


def test_staff_without_a_device_are_sent_to_set_up_at_sign_in(client, comms_staff):
    response = sign_in(client, comms_staff, next_url="/admin/")
    assert response["Location"] == f"{SETUP}?next=%2Fadmin%2F"


def test_demo_accounts_skip_it_only_in_the_embedded_default(client, settings):
    staff = UserFactory(email="staff@demo.test", is_staff=True, roles=["Program staff"])
    client.force_login(staff)

    settings.DEBUG = True
    assert not requires_second_factor(staff)
    assert client.get("/admin/").status_code == 200

    settings.DEBUG = False
    assert requires_second_factor(staff)
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_other_accounts_need_it_even_with_debug_on(client, settings, program_staff):
    settings.DEBUG = True
    client.force_login(program_staff)
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_an_applicant_who_opted_in_must_verify_before_reaching_applications(
    client, applicant
):
    add_authenticator(applicant)
    client.force_login(applicant)
    for path in ("/apply/1/", "/applications/6f1c1d2e-0000-4000-8000-000000000000/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(VERIFY), path
