"""Rate limits on sign-up, confirmation emails, password reset, the second factor,
uploads, search and exports: counted in the shared cache, refused with a kind 429.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from portal import ratelimit
from portal.models import User
from tests.accounts.helpers import add_authenticator
from tests.applications.test_application_views import setup_data  # noqa: F401
from tests.helpers import exported, login_verified

pytestmark = pytest.mark.django_db

TIGHT = {
    **settings.PORTAL_RATE_LIMITS,
    "signup": "2/h",
    "resend_confirmation": "2/h",
    "password_reset": "2/h",
    "two_factor": "2/h",
    "upload": "2/h",
    "search": "2/m",
    "export": "2/h",
}
KIND_WORDS = "Nothing is wrong with what you did"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    with override_settings(PORTAL_RATE_LIMITS=TIGHT):
        yield
    cache.clear()


def assert_paused(response):
    assert response.status_code == 429
    assert KIND_WORDS in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 3600


def signup_post(number):
    return {
        "first_name": "Amina",
        "email": f"person{number}@example.org",
        "password1": "plum-harbor-lantern-97",
        "password2": "plum-harbor-lantern-97",
    }


def test_sign_ups_from_one_address_pause_after_the_limit(client):
    url = reverse("accounts:signup")
    for number in range(2):
        assert client.post(url, signup_post(number)).status_code == 302
    assert_paused(client.post(url, signup_post(3)))
    assert not User.objects.filter(email="person3@example.org").exists()
    # Another address is not held back by the first one.
    other = client.post(url, signup_post(4), REMOTE_ADDR="198.51.100.99")
    assert other.status_code == 302
    # Reading the form is never limited.
    assert client.get(url).status_code == 200


def test_password_reset_emails_pause_after_the_limit(client, applicant):
    url = reverse("accounts:password_reset")
    for _attempt in range(2):
        assert client.post(url, {"email": applicant.email}).status_code == 302
    sent = len(mail.outbox)
    assert_paused(client.post(url, {"email": applicant.email}))
    assert len(mail.outbox) == sent


def test_confirmation_emails_pause_after_the_limit(client, applicant):
    url = reverse("accounts:resend_confirmation")
    for _attempt in range(2):
        client.post(url, {"email": applicant.email})
    assert_paused(client.post(url, {"email": applicant.email}))


def test_second_factor_codes_pause_per_account(client, program_staff):
    add_authenticator(program_staff)
    client.force_login(program_staff)
    url = reverse("accounts:two_factor_verify")
    for _attempt in range(2):
        assert client.post(url, {"code": "000000"}).status_code == 200
    assert_paused(client.post(url, {"code": "000000"}))


def test_search_pauses_after_the_limit_but_the_empty_form_does_not(client, demo_site):
    for _attempt in range(2):
        assert client.get("/search/", {"q": "housing"}).status_code == 200
    assert_paused(client.get("/search/", {"q": "housing"}))
    assert client.get("/search/").status_code == 200


def test_exports_pause_per_account(client, finance_officer):
    login_verified(client, finance_officer)
    for _attempt in range(2):
        b"".join(exported(client, "/admin/ledger/?export=csv").streaming_content)
    assert_paused(client.get("/admin/ledger/?export=csv"))
    # The list itself still opens.
    assert client.get("/admin/ledger/").status_code == 200


def test_uploads_pause_per_account(client, setup_data):  # noqa: F811
    from applications.schema import live_raw_blocks, sections_from

    client.force_login(setup_data["user"])
    application = setup_data["application"]
    section = next(
        s
        for s in sections_from(live_raw_blocks(setup_data["form"]))
        if any(f.type == "file" for f in s.fields)
    )
    url = reverse(
        "applications:section",
        kwargs={"public_id": application.public_id, "section_id": section.id},
    )
    field = next(f for f in section.fields if f.type == "file")
    for _attempt in range(2):
        response = client.post(
            url, {field.id: SimpleUploadedFile("plan.txt", b"not a pdf")}
        )
        assert response.status_code != 429
    assert_paused(
        client.post(url, {field.id: SimpleUploadedFile("plan.txt", b"not a pdf")})
    )


def test_a_rate_is_read_as_count_per_period():
    assert ratelimit.parse_rate("10/h") == (10, 3600)
    assert ratelimit.parse_rate("5/15m") == (5, 900)
    with pytest.raises(ValueError, match="A rate looks like"):
        ratelimit.parse_rate("ten an hour")


COUNT_IN_A_PROCESS = """
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
django.setup()
from django.test.utils import override_settings
redis = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": os.environ["RATE_TEST_REDIS"]}}
limits = {"signup": "10/h"}
with override_settings(CACHES=redis, PORTAL_RATE_LIMITS=limits):
    from portal.ratelimit import hit
    print(json.dumps([hit("signup", sys.argv[1]) for _ in range(6)]))
"""


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001 - no Redis here: the test is skipped
        return None
    return url


def test_the_limit_holds_across_two_processes_sharing_redis():
    url = _redis_url()
    if url is None:
        pytest.skip("needs Redis (REDIS_URL or 127.0.0.1:6379)")
    key = f"ip:test-{uuid.uuid4()}"
    env = {**os.environ, "RATE_TEST_REDIS": url}
    root = Path(settings.BASE_DIR)
    runs = [
        subprocess.run(
            [sys.executable, "-c", COUNT_IN_A_PROCESS, key],
            capture_output=True,
            text=True,
            env=env,
            cwd=root,
            timeout=120,
            check=True,
        )
        for _process in range(2)
    ]
    first, second = (json.loads(run.stdout.strip().splitlines()[-1]) for run in runs)
    # Ten allowed in all: the second process sees the first one's six.
    assert first == [True] * 6
    assert second == [True] * 4 + [False] * 2
