"""Staff spreadsheet exports are made by the task worker and kept for their person."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from applications.services import privacy
from portal import roles, spreadsheet_exports
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
def test_nobody_but_its_person_downloads_an_export(client, request, who):
    owner = UserFactory(roles=[roles.PROGRAM_STAFF])
    login_verified(client, owner)
    response = exported(client, INDEX, {"export": "csv"})
    b"".join(response.streaming_content)
    export = SpreadsheetExport.objects.get()
    link = reverse("portal_spreadsheet_export_download", args=[export.pk])

    login_verified(client, request.getfixturevalue(who))
    response = client.get(link)
    # Staff get 404; an applicant, outside the admin, is sent to sign in.
    assert response.status_code == (302 if who == "applicant" else 404)
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

    assert changes["spreadsheet_exports"] == 1
    assert not SpreadsheetExport.objects.exists()
    assert not storage.exists(name)


@pytest.mark.parametrize("erased", ["the person who made it", "someone else"])
def test_an_erasure_deletes_every_export_made_before_it(
    client, program_staff, administrator, erased, django_capture_on_commit_callbacks
):
    login_verified(client, program_staff)
    b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)
    export = SpreadsheetExport.objects.get()
    storage, name = export.file.storage, export.file.name
    person = program_staff if erased == "the person who made it" else UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        changes = privacy.erase_person(actor=administrator, user=person)

    assert changes["spreadsheet_exports"] == 1
    assert not SpreadsheetExport.objects.exists()
    assert not storage.exists(name)
    if person != program_staff:  # later exports are kept, and erasing again is a no-op
        b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)
        with django_capture_on_commit_callbacks(execute=True):
            assert privacy.erase_person(actor=administrator, user=person) == {}
        assert SpreadsheetExport.objects.count() == 1


def test_an_organization_erasure_deletes_exports_made_before_it(
    client, program_staff, administrator, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(status="declined")
    login_verified(client, program_staff)
    b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)

    with django_capture_on_commit_callbacks(execute=True):
        privacy.erase_organization(
            actor=administrator, organization=application.organization
        )

    assert not SpreadsheetExport.objects.exists()


def test_losing_a_role_ends_the_download(client, program_staff):
    login_verified(client, program_staff)
    b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)
    export = SpreadsheetExport.objects.get()
    assert export.roles == roles.PROGRAM_STAFF
    link = reverse("portal_spreadsheet_export_download", args=[export.pk])

    program_staff.groups.clear()
    program_staff.groups.add(
        *UserFactory(roles=[roles.COMMUNICATIONS_STAFF]).groups.all()
    )

    assert client.get(link).status_code == 404


def test_an_export_past_its_keeping_period_is_not_served(
    client, program_staff, settings
):
    login_verified(client, program_staff)
    b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)
    export = SpreadsheetExport.objects.get()
    SpreadsheetExport.objects.update(
        requested_at=timezone.now()
        - timedelta(days=settings.PORTAL_RETAIN_DATA_EXPORT_DAYS, minutes=1)
    )
    link = reverse("portal_spreadsheet_export_download", args=[export.pk])
    assert client.get(link).status_code == 404


def test_an_export_left_being_prepared_is_shown_as_failed_and_made_again(
    client, program_staff, django_capture_on_commit_callbacks
):
    login_verified(client, program_staff)
    with django_capture_on_commit_callbacks():  # the worker never ran
        client.get(INDEX, {"export": "csv"})
    SpreadsheetExport.objects.update(
        requested_at=timezone.now() - SpreadsheetExport.STUCK_AFTER - timedelta(1)
    )
    page = client.get(DOWNLOADS).text
    assert "Please ask for it again" in page
    assert "Check again" not in page

    b"".join(exported(client, INDEX, {"export": "csv"}).streaming_content)

    statuses = sorted(SpreadsheetExport.objects.values_list("status", flat=True))
    assert statuses == ["failed", "ready"]


def test_hostile_chosen_rows_are_ignored(client, program_staff):
    chosen = ApplicationFactory(status="submitted")
    ApplicationFactory(status="submitted")
    login_verified(client, program_staff)
    response = exported(
        client,
        INDEX,
        {"export": "csv", "selected": f"{chosen.pk},²,-1,1 OR 1=1,{'9' * 30}"},
    )
    assert [row[0] for row in rows_of(response)[1:]] == [chosen.reference]


@pytest.mark.parametrize(
    "path", ["/admin/users/?export=csv", "/admin/applications/", "/portal/?export=csv"]
)
def test_only_an_export_of_a_listing_is_made(program_staff, path):
    if "export=" not in path:
        with pytest.raises(ValueError, match="not a spreadsheet export"):
            spreadsheet_exports.request_spreadsheet_export(
                actor=program_staff, path=path, title="x", filename="x"
            )
        return
    export = SpreadsheetExport.objects.create(
        requested_by=program_staff,
        path=path,
        title="x",
        filename="x",
        export_format="csv",
        roles=roles.PROGRAM_STAFF,
    )
    spreadsheet_exports.build_spreadsheet_export(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == SpreadsheetExport.Status.FAILED
    assert not export.file
