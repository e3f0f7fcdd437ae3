"""Retention: `manage.py purge_expired` removes what is past its period, files too,
keeps the money ledger, and is a no-op the second time."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from applications.models import Application, Attachment, DataExport
from applications.services.privacy import ORPHAN_GRACE, purge_expired
from grants.models import HiringReport, Invitation
from tests.factories import ApplicationFactory, FundingRoundFactory, UserFactory
from tests.grants.hiring_helpers import commit, first_report, live_award, submit
from tests.grants.money_helpers import accepted_award, finance_user, ledger_rows, pay
from tests.privacy.helpers import age, make_attachment, stored

pytestmark = pytest.mark.django_db

YEARS_3 = 3 * 365


def purge(django_capture_on_commit_callbacks) -> str:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_expired", stdout=out)
    return out.getvalue()


def declined(**values):
    values.setdefault("status", Application.Status.DECLINED)
    values.setdefault(
        "answers", {"story": "We met at the shelter on Lake Street.", "budget": "900"}
    )
    return ApplicationFactory(**values)


def test_declined_applications_past_the_period_lose_answers_and_files(
    django_capture_on_commit_callbacks,
):
    old = declined()
    old_file = make_attachment(old)
    age(old, days=YEARS_3 + 1)
    recent = declined()
    recent_file = make_attachment(recent)
    age(recent, days=YEARS_3 - 1)
    funded = declined(status=Application.Status.AWARDED)
    age(funded, days=YEARS_3 + 400)

    output = purge(django_capture_on_commit_callbacks)

    old.refresh_from_db()
    assert old.answers == {}
    assert old.title == ""
    assert old.personal_data_removed_at is not None
    assert old.reference
    assert old.status == Application.Status.DECLINED
    assert not Attachment.objects.filter(pk=old_file.pk).exists()
    assert not stored(old_file)
    recent.refresh_from_db()
    assert recent.answers["story"].startswith("We met")
    assert stored(recent_file)
    funded.refresh_from_db()
    assert funded.answers != {}
    assert "applications: 1" in output
    assert "files: 1" in output


def test_a_recent_change_of_status_keeps_an_old_application(
    django_capture_on_commit_callbacks,
):
    application = declined()
    age(application, days=YEARS_3 + 10)
    application.status_changes.create(
        from_status=Application.Status.WAITLISTED,
        to_status=Application.Status.DECLINED,
    )
    purge(django_capture_on_commit_callbacks)
    application.refresh_from_db()
    assert application.answers != {}


def test_abandoned_drafts_are_deleted_with_their_files(
    django_capture_on_commit_callbacks,
):
    closed = FundingRoundFactory(
        opens_at=timezone.now() - timedelta(days=800),
        closes_at=timezone.now() - timedelta(days=700),
    )
    abandoned = ApplicationFactory(
        status=Application.Status.DRAFT,
        funding_round=closed,
        form__funding_round=closed,
        submitted_at=None,
    )
    abandoned_file = make_attachment(abandoned)
    age(abandoned, days=400)
    in_open_round = ApplicationFactory(
        status=Application.Status.DRAFT, submitted_at=None
    )
    age(in_open_round, days=400)

    output = purge(django_capture_on_commit_callbacks)

    assert not Application.objects.filter(pk=abandoned.pk).exists()
    assert not stored(abandoned_file)
    assert Application.objects.filter(pk=in_open_round.pk).exists()
    assert "drafts: 1" in output


def test_report_narratives_go_after_the_period_and_the_counts_stay(
    program_staff, django_capture_on_commit_callbacks
):
    award, owner = live_award(program_staff, started_days_ago=200)
    commit(program_staff, award)
    report = first_report(award)
    submit(
        owner,
        report,
        entry_filled=2,
        narrative={"barriers": "Two hires needed childcare we could not find."},
    )
    purge(django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.barriers  # the grant has not ended yet

    ended = timezone.localdate() - timedelta(days=7 * 365 + 1)
    award.__class__.objects.filter(pk=award.pk).update(
        starts_on=ended - timedelta(days=364), ends_on=ended
    )
    output = purge(django_capture_on_commit_callbacks)

    report.refresh_from_db()
    assert report.barriers == ""
    assert report.entry_filled == 2
    assert report.status == HiringReport.Status.SUBMITTED
    assert all(event.comment == "" for event in report.events.all())
    assert "report_narratives: 1" in output


def test_old_audit_entries_and_expired_invitations_are_deleted(
    django_capture_on_commit_callbacks,
):
    person = UserFactory()
    log(instance=person, action="accounts.login", user=person)
    log(instance=person, action="accounts.logout", user=person)
    ModelLogEntry.objects.filter(action="accounts.login").update(
        timestamp=timezone.now() - timedelta(days=7 * 365 + 1)
    )
    old_invitation = Invitation.objects.create(
        organization=ApplicationFactory().organization,
        email="former@example.org",
        role="editor",
        expires_at=timezone.now() - timedelta(days=91),
    )

    purge(django_capture_on_commit_callbacks)

    assert not ModelLogEntry.objects.filter(action="accounts.login").exists()
    assert ModelLogEntry.objects.filter(action="accounts.logout").exists()
    assert not Invitation.objects.filter(pk=old_invitation.pk).exists()


def test_old_data_exports_and_orphaned_files_are_deleted(
    django_capture_on_commit_callbacks,
):
    application = ApplicationFactory()
    export = DataExport(organization=application.organization)
    export.file.save("x.zip", ContentFile(b"PK old copy"), save=False)
    export.save()
    DataExport.objects.filter(pk=export.pk).update(
        requested_at=timezone.now() - timedelta(days=8)
    )
    storage = Attachment._meta.get_field("file").storage
    old_orphan = storage.save("attachments/left-behind", ContentFile(b"old"))
    new_orphan = storage.save("attachments/just-uploaded", ContentFile(b"new"))
    kept = make_attachment(application)
    # InMemoryStorage keeps the time a file was written: backdate the old orphan.
    storage._resolve(old_orphan).modified_time -= ORPHAN_GRACE + timedelta(hours=1)

    purge(django_capture_on_commit_callbacks)

    assert not DataExport.objects.filter(pk=export.pk).exists()
    assert not export.file.storage.exists(export.file.name)
    assert not storage.exists(old_orphan)
    assert storage.exists(new_orphan)
    assert stored(kept)


def test_purging_keeps_the_money_ledger_and_a_second_run_changes_nothing(
    program_staff, django_capture_on_commit_callbacks
):
    award, installments, owner = accepted_award(program_staff)
    pay(finance_user(), finance_user(), installments[0])
    application = declined(organization=award.organization)
    make_attachment(application)
    age(application, days=YEARS_3 + 1)
    ledger = ledger_rows()

    first = purge(django_capture_on_commit_callbacks)
    second = purge(django_capture_on_commit_callbacks)

    assert ledger_rows() == ledger
    assert "applications: 1" in first
    assert second.strip() == "Nothing was due."


def test_purge_expired_returns_what_changed_by_kind(django_capture_on_commit_callbacks):
    application = declined()
    make_attachment(application)
    age(application, days=YEARS_3 + 1)
    with django_capture_on_commit_callbacks(execute=True):
        changes = purge_expired()
    assert changes == {"applications": 1, "files": 1}
