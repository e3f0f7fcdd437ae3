"""The same security headers in every area: public site, sign-in, applicant portal,
panel pages, the Wagtail admin (program staff, finance, administrators), downloads,
open data and error pages. Signed-in pages are never stored."""

import pytest

from portal.models import User
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

STRICT = ("object-src 'none'", "base-uri 'none'", "form-action 'self'")

# (area, who signs in, path): demo accounts from seed_demo.
AREAS = [
    ("public home", None, "/"),
    ("funding", None, "/funding/"),
    ("what was funded", None, "/funded/"),
    ("open data", None, "/open-data/360giving.csv"),
    ("sign in", None, "/accounts/login/"),
    ("not found", None, "/no-such-page/"),
    ("applicant portal", "applicant@demo.test", "/portal/"),
    ("organizations", "applicant@demo.test", "/portal/organizations/"),
    ("account", "applicant@demo.test", "/accounts/"),
    ("panelist portal", "panelist@demo.test", "/portal/"),
    ("chair portal", "chair@demo.test", "/portal/"),
    ("staff admin", "staff@demo.test", "/admin/"),
    ("screening", "staff@demo.test", "/admin/applications/"),
    ("finance", "finance@demo.test", "/admin/finance/"),
    ("administrator", "admin@demo.test", "/admin/users/"),
]


def fetch(client, who, path):
    if who is not None:
        login_verified(client, User.objects.get(email=who))
    return client.get(path)


@pytest.mark.parametrize(("area", "who", "path"), AREAS, ids=[a[0] for a in AREAS])
def test_every_area_sends_the_security_headers(client, demo_site, area, who, path):
    response = fetch(client, who, path)
    assert response.status_code in (200, 404), area
    policy = response["Content-Security-Policy"]
    for directive in STRICT:
        assert directive in policy
    admin = path.startswith("/admin/")
    assert ("frame-ancestors 'self'" if admin else "frame-ancestors 'none'") in policy
    if not admin:
        assert "'unsafe-inline'" not in policy
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    if who is not None:
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]


def test_production_cookies_are_secure_http_only_and_same_site(settings):
    from portal.settings import base

    assert base.SESSION_COOKIE_SECURE
    assert base.CSRF_COOKIE_SECURE
    assert base.SESSION_COOKIE_HTTPONLY
    assert base.CSRF_COOKIE_HTTPONLY
    assert base.SESSION_COOKIE_SAMESITE in ("Lax", "Strict")
    assert base.SECURE_HSTS_SECONDS >= 31536000
