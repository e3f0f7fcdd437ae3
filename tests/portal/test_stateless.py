"""The portal runs as several stateless processes: two gunicorn web processes, a task
worker, PostgreSQL, Redis and S3 (moto), as `make serve-prod` starts them.

- a file uploaded through web process 1 downloads through web process 2;
- a session started on one is valid on the other;
- a task queued by a web process is executed by the worker;
- killing web process 1 in the middle of a surge of submissions loses none that got
  a success response, and a retried submission is stored once.
"""

import http.cookiejar
import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid

import pytest

from portal.serve_prod import ROOT, Stack, free_port


def _postgres_answers() -> bool:
    tool = shutil.which("pg_isready")
    return (
        bool(tool) and subprocess.run([tool, "-q", "-h", "127.0.0.1"]).returncode == 0
    )


pytestmark = [
    pytest.mark.stack,
    pytest.mark.skipif(not _postgres_answers(), reason="needs PostgreSQL on 127.0.0.1"),
]

PASSWORD = "plum-harbor-lantern-97"
SURGE = 24
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

SETUP = """
import json
from django.contrib.auth.hashers import make_password
from applications import services
from applications.schema import live_raw_blocks, sections_from
from tests.applications.test_apply import confirmed_user, fill_everything, organization_for
from tests.factories import ApplicationFormFactory
form = ApplicationFormFactory()
user = confirmed_user(email="surge@example.org")
user.password = make_password("{password}")
user.save()
sections = sections_from(live_raw_blocks(form))
setup = {{"form": form, "round": form.funding_round, "user": user, "sections": sections}}
drafts = []
for number in range({count}):
    setup["organization"] = organization_for(user, name=f"Collective {{number}}")
    application = services.start_application(
        actor=user, funding_round=form.funding_round, organization=setup["organization"]
    )
    drafts.append(str(fill_everything(setup, application).public_id))
budget = sections[2]
file_field = next(f.id for f in budget.fields if f.label == "Budget document")
date_field = next(f.id for f in budget.fields if f.type == "date")
print(json.dumps({{
    "drafts": drafts, "budget": budget.id, "file_field": file_field,
    "date_field": date_field,
}}))
"""

STATUS = """
import json
from applications.models import Application, StatusChange
from django_tasks_db.models import DBTaskResult
ids = {ids}
print(json.dumps({{
    "submitted": sorted(
        str(a.public_id) for a in Application.objects.filter(public_id__in=ids)
        if a.status == "submitted"
    ),
    "changes": StatusChange.objects.filter(
        application__public_id__in=ids, to_status="submitted"
    ).count(),
    "emails": list(DBTaskResult.objects.filter(
        task_path="applications.tasks.send_application_email"
    ).values_list("status", flat=True)),
}}))
"""


def shell(stack, code: str) -> dict:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


class Browser:
    """A cookie jar shared by both web processes (cookies ignore the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, port, path, data=None, headers=None, timeout=60):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}", data=data, headers=headers or {}
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def post(self, port, path, fields, files=None, timeout=60):
        boundary = uuid.uuid4().hex
        body = b""
        for name, value in fields.items():
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
                f"\r\n\r\n{value}\r\n"
            ).encode()
        for name, (filename, content, kind) in (files or {}).items():
            body += (
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'
                ).encode()
                + content
                + b"\r\n"
            )
        body += f"--{boundary}--\r\n".encode()
        return self.request(
            port,
            path,
            data=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-CSRFToken": self.csrf(),
            },
            timeout=timeout,
        )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture(scope="module")
def stack():
    ports = [free_port(), free_port()]
    stack = Stack(
        database=f"portal_stateless_{uuid.uuid4().hex[:8]}", web_ports=ports, seed=False
    )
    try:
        stack.start()
        stack.data = shell(stack, SETUP.format(password=PASSWORD, count=SURGE + 1))
        yield stack
    finally:
        stack.stop()
        stack.drop_database()


def signed_in(stack) -> Browser:
    browser = Browser()
    web1, _ = stack.web_ports
    browser.request(web1, "/accounts/login/")
    status, headers, _ = browser.post(
        web1,
        "/accounts/login/",
        {"username": "surge@example.org", "password": PASSWORD},
    )
    assert status == 302, "signing in failed"
    return browser


def submitted(browser, port, public_id) -> bool:
    """Submit a complete draft; True only for the success answer (a redirect to its
    receipt). A connection that dies with its process is no success."""
    try:
        status, headers, _ = browser.post(
            port, f"/applications/{public_id}/check/", {}, timeout=60
        )
    except OSError:
        return False
    return status == 302 and "/submitted/" in headers.get("Location", "")


def test_a_session_from_one_web_process_is_valid_on_the_other(stack):
    browser = signed_in(stack)
    _, web2 = stack.web_ports
    status, _, body = browser.request(web2, "/portal/")
    assert status == 200
    assert b"Collective 0" in body


def test_a_file_uploaded_through_one_process_downloads_through_the_other(stack):
    browser = signed_in(stack)
    web1, web2 = stack.web_ports
    public_id = stack.data["drafts"][-1]
    section = f"/applications/{public_id}/section/{stack.data['budget']}/"
    status, _, page = browser.request(web1, section)
    assert status == 200, section
    version = re.search(rb'name="version" value="(\d+)"', page).group(1).decode()
    status, _, _ = browser.post(
        web1,
        section,
        {"version": version},
        files={stack.data["file_field"]: ("plan.pdf", PDF, "application/pdf")},
    )
    assert status == 302
    _, _, page = browser.request(web2, section)
    link = re.search(rb'href="(/applications/[^"]+/files/\d+/)"', page)
    assert link, "the section on web process 2 shows no uploaded file"
    status, headers, content = browser.request(web2, link.group(1).decode())
    assert status == 200
    assert content == PDF
    assert headers["Content-Disposition"].startswith("attachment")


def test_killing_a_web_process_mid_surge_loses_no_submission(stack):
    browser = signed_in(stack)
    web1, web2 = stack.web_ports
    drafts = stack.data["drafts"][:SURGE]
    outcomes = {}
    done = threading.Semaphore(0)

    def submit(index, public_id):
        port = web1 if index % 2 == 0 else web2
        try:
            outcomes[public_id] = submitted(browser, port, public_id)
        finally:
            done.release()

    threads = [
        threading.Thread(target=submit, args=(index, public_id))
        for index, public_id in enumerate(drafts)
    ]
    for thread in threads[: SURGE // 2]:
        thread.start()
    for _ in range(SURGE // 4):
        done.acquire(timeout=120)
    stack.kill("web1")
    for thread in threads[SURGE // 2 :]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    succeeded = sorted(public_id for public_id, ok in outcomes.items() if ok)
    stored = shell(stack, STATUS.format(ids=json.dumps(drafts)))
    assert set(succeeded) <= set(stored["submitted"]), "a success was lost"
    assert any(not ok for ok in outcomes.values()), "web process 1 was not killed"

    # Whatever did not get a success is sent again, to the process still running.
    for public_id in sorted(set(drafts) - set(succeeded)):
        assert submitted(browser, web2, public_id)
    stored = shell(stack, STATUS.format(ids=json.dumps(drafts)))
    assert sorted(stored["submitted"]) == sorted(drafts)
    assert stored["changes"] == SURGE  # each stored once


def test_the_worker_runs_what_the_web_processes_queue(stack):
    """Every submission queued a receipt email; the worker sends them."""
    import time

    drafts = stack.data["drafts"][:SURGE]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        emails = shell(stack, STATUS.format(ids=json.dumps(drafts)))["emails"]
        if emails and all(status == "SUCCESSFUL" for status in emails):
            break
        time.sleep(2)
    assert len(emails) >= SURGE
    assert set(emails) == {"SUCCESSFUL"}


EXPORT = """
import json
from portal import roles, spreadsheet_exports
from tests.factories import UserFactory
staff = UserFactory(roles=[roles.PROGRAM_STAFF], email="exports@example.org")
export = spreadsheet_exports.request_spreadsheet_export(
    actor=staff, path="/admin/applications/?export=xlsx", title="Applications",
    filename="applications",
)
print(json.dumps({"id": export.pk}))
"""

EXPORT_STATUS = """
import json
from openpyxl import load_workbook
from applications.models import Application
from portal.models import SpreadsheetExport
export = SpreadsheetExport.objects.get(pk={id})
rows = None
if export.status == "ready":
    with export.file.open("rb") as stored:
        rows = sum(1 for _ in load_workbook(stored, read_only=True).active.iter_rows())
print(json.dumps({{
    "status": export.status, "rows": rows, "key": export.file.name,
    "submitted": Application.objects.submitted().count(),
}}))
"""


def test_the_worker_makes_a_staff_export_from_the_listing(stack):
    """A queued export is made by the worker process (DEBUG off, PostgreSQL, S3),
    replaying the listing as the person who asked."""
    import time

    export_id = shell(stack, EXPORT)["id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        made = shell(stack, EXPORT_STATUS.format(id=export_id))
        if made["status"] != "pending":
            break
        time.sleep(2)
    assert made["status"] == "ready"
    assert made["key"].startswith("spreadsheet-exports/")
    assert made["rows"] == made["submitted"] + 1  # a heading row, then one per row
