"""Deadline surge: many organizations submit in the last minutes before a deadline.

A copy of the seeded demo database gets an open round whose deadline is a few
minutes away (``tests.factories``: ``FundingRoundFactory``, ``ApplicationFormFactory``
with every kind of question and a required file), and one confirmed applicant
account per application, each owning an organization made with the
``create_organization`` service. The portal then runs under gunicorn with
production settings (``gunicorn.conf.py`` as it is, worker recycling included), and
each application goes through the real HTTP flow, as a browser would:

    GET  /accounts/login/                 POST it (sign in), GET /portal/
    GET  /apply/<round>/                  -> the eligibility quiz; POST it
    GET  /apply/<round>/ (organization)   POST it -> the application's task list
    for each section: GET it, POST the answers (the last one with a small PDF)
    GET  .../check/                       POST it (submit) -> GET the receipt

First a single client sends a few applications one after the other (the quiet-server
latency of each request); then the surge: C clients at once share A applications.
Afterwards the database is checked: every submit that was answered with the receipt
must be stored as submitted, before the deadline, with its file; references must be
unique.

Figures: submitted (stored as submitted), errors (applications whose flow did not
end with the receipt), lost (answered "submitted" but not stored so; must be 0),
p50/p95 of the submit request, and its p95 over the single-client median.

Sign-in uses the production password hasher (PBKDF2), so it costs real CPU. The
portal's rate limits are raised through PORTAL_RATE_LIMITS for the run; django-axes
only counts failed sign-ins, per account and address, so it does not interfere.

    .venv/bin/python bench/deadline_surge.py [--quick] [--clients 50] [--applications 500]
"""

import argparse
import http.client
import os
import queue
import re
import secrets
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _common as common

PASSWORD = "plum-harbor-lantern-97"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMITTED = re.compile(r"^/applications/([0-9a-f-]{36})/submitted/$")
TASK_LIST = re.compile(r"^/applications/([0-9a-f-]{36})/$")
TIMEOUT = 180


# Preparing the database (in this process, through Django) --------------------------


def prepare(count: int, minutes: float) -> dict:
    """An open round closing in ``minutes`` and ``count`` applicants with organizations."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.db import connections
    from django.utils import timezone

    from applications.schema import live_raw_blocks, sections_from
    from portal import roles
    from portal.models import User
    from tests.applications.test_apply import organization_for
    from tests.factories import (
        ApplicationFormFactory,
        FundingRoundFactory,
        UserFactory,
    )

    now = timezone.now()
    funding_round = FundingRoundFactory(
        title="Deadline surge round",
        reference_prefix="DS",
        budget=Decimal("90000000.00"),
        min_award=Decimal("5000.00"),
        max_award=Decimal("75000.00"),
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(minutes=minutes),
    )
    form = ApplicationFormFactory(funding_round=funding_round)
    # One hash for every account: the production hasher takes about half a second
    # per password, which the sign-ins pay, not the set-up.
    # The factory hashes whatever password it is given, so the one hash is written
    # afterwards.
    encoded = make_password(PASSWORD)
    tag = secrets.token_hex(3)
    accounts = []
    for n in range(count):
        user = UserFactory(
            email=f"surge{n}-{tag}@collective.example.org",
            password=None,
            email_confirmed_at=now,
            roles=[roles.APPLICANTS],
        )
        User.objects.filter(pk=user.pk).update(password=encoded)
        organization = organization_for(user, name=f"Surge Collective {n}")
        accounts.append((user.email, organization.pk))
    sections = sections_from(live_raw_blocks(form))
    plan = {
        "round_id": funding_round.pk,
        "closes_at": funding_round.closes_at,
        "accounts": accounts,
        "sections": [section_payload(s) for s in sections],
        "quiz": {f"q{i}": "yes" for i, _ in enumerate(form.eligibility)},
    }
    connections.close_all()
    return plan


def section_payload(section):
    """(section id, form fields, files) that answer every question of a section."""
    from tests.helpers import small_pdf

    fields, files = {}, {}
    for field in section.fields:
        kind, options = field.type, field.options
        if field.id == "title":
            fields["title"] = "Peer support circles"
        elif field.id == "amount_requested":
            fields["amount_requested"] = "40000"
        elif kind == "short_text":
            fields[field.id] = "Our peer team"
        elif kind == "long_text":
            fields[field.id] = "Weekly peer support circles led by survivors."
        elif kind == "number":
            fields[field.id] = str(max(options.get("min_value") or 1, 60))
        elif kind == "currency":
            fields[field.id] = "12500.50"
        elif kind == "date":
            fields[field.id] = "2027-03-01"
        elif kind == "yes_no":
            fields[field.id] = "yes"
        elif kind == "choice":
            fields[field.id] = (options.get("choices") or [""])[0]
        elif kind == "multi_choice":
            fields[field.id] = (options.get("choices") or [])[:2]
        elif kind == "budget_table":
            fields[f"{field.id}-item-0"] = "Peer stipends"
            fields[f"{field.id}-amount-0"] = "30000"
        elif kind == "file":
            files[field.id] = ("budget.pdf", "application/pdf", small_pdf())
    return section.id, fields, files


# A browser, as far as forms go ------------------------------------------------------


class Browser:
    """Cookies, one keep-alive connection (opened again when the server closes it)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = {}
        self.connection = None

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, method, path, *, fields=None, files=None):
        headers = {"User-Agent": "portal-bench", "Host": f"{self.host}:{self.port}"}
        body = None
        if files:
            body, content_type = multipart(fields or {}, files)
            headers["Content-Type"] = content_type
        elif fields is not None:
            body = urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=TIMEOUT
            )
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for header in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        location = response.getheader("Location") or ""
        return (
            response.status,
            urlsplit(location).path,
            content.decode("utf-8", "replace"),
        )


def multipart(fields: dict, files: dict):
    boundary = "----portalbench" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                f"\r\n\r\n{item}\r\n".encode()
            )
    for name, (filename, content_type, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class FlowError(Exception):
    pass


def apply(base: str, email: str, organization_id: int, plan: dict) -> dict:
    """One applicant's whole journey; timings of each request, and the outcome."""
    browser = Browser(base)
    timings: dict[str, float] = {}
    outcome = {"email": email, "public_id": None, "claimed": False, "error": None}

    def step(name, method, path, expect, **kwargs):
        started = time.monotonic()
        status, location, text = browser.request(method, path, **kwargs)
        timings[name] = time.monotonic() - started
        if status != expect:
            raise FlowError(f"{name}: {method} {path} answered {status} {location}")
        return location, text

    def token(text, where):
        match = TOKEN.search(text)
        if not match:
            raise FlowError(f"no CSRF token on {where}")
        return match.group(1)

    round_path = f"/apply/{plan['round_id']}/"
    try:
        _, page = step("login page", "GET", "/accounts/login/", 200)
        location, _ = step(
            "sign in",
            "POST",
            "/accounts/login/",
            302,
            fields={
                "username": email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token(page, "the login page"),
            },
        )
        step("portal home", "GET", location or "/portal/", 200)
        location, _ = step("apply", "GET", round_path, 302)
        _, page = step("eligibility page", "GET", location, 200)
        location, _ = step(
            "eligibility",
            "POST",
            location,
            302,
            fields={**plan["quiz"], "csrfmiddlewaretoken": token(page, "the quiz")},
        )
        _, page = step("organization page", "GET", location, 200)
        location, _ = step(
            "start",
            "POST",
            round_path,
            302,
            fields={
                "organization": str(organization_id),
                "csrfmiddlewaretoken": token(page, "the organization page"),
            },
        )
        match = TASK_LIST.match(location)
        if not match:
            raise FlowError(f"start redirected to {location}")
        public_id = outcome["public_id"] = match.group(1)
        step("task list", "GET", location, 200)
        app = f"/applications/{public_id}/"
        for number, (section_id, fields, files) in enumerate(plan["sections"]):
            path = f"{app}section/{section_id}/"
            _, page = step(f"section {number} page", "GET", path, 200)
            version = re.search(r'name="version" value="(\d*)"', page)
            data = {
                **fields,
                "csrfmiddlewaretoken": token(page, f"section {section_id}"),
                "version": version.group(1) if version else "",
            }
            step(f"section {number}", "POST", path, 302, fields=data, files=files)
        _, page = step("check page", "GET", f"{app}check/", 200)
        location, text = step(
            "submit",
            "POST",
            f"{app}check/",
            302,
            fields={"csrfmiddlewaretoken": token(page, "the check page")},
        )
        if not SUBMITTED.match(location):
            raise FlowError(f"submit redirected to {location}")
        outcome["claimed"] = True
        outcome["submitted_at"] = time.time()
        step("receipt", "GET", location, 200)
    except FlowError as error:
        outcome["error"] = str(error)
    except (OSError, http.client.HTTPException) as error:
        outcome["error"] = f"connection: {error!r}"
    finally:
        browser.close()
    outcome["timings"] = timings
    return outcome


def surge(base, plan, accounts, clients):
    """``clients`` threads work through ``accounts``, each a whole application."""
    work = queue.Queue()
    for account in accounts:
        work.put(account)
    results, lock = [], threading.Lock()

    def client():
        while True:
            try:
                email, organization_id = work.get_nowait()
            except queue.Empty:
                return
            outcome = apply(base, email, organization_id, plan)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.monotonic() - started


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def check_database(plan, results):
    """What the database holds for the round, against what the clients were told."""
    from django.db import connections
    from django.db.models import Count

    from applications.models import Application, Attachment

    claimed = {r["public_id"] for r in results if r["claimed"]}
    stored = {
        str(pk): (status, reference, submitted_at)
        for pk, status, reference, submitted_at in Application.objects.filter(
            funding_round_id=plan["round_id"]
        ).values_list("public_id", "status", "reference", "submitted_at")
    }
    submitted = {
        pk
        for pk, (status, reference, submitted_at) in stored.items()
        if status == Application.Status.SUBMITTED
        and reference
        and submitted_at is not None
        and submitted_at <= plan["closes_at"]
    }
    with_file = {
        str(pk)
        for pk in Attachment.objects.filter(
            application__funding_round_id=plan["round_id"]
        ).values_list("application__public_id", flat=True)
    }
    duplicates = (
        Application.objects.filter(
            funding_round_id=plan["round_id"], reference__isnull=False
        )
        .values("reference")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    connections.close_all()
    return {
        "submitted": len(submitted),
        "lost": sorted(claimed - submitted),
        "without_file": sorted(submitted - with_file),
        "duplicate_references": duplicates,
        "drafts": sum(1 for s, _r, _t in stored.values() if s == "draft"),
    }


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.common_arguments(parser)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--applications", type=int)
    parser.add_argument(
        "--single", type=int, default=5, help="applications sent by one client first"
    )
    parser.add_argument(
        "--deadline-minutes",
        type=float,
        help="minutes from set-up to the deadline (default: 20, quick: 10)",
    )
    args = parser.parse_args(argv)
    args.applications = args.applications or (150 if args.quick else 500)
    args.deadline_minutes = args.deadline_minutes or (10.0 if args.quick else 20.0)
    return args


def use_environment(env: dict) -> None:
    """Make this process's environment exactly ``env`` (for Django in-process)."""
    for key in list(os.environ):
        if key not in env:
            del os.environ[key]
    os.environ.update(env)


def run(args) -> list[dict]:
    folder, env, _redis_db = common.portal_env_for(
        "surge",
        # The confirmation emails of the submissions go to the server's log.
        PORTAL_LOG_LEVEL="WARNING",
    )
    use_environment(env)
    import django

    django.setup()
    from django.utils import timezone

    started = time.perf_counter()
    plan = prepare(args.applications + args.single, args.deadline_minutes)
    common.log(
        f"surge: prepared {len(plan['accounts'])} applicants and a round closing in "
        f"{args.deadline_minutes:g} min in {time.perf_counter() - started:.0f} s"
    )
    with common.Server(env, label="surge", log_folder=folder) as server:
        server.start("/healthz/")
        single = [
            apply(server.base, email, org, plan)
            for email, org in plan["accounts"][: args.single]
        ]
        common.log(
            "surge: single client done "
            f"({sum(1 for r in single if r['claimed'])}/{len(single)} submitted)"
        )
        results, elapsed = surge(
            server.base, plan, plan["accounts"][args.single :], args.clients
        )
        common.log(f"surge: {len(results)} applications in {elapsed:.0f} s")
    left = (plan["closes_at"] - timezone.now()).total_seconds()
    check = check_database(plan, single + results)

    claimed = [r for r in results if r["claimed"]]
    failed = [r for r in results if r["error"]]
    submit_times = [r["timings"]["submit"] for r in results if "submit" in r["timings"]]
    single_submit = [r["timings"]["submit"] for r in single if "submit" in r["timings"]]
    signin_times = [
        r["timings"]["sign in"] for r in results if "sign in" in r["timings"]
    ]
    base_ms = (percentile(single_submit, 0.5) or 0) * 1000
    p50 = (percentile(submit_times, 0.5) or 0) * 1000
    p95 = (percentile(submit_times, 0.95) or 0) * 1000
    reasons = {}
    for r in failed:
        reason = re.sub(r"/[0-9a-f-]{36}/", "/<id>/", r["error"])
        reasons[reason] = reasons.get(reason, 0) + 1
    reason_note = "; ".join(f"{n}x {text}" for text, n in list(reasons.items())[:3])
    in_surge = {r["public_id"] for r in claimed}
    lost_in_surge = [pk for pk in check["lost"] if pk in in_surge]
    requests = sum(len(r["timings"]) for r in results)
    rows = [
        common.row(
            "surge: submitted",
            f"{len(claimed)} / {len(results)}",
            f"{args.clients} clients, {elapsed:.0f} s, {requests:,} requests "
            f"({requests / elapsed:.1f}/s); {check['submitted']} stored as submitted "
            f"in all (incl. {len(single)} single-client); deadline "
            f"{left / 60:.1f} min away at the end",
            submitted=len(claimed),
            elapsed=elapsed,
        ),
        common.row(
            "surge: errors",
            f"{len(failed)}",
            "must be 0" + (f"; {reason_note}" if reason_note else ""),
            errors=len(failed),
        ),
        common.row(
            "surge: lost",
            f"{len(lost_in_surge)}",
            "must be 0 (answered submitted, not stored so)"
            + f"; {check['duplicate_references']} duplicate references"
            + f"; {len(check['without_file'])} submitted without their file",
            lost=len(lost_in_surge),
        ),
        common.row(
            "surge: submit p50 / p95",
            f"{p50:,.0f} / {p95:,.0f} ms",
            f"sign-in p50 {(percentile(signin_times, 0.5) or 0) * 1000:,.0f} ms",
            p50_ms=p50,
            p95_ms=p95,
        ),
        common.row(
            "surge: submit p95 / single client",
            f"{p95 / base_ms:.1f}x" if base_ms else "n/a",
            f"single-client submit p50 {base_ms:,.0f} ms ({len(single_submit)} runs)",
            ratio=p95 / base_ms if base_ms else None,
        ),
    ]
    return rows


def main(argv=None):
    common.install_cleanup()
    args = parse_args(argv)
    try:
        rows = run(args)
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001 - Django may not be set up yet
            pass
        common.cleanup()
    common.print_table(rows)
    common.write_rows(rows, args.json)


if __name__ == "__main__":
    main()
