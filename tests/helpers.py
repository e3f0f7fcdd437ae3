"""Small helpers shared by test modules."""

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice


def login_verified(client, user):
    """Sign in as a person who has passed the second factor (staff, panelists)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Phone", defaults={"confirmed": True}
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


THREAD_TIMEOUT = 30  # seconds; a deadlock fails the test instead of hanging it


def run_at_once(calls) -> list:
    """Run each call in its own thread, all released together after their set-up;
    return each call's result or exception.

    ``calls`` are pairs (prepare, act): ``prepare()`` loads rows on the thread's own
    connection, then ``act(*prepared)`` runs once every thread is ready.
    """
    import threading

    from django.db import connections

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def attempt(index):
        prepare, act = calls[index]
        try:
            prepared = prepare()
            barrier.wait(timeout=THREAD_TIMEOUT)
            outcomes[index] = act(*prepared)
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_server():
    """A local S3 server over HTTP (moto), for django-storages."""
    port = _free_port()
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "moto_server"),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("moto_server did not start")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def exported(client, url, params=None, *, post=None):
    """A staff spreadsheet as its person gets it: asked for on the listing (or with
    a bulk action's POST data), made by the worker (tasks run at once in tests, after
    the commit) and downloaded from "Your spreadsheet downloads"."""
    from django.test import TestCase
    from django.urls import reverse

    from portal.models import SpreadsheetExport

    with TestCase.captureOnCommitCallbacks(execute=True):
        if post is None:
            response = client.get(url, params or {})
        else:
            response = client.post(url, post)
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("portal_spreadsheet_exports")
    export = SpreadsheetExport.objects.latest("pk")
    assert export.status == SpreadsheetExport.Status.READY, export.status
    download = client.get(
        reverse("portal_spreadsheet_export_download", args=[export.pk])
    )
    assert download.status_code == 200
    return download


def small_pdf() -> bytes:
    """A minimal but well-formed one-page PDF (correct xref offsets)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
