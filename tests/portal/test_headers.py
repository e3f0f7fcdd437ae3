"""Security headers on the public site, the admin and signed-in pages."""

import pytest

from tests.helpers import login_verified

pytestmark = pytest.mark.django_db


def test_public_pages_carry_a_strict_content_security_policy(client, demo_site):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/funded/", "/accounts/login/", "/portal/"])
def test_every_area_turns_off_camera_microphone_and_location(client, demo_site, path):
    response = client.get(path)
    policy = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in policy


def test_the_admin_turns_off_camera_microphone_and_location(client, administrator):
    login_verified(client, administrator)
    response = client.get("/admin/")
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_public_pages_contain_no_inline_script(client, demo_site):
    html = client.get("/").content.decode()
    assert "<script>" not in html
    assert "<script src=" in html


def test_admin_gets_the_relaxed_policy_it_needs_and_still_forbids_plugins(
    client, administrator
):
    login_verified(client, administrator)
    response = client.get("/admin/")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "frame-ancestors 'self'" in policy
    assert "object-src 'none'" in policy
    assert "nonce-" not in policy


def test_signed_in_pages_are_never_stored(client, demo_site, applicant):
    client.force_login(applicant)
    response = client.get("/")
    assert "no-store" in response["Cache-Control"]


def test_anonymous_public_pages_may_be_cached(client, demo_site):
    response = client.get("/")
    assert "no-store" not in response.get("Cache-Control", "")
