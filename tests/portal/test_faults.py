"""Faults on the production-like stack: PostgreSQL restarting in the middle of a
surge of submissions, and S3 going away.

PostgreSQL is reached through a small TCP proxy, so a restart can be played without
touching the machine's server: every open connection is cut and new ones are refused
for a few seconds, as while PostgreSQL restarts.
"""

import json
import socket
import threading
import time
import uuid

import pytest

from portal.serve_prod import Stack, free_port, wait_for_health
from tests.portal.test_stateless import (
    PASSWORD,
    PDF,
    SETUP,
    STATUS,
    pytestmark,  # noqa: F401  (needs PostgreSQL, as there)
    shell,
    signed_in,
    submitted,
)

SURGE = 24


class TcpProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL; ``restart()`` cuts every connection
    and refuses new ones for a while."""

    def __init__(self, upstream_port: int = 5432):
        self.upstream_port = upstream_port
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = None
        self.listen()

    def listen(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(64)
        threading.Thread(target=self.accept, args=(self.listener,), daemon=True).start()

    def accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(
                    target=self.pipe, args=(source, target), daemon=True
                ).start()

    def pipe(self, source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def restart(self, down_for: float) -> None:
        self.restarted_at = time.monotonic()
        self.listener.close()
        with self.lock:
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                    end.close()
                except OSError:
                    pass
            self.sockets = []
        time.sleep(down_for)
        self.listen()


@pytest.fixture(scope="module")
def stack():
    proxy = TcpProxy()
    stack = Stack(
        database=f"portal_faults_{uuid.uuid4().hex[:8]}",
        web_ports=[free_port(), free_port()],
        seed=False,
    )
    stack.env["DATABASE_URL"] = stack.database_url.replace(":5432/", f":{proxy.port}/")
    try:
        stack.start()
        stack.proxy = proxy
        stack.data = shell(stack, SETUP.format(password=PASSWORD, count=SURGE + 1))
        yield stack
    finally:
        stack.stop()
        stack.drop_database()


def test_postgres_restarting_mid_surge_leaves_no_partial_write_and_the_portal_recovers(
    stack,
):
    browser = signed_in(stack)
    web1, web2 = stack.web_ports
    drafts = stack.data["drafts"][:SURGE]
    outcomes = {}
    finished_at = []
    finished = threading.Semaphore(0)

    def submit(index, public_id):
        port = web1 if index % 2 == 0 else web2
        try:
            outcomes[public_id] = submitted(browser, port, public_id)
        finally:
            finished_at.append(time.monotonic())
            finished.release()

    threads = [
        threading.Thread(target=submit, args=(index, public_id))
        for index, public_id in enumerate(drafts)
    ]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
        if thread is threads[SURGE // 3]:
            # PostgreSQL "restarts" while the rest of the surge arrives.
            threading.Thread(target=stack.proxy.restart, args=(3.0,)).start()
    for thread in threads:
        thread.join(timeout=180)

    assert stack.proxy.restarted_at < max(finished_at), "the restart came too late"
    # The portal recovers without being restarted.
    for port in (web1, web2):
        wait_for_health(port, seconds=60)
    stored = shell(stack, STATUS.format(ids=json.dumps(drafts)))
    succeeded = {public_id for public_id, ok in outcomes.items() if ok}
    assert succeeded <= set(stored["submitted"]), "a confirmed submission was lost"
    # No partial writes: every submitted application has exactly one record of it.
    assert stored["changes"] == len(stored["submitted"])

    # Whatever failed is sent again and stored once.
    for public_id in sorted(set(drafts) - set(stored["submitted"])):
        assert submitted(browser, web2, public_id)
    stored = shell(stack, STATUS.format(ids=json.dumps(drafts)))
    assert sorted(stored["submitted"]) == sorted(drafts)
    assert stored["changes"] == SURGE


CHECK_FILES = """
import json
from applications.models import Application
application = Application.objects.get(public_id="{public_id}")
print(json.dumps({{
    "files": list(application.attachments.values_list("original_name", flat=True)),
    "answers": application.answers,
}}))
"""


def test_an_upload_while_s3_is_down_fails_kindly_and_keeps_the_draft(stack):
    browser = signed_in(stack)
    web1, _ = stack.web_ports
    public_id = stack.data["drafts"][-1]
    section = f"/applications/{public_id}/section/{stack.data['budget']}/"
    _, _, page = browser.request(web1, section)
    version = page.split(b'name="version" value="', 1)[1].split(b'"', 1)[0].decode()
    date_field = stack.data["date_field"]
    before = shell(stack, CHECK_FILES.format(public_id=public_id))

    stack.kill("s3")
    fields = {"version": version, date_field: "2027-04-01"}
    status, headers, _ = browser.post(
        web1,
        section,
        fields,
        files={stack.data["file_field"]: ("later.pdf", PDF, "application/pdf")},
        timeout=120,
    )
    assert status == 302
    assert headers["Location"].endswith(section)
    _, _, page = browser.request(web1, section)
    assert b"could not store your file just now" in page
    after = shell(stack, CHECK_FILES.format(public_id=public_id))
    assert after["files"] == before["files"]  # no row for a file that is not there
    assert after["answers"][date_field] == "2027-04-01"
