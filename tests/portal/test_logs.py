"""Logs are JSON lines with a request id, and hold no personal data or secrets.

The key journeys run with every log line captured as production writes it; then the
captured text is searched for the names, addresses, phone numbers, passwords, codes
and Stripe secrets those journeys used.
"""

import io
import json
import logging

import pytest
from django.urls import reverse

from portal.logging import JsonFormatter, RequestIdFilter
from tests.accounts.helpers import add_authenticator
from tests.grants.hiring_helpers import first_report, live_award, report_form

pytestmark = pytest.mark.django_db

NAME = "Zebulon Quartermaine"
EMAIL = "logscan.zebulon@example.org"
UNKNOWN_EMAIL = "nobody.logscan@example.org"
PASSWORD = "plum-harbor-lantern-97"
WRONG_PASSWORD = "wrong-guess-lantern-42"
PHONE = "612-555-0147"
OTP_CODE = "493817"
STRIPE_KEY = "sk_test_logscan_secret_0123456789"
WEBHOOK_SECRET = "whsec_logscan_secret_0123456789"


@pytest.fixture
def captured_logs():
    """Every INFO-or-above line, formatted exactly as production writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_key_journeys_leave_no_personal_data_in_the_logs(
    client, settings, captured_logs, program_staff
):
    settings.STRIPE_SECRET_KEY = STRIPE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET

    # Sign up, then fail to sign in, for a known and an unknown address.
    client.post(
        reverse("accounts:signup"),
        {
            "first_name": NAME,
            "email": EMAIL,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    for address in (EMAIL, UNKNOWN_EMAIL):
        client.post(
            reverse("accounts:login"), {"username": address, "password": WRONG_PASSWORD}
        )
    client.post(reverse("accounts:password_reset"), {"email": EMAIL})

    # A wrong second-factor code.
    add_authenticator(program_staff)
    staff_client = client.__class__()
    staff_client.force_login(program_staff)
    staff_client.post(reverse("accounts:two_factor_verify"), {"code": OTP_CODE})

    # A webhook with a bad signature, and one with none.
    client.post(
        "/stripe/webhook/",
        data=b'{"id": "evt_1"}',
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE="t=1,v1=deadbeef",
    )
    client.post("/stripe/webhook/", data=b"{}", content_type="application/json")

    # A progress report whose narrative holds a phone number (refused).
    award, owner = live_award(program_staff)
    grantee = client.__class__()
    grantee.force_login(owner)
    grantee.post(
        reverse(
            "grants:report_detail",
            kwargs={"award_id": award.pk, "report_id": first_report(award).pk},
        ),
        report_form(barriers=f"Call {NAME} on {PHONE}"),
    )
    # A page that is not there (Django logs those).
    client.get("/portal/organizations/awards/999999/")

    text = captured_logs.getvalue()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "the journeys wrote no log line at all"
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert entry["time"].endswith("Z")
    # Django's own lines about a request carry that request's id too.
    refused = [e for e in entries if e["message"] == "Bad Request: /stripe/webhook/"]
    assert refused
    assert all(len(e["request_id"]) == 32 for e in refused)
    lowered = text.lower()
    for secret in (
        NAME,
        "zebulon",
        EMAIL,
        UNKNOWN_EMAIL,
        owner.email,
        program_staff.email,
        PASSWORD,
        WRONG_PASSWORD,
        PHONE,
        OTP_CODE,
        STRIPE_KEY,
        WEBHOOK_SECRET,
    ):
        assert secret.lower() not in lowered, secret


def test_each_response_carries_its_request_id(client):
    first = client.get("/healthz/")
    second = client.get("/healthz/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    # The load balancer's id is kept when it looks like one, replaced otherwise.
    kept = client.get("/healthz/", HTTP_X_REQUEST_ID="lb-12345678-abcd")
    assert kept["X-Request-ID"] == "lb-12345678-abcd"
    odd = client.get("/healthz/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")
    assert odd["X-Request-ID"] != "<script>alert(1)</script>"
