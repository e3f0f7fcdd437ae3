"""Erasure on request: a person or an organization is pseudonymised, files deleted,
copies scrubbed, permissions removed, the money ledger kept; twice is a no-op; the
erasure log applies it again after a restore."""

import json
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import get_perms
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page, Revision

from applications.models import Application, Attachment
from applications.services.privacy import (
    erase_organization,
    erase_person,
    erased_email,
    erased_organization_name,
    reapply_erasures,
)
from cms.models import StandardPage
from grants.models import Award, Membership, Organization
from portal.models import ErasureRecord, User
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.grants.money_helpers import (
    accepted_award,
    finance_user,
    ledger_rows,
    log_entries,
    pay,
)
from tests.privacy.helpers import make_attachment, stored

pytestmark = pytest.mark.django_db

PASSWORD = "plum-harbor-lantern-97"


@pytest.fixture(autouse=True)
def erasure_log(settings, tmp_path):
    settings.PORTAL_ERASURE_LOG = str(tmp_path / "erasure-log.jsonl")
    return tmp_path / "erasure-log.jsonl"


def log_lines(path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def person_with_traces():
    """A member of an organization with a second factor, a password and an audit
    entry whose label holds their address."""
    person = UserFactory(
        email="maria.lopez@example.org", first_name="Maria", last_name="Lopez"
    )
    person.set_password(PASSWORD)
    person.save()
    membership = MembershipFactory(user=person, role="owner")
    TOTPDevice.objects.create(user=person, name="Phone", confirmed=True)
    entry = log(instance=membership.organization, action="grants.invite_member")
    ModelLogEntry.objects.filter(pk=entry.pk).update(
        label="Invitation for maria.lopez@example.org"
    )
    return person, membership.organization


def test_erasing_a_person_removes_what_identifies_them(
    administrator, erasure_log, django_capture_on_commit_callbacks
):
    person, organization = person_with_traces()
    organization.contact_email = person.email
    organization.contact_name = "Maria Lopez"
    organization.save()

    with django_capture_on_commit_callbacks(execute=True):
        changes = erase_person(actor=administrator, user=person)

    person.refresh_from_db()
    assert person.email == erased_email(person.pk)
    assert (person.first_name, person.last_name) == ("", "")
    assert not person.is_active
    assert not person.has_usable_password()
    assert not person.check_password(PASSWORD)
    assert not User.objects.filter(email__icontains="maria").exists()
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not Membership.objects.filter(user=person).exists()
    assert get_perms(person, organization) == []
    organization.refresh_from_db()
    assert (organization.contact_name, organization.contact_email) == ("", "")
    assert not ModelLogEntry.objects.filter(label__icontains="maria.lopez").exists()
    assert log_entries("privacy.erase_person", person).get().user == administrator
    assert ErasureRecord.objects.get(subject="person").subject_id == person.pk
    assert log_lines(erasure_log) == [
        {"subject": "person", "id": person.pk, "at": log_lines(erasure_log)[0]["at"]}
    ]
    assert changes["accounts"] == 1
    assert changes["audit_labels"] == 1


def test_erasing_a_person_twice_is_a_no_op(
    administrator, erasure_log, django_capture_on_commit_callbacks
):
    person, _ = person_with_traces()
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(actor=administrator, user=person)
    entries = ModelLogEntry.objects.count()
    row = User.objects.filter(pk=person.pk).values().get()

    with django_capture_on_commit_callbacks(execute=True):
        changes = erase_person(actor=administrator, user=person)

    assert changes == {}
    assert ModelLogEntry.objects.count() == entries
    assert User.objects.filter(pk=person.pk).values().get() == row
    assert len(log_lines(erasure_log)) == 1
    assert ErasureRecord.objects.count() == 1


def test_old_revisions_holding_a_persons_name_are_purged(
    administrator, django_capture_on_commit_callbacks
):
    person = UserFactory(first_name="Temperance", last_name="Okafor")
    page = Page.get_first_root_node().add_child(
        instance=StandardPage(title="Thanks", slug="thanks", intro="Thank you.")
    )
    page.intro = "Thank you to Temperance Okafor for the photographs."
    old = page.save_revision(user=person)
    page.intro = "Thank you to our volunteers."
    current = page.save_revision(user=person)

    with django_capture_on_commit_callbacks(execute=True):
        erase_person(actor=administrator, user=person)

    assert not Revision.objects.filter(pk=old.pk).exists()
    assert Revision.objects.filter(pk=current.pk).exists()


def test_only_administrators_erase_and_nobody_erases_themselves(
    program_staff, administrator
):
    person = UserFactory()
    with pytest.raises(PermissionDenied):
        erase_person(actor=program_staff, user=person)
    with pytest.raises(ValidationError):
        erase_person(actor=administrator, user=administrator)
    person.refresh_from_db()
    assert person.is_active
    assert not ErasureRecord.objects.exists()


def closed_grantee(program_staff):
    """An organization whose grant was paid and closed, with a declined application
    and a file: what a careful office would erase on request."""
    award, installments, owner = accepted_award(program_staff)
    pay(finance_user(), finance_user(), installments[0])
    Award.objects.filter(pk=award.pk).update(status=Award.Status.CLOSED)
    application = ApplicationFactory(
        organization=award.organization,
        status=Application.Status.DECLINED,
        answers={"story": "Our founder, Ana Ruiz, started the circle in 2019."},
    )
    return award.organization, application, make_attachment(application), owner


def test_erasing_an_organization_keeps_the_ledger_under_a_pseudonym(
    program_staff, administrator, erasure_log, django_capture_on_commit_callbacks
):
    organization, application, attachment, owner = closed_grantee(program_staff)
    ledger = ledger_rows()
    name = organization.public_name

    with django_capture_on_commit_callbacks(execute=True):
        erase_organization(actor=administrator, organization=organization)

    organization.refresh_from_db()
    assert organization.legal_name == erased_organization_name(organization.pk)
    assert organization.public_name == organization.legal_name
    assert (organization.ein, organization.address_line1, organization.mission) == (
        "",
        "",
        "",
    )
    assert (organization.contact_name, organization.contact_email) == ("", "")
    application.refresh_from_db()
    assert application.answers == {}
    assert application.personal_data_removed_at
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not stored(attachment)
    assert not Membership.objects.filter(organization=organization).exists()
    assert get_perms(owner, organization) == []
    assert get_perms(owner, application) == []
    award = organization.awards.get()
    assert award.signer_name == ""
    assert award.public_summary == ""
    assert ledger_rows() == ledger
    assert not ModelLogEntry.objects.filter(label__icontains=name).exists()
    assert log_lines(erasure_log)[0]["subject"] == "organization"


def test_erasing_an_organization_twice_is_a_no_op(
    program_staff, administrator, erasure_log, django_capture_on_commit_callbacks
):
    organization, *_ = closed_grantee(program_staff)
    with django_capture_on_commit_callbacks(execute=True):
        erase_organization(actor=administrator, organization=organization)
    entries = ModelLogEntry.objects.count()
    row = Organization.objects.filter(pk=organization.pk).values().get()

    with django_capture_on_commit_callbacks(execute=True):
        changes = erase_organization(actor=administrator, organization=organization)

    assert changes == {}
    assert ModelLogEntry.objects.count() == entries
    assert Organization.objects.filter(pk=organization.pk).values().get() == row
    assert len(log_lines(erasure_log)) == 1


def test_an_organization_with_work_in_progress_is_not_erased(
    program_staff, administrator
):
    in_review = ApplicationFactory(status=Application.Status.ELIGIBLE)
    with pytest.raises(ValidationError, match="still being reviewed"):
        erase_organization(actor=administrator, organization=in_review.organization)
    award, _, _ = accepted_award(program_staff)
    with pytest.raises(ValidationError, match="grant in progress"):
        erase_organization(actor=administrator, organization=award.organization)
    assert not ErasureRecord.objects.exists()


def test_the_erasure_log_erases_again_after_an_older_backup_is_restored(
    program_staff, administrator, erasure_log, django_capture_on_commit_callbacks
):
    person, _ = person_with_traces()
    organization, application, *_ = closed_grantee(program_staff)
    before = {
        "person": User.objects.filter(pk=person.pk).values().get(),
        "organization": Organization.objects.filter(pk=organization.pk).values().get(),
        "answers": application.answers,
    }
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(actor=administrator, user=person)
        erase_organization(actor=administrator, organization=organization)

    # A restore from a backup taken before the erasures brings the data back.
    User.objects.filter(pk=person.pk).update(
        **{k: v for k, v in before["person"].items() if k != "id"}
    )
    Organization.objects.filter(pk=organization.pk).update(
        **{k: v for k, v in before["organization"].items() if k != "id"}
    )
    Application.objects.filter(pk=application.pk).update(
        answers=before["answers"], personal_data_removed_at=None
    )
    ErasureRecord.objects.all().delete()

    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("reapply_erasures", stdout=out)

    person.refresh_from_db()
    organization.refresh_from_db()
    application.refresh_from_db()
    assert person.email == erased_email(person.pk)
    assert not person.is_active
    assert organization.legal_name == erased_organization_name(organization.pk)
    assert application.answers == {}
    assert ErasureRecord.objects.count() == 2
    assert len(log_lines(erasure_log)) == 2  # applying again adds no lines
    assert "people: 1" in out.getvalue()
    # And once more changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert reapply_erasures() == {"people": 1, "organizations_checked": 1}


def test_the_command_erases_by_email_and_explains_refusals(
    program_staff, django_capture_on_commit_callbacks
):
    person = UserFactory(email="leaving@example.org")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("erase_personal_data", email="Leaving@example.org", stdout=out)
    person.refresh_from_db()
    assert person.email == erased_email(person.pk)
    assert "accounts: 1" in out.getvalue()
    with pytest.raises(CommandError, match="No account matches"):
        call_command("erase_personal_data", email="nobody@example.org")
    in_review = ApplicationFactory(status=Application.Status.SUBMITTED)
    with pytest.raises(CommandError, match="still being reviewed"):
        call_command("erase_personal_data", organization=in_review.organization.pk)
