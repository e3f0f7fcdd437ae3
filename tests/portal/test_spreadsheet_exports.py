"""Staff spreadsheet exports are made by the task worker and kept for their person."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applications.services import privacy
from portal import roles
from portal.models import SpreadsheetExport
from tests.factories import ApplicationFactory, UserFactory
from tests.helpers import exported, login_verified

pytestmark = pytest.mark.django_db

INDEX = "/admin/applications/"
DOWNLOADS = "/admin/downloads/"


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_listing_queues_the_export_and_the_worker_makes_it(
    client, program_staff, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(status="submitted")
    login_verified(client, program_staff)

    with django_capture_on_commit_callbacks() as queued:
        response = client.get(INDEX, {"export": "csv", "status": "submitted"})

    assert response.status_code == 302
    assert response.url == DOWNLOADS
    export = SpreadsheetExport.objects.get()
    assert export.status == SpreadsheetExport.Status.PENDING
    assert export.requested_by == program_staff
    assert export.path == "/admin/applications/?export=csv&status=submitted"
    assert not export.file
    page = client.get(DOWNLOADS)
    assert "We are preparing your spreadsheet" in page.text
    assert "Being prepared" in page.text
    assert "Check again" in page.text

    for callback in queued:  # what the worker does once the request has committed
        callback()

    export.refresh_from_db()
    assert export.status == SpreadsheetExport.Status.READY
    assert export.size == export.file.size > 0
    page = client.get(DOWNLOADS)
    link = reverse("portal_spreadsheet_export_download", args=[export.pk])
    assert link in page.text
    assert "Check again" not in page.text
    download = client.get(link)
    assert download.status_code == 200
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Disposition"].startswith(
        'attachment; filename="applications-'
    )
    rows = rows_of(download)
    assert rows[0][0] == "Reference"
    assert [row[0] for row in rows[1:]] == [application.reference]
    made = ModelLogEntry.objects.get(action="applications.export_applications")
    assert made.user_id == program_staff.pk
    fetched = ModelLogEntry.objects.get(action="portal.download_spreadsheet")
    assert fetched.user_id == program_staff.pk
    assert fetched.data == {"format": "csv", "listing": "Applications"}


def test_asking_twice_while_it_is_prepared_queues_it_once(
    client, program_staff, django_capture_on_commit_callbacks
):
    login_verified(client, program_staff)
    with django_capture_on_commit_callbacks():
        client.get(INDEX, {"export": "xlsx"})
        client.get(INDEX, {"export": "xlsx"})
    assert SpreadsheetExport.objects.count() == 1


@pytest.mark.parametrize(
    "who", ["program_staff", "finance_officer", "administrator", "applicant"]
)
def test_nobody_but_its_person_downloads_an_export(
    client, request, who, django_capture_on_commit_callbacks
):
    owner = UserFactory(roles=[roles.PROGRAM_STAFF])
    login_verified(client, owner)
    response = exported(client, INDEX, {"export": "csv"})
    b"".join(response.streaming_content)
    export = SpreadsheetExport.objects.get()
    link = reverse("portal_spreadsheet_export_download", args=[export.pk])

    login_verified(client, request.getfixturevalue(who))
    response = client.get(link)
    assert response.status_code in (302, 404)
    assert not getattr(response, "streaming", False)
    assert link not in client.get(DOWNLOADS).text

    client.logout()
    assert client.get(link)["Location"].startswith("/admin/login/")


def test_an_export_being_prepared_cannot_be_downloaded(
    client, program_staff, django_capture_on_commit_callbacks
):
    login_verified(client, program_staff)
    with django_capture_on_commit_callbacks():
        client.get(INDEX, {"export": "csv"})
    export = SpreadsheetExport.objects.get()
    link = reverse("portal_spreadsheet_export_download", args=[export.pk])
    assert client.get(link).status_code == 404


def test_the_worker_checks_the_permission_again(
    client, program_staff, django_capture_on_commit_callbacks
):
    ApplicationFactory(status="submitted")
    login_verified(client, program_staff)
    with django_capture_on_commit_callbacks() as queued:
        client.get(INDEX, {"export": "csv"})
    program_staff.groups.clear()  # the role was taken away before the worker ran

    for callback in queued:
        callback()

    export = SpreadsheetExport.objects.get()
    assert export.status == SpreadsheetExport.Status.FAILED
    assert not export.file
    program_staff.groups.add(*UserFactory(roles=[roles.PROGRAM_STAFF]).groups.all())
    page = client.get(DOWNLOADS)
    assert "Could not be prepared" in page.text
    assert "Please ask for it again" in page.text


def test_the_export_of_chosen_rows_holds_only_them(client, program_staff):
    chosen = ApplicationFactory(status="submitted")
    ApplicationFactory(status="submitted")
    login_verified(client, program_staff)
    response = exported(
        client,
        f"/admin/bulk/applications/application/export_selected/?id={chosen.pk}",
        post={"export_format": "csv"},
    )
    assert [row[0] for row in rows_of(response)[1:]] == [chosen.reference]
    assert SpreadsheetExport.objects.get().title == "Chosen applications"


def test_old_exports_and_their_files_are_deleted(
    client, program_staff, settings, django_capture_on_commit_callbacks
):
    login_verified(client, program_staff)
    b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)
    export = SpreadsheetExport.objects.get()
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)
    SpreadsheetExport.objects.update(
        requested_at=timezone.now()
        - timedelta(days=settings.PORTAL_RETAIN_DATA_EXPORT_DAYS + 1)
    )
    link = reverse("portal_spreadsheet_export_download", args=[export.pk])
    assert link not in client.get(DOWNLOADS).text

    with django_capture_on_commit_callbacks(execute=True):
        changes = privacy.purge_expired()

    assert changes["data_exports"] == 1
    assert not SpreadsheetExport.objects.exists()
    assert not storage.exists(name)


def test_erasing_a_person_deletes_their_exports(
    client, program_staff, administrator, django_capture_on_commit_callbacks
):
    login_verified(client, program_staff)
    b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)
    export = SpreadsheetExport.objects.get()
    storage, name = export.file.storage, export.file.name

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_person(actor=administrator, user=program_staff)

    assert not SpreadsheetExport.objects.exists()
    assert not storage.exists(name)
