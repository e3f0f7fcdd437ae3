"""Subject access: an organization's owner downloads everything it gave us, made in
the background; never panelists' identities, staff notes or another organization."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from applications.models import (
    Assignment,
    DataExport,
    InternalNote,
    Review,
)
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    PanelFactory,
    UserFactory,
)
from tests.grants.money_helpers import log_entries
from tests.helpers import login_verified
from tests.privacy.helpers import make_attachment

pytestmark = pytest.mark.django_db

FILE_BODY = b"%PDF-1.4 our budget for 2027"


@pytest.fixture
def grantee(program_staff):
    """An owner whose application was reviewed by a named panelist, with a staff
    note, beside another organization's application."""
    owner = MembershipFactory(role="owner").user
    organization = owner.memberships.get().organization
    application = ApplicationFactory(
        organization=organization,
        answers={"story": "Peer circles on Tuesdays since 2019."},
    )
    make_attachment(application, body=FILE_BODY, name="budget 2027.pdf")
    panelist = UserFactory(
        first_name="Rosalind", last_name="Whitfield", email="rosalind@example.org"
    )
    panel = PanelFactory(funding_round=application.funding_round)
    assignment = Assignment.objects.create(
        panel=panel, panelist=panelist, application=application
    )
    Review.objects.create(assignment=assignment, strengths="Strong community roots")
    InternalNote.objects.create(
        application=application, author=program_staff, text="Check the audit letter"
    )
    other = ApplicationFactory(answers={"story": "Another organization's story"})
    return owner, organization, application, other


def request_copy(client, owner, organization, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("applications:your_data", kwargs={"pk": organization.pk})
        )
    assert response.status_code == 302
    return DataExport.objects.get(organization=organization)


def download(client, organization, export):
    return client.get(
        reverse(
            "applications:your_data_download",
            kwargs={"pk": organization.pk, "export_id": export.pk},
        )
    )


def test_an_owner_gets_a_zip_of_the_organizations_data_and_files(
    client, grantee, mailoutbox, django_capture_on_commit_callbacks
):
    owner, organization, application, _ = grantee
    export = request_copy(
        client, owner, organization, django_capture_on_commit_callbacks
    )
    assert export.status == DataExport.Status.READY

    (mail,) = mailoutbox
    assert mail.to == [owner.email]
    assert "/your-data/" in mail.body
    assert "Peer circles" not in mail.body

    page = client.get(reverse("applications:your_data", kwargs={"pk": organization.pk}))
    assert "Ready to download" in page.text

    response = download(client, organization, export)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"].startswith("no-store, private")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["organization"]["legal_name"] == organization.legal_name
    assert [m["email"] for m in data["members"]] == [owner.email]
    (entry,) = data["applications"]
    assert entry["answers"] == {"story": "Peer circles on Tuesdays since 2019."}
    (attached,) = entry["files"]
    assert attached["name"] == "budget 2027.pdf"
    assert archive.read(attached["in_this_zip"]) == FILE_BODY
    assert "README.txt" in archive.namelist()
    assert log_entries("privacy.request_data_export").get().user == owner
    assert log_entries("privacy.download_data_export").get().user == owner


def test_the_copy_holds_no_panelist_staff_note_or_other_organization(
    client, grantee, django_capture_on_commit_callbacks
):
    owner, organization, _, other = grantee
    export = request_copy(
        client, owner, organization, django_capture_on_commit_callbacks
    )
    archive = zipfile.ZipFile(export.file.open("rb"))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (
        b"Rosalind",
        b"Whitfield",
        b"rosalind@example.org",
        b"Strong community roots",
        b"Check the audit letter",
        b"Another organization",
        other.organization.legal_name.encode(),
    ):
        assert secret not in everything


def test_a_second_request_while_one_is_prepared_makes_no_new_copy(client, grantee):
    owner, organization, _, _ = grantee
    client.force_login(owner)
    url = reverse("applications:your_data", kwargs={"pk": organization.pk})
    client.post(url)  # the task waits for the commit, so it stays pending here
    client.post(url)
    assert DataExport.objects.filter(organization=organization).count() == 1


@pytest.mark.parametrize(
    "who", ["editor", "owner_elsewhere", "panelist", "program_staff", "administrator"]
)
def test_everyone_but_the_owner_gets_404_and_nothing_is_made(
    client,
    grantee,
    who,
    panelist,
    program_staff,
    administrator,
    django_capture_on_commit_callbacks,
):
    owner, organization, _, other = grantee
    export = request_copy(
        client, owner, organization, django_capture_on_commit_callbacks
    )
    client.logout()
    people = {
        "editor": MembershipFactory(organization=organization, role="editor").user,
        "owner_elsewhere": MembershipFactory(
            organization=other.organization, role="owner"
        ).user,
        "panelist": panelist,
        "program_staff": program_staff,
        "administrator": administrator,
    }
    login_verified(client, people[who])
    url = reverse("applications:your_data", kwargs={"pk": organization.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert download(client, organization, export).status_code == 404
    assert DataExport.objects.count() == 1
    assert not log_entries("privacy.download_data_export").exists()


def test_an_owner_cannot_reach_another_organizations_copy_through_their_own(
    client, grantee, django_capture_on_commit_callbacks
):
    owner, organization, _, other = grantee
    theirs = request_copy(
        client,
        MembershipFactory(organization=other.organization, role="owner").user,
        other.organization,
        django_capture_on_commit_callbacks,
    )
    client.force_login(owner)
    assert download(client, organization, theirs).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, grantee):
    _, organization, _, _ = grantee
    response = client.get(
        reverse("applications:your_data", kwargs={"pk": organization.pk})
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
