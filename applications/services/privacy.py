"""Retention and erasure: personal data goes when it is due or when someone asks.

What stays: references, statuses, dates, counts and the money ledger (awards,
installments, disbursements and ledger entries keep pointing at the same, now
pseudonymous, organization or account). What goes: answers, files, free text written
about or by the person or organization, contact details, sign-in records, object
permissions, and copies of the data in page revisions and audit labels.

Every function here is idempotent: running it again changes nothing.
"""

import json
import logging
import secrets
from collections import Counter
from datetime import timedelta
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, PageLogEntry, Revision

from applications.models import (
    Application,
    Attachment,
    ConflictDeclaration,
    DataExport,
    Decision,
    HoursEntry,
    InformationRequest,
    InternalNote,
    PanelInvitation,
    PanelRecommendation,
    Review,
    StatusChange,
)
from grants import public_cache
from grants.models import (
    NARRATIVE_FIELDS,
    Award,
    HiringReport,
    HiringReportEvent,
    Invitation,
    Membership,
    Organization,
)
from portal.models import ErasureRecord, SpreadsheetExport, User
from portal.permissions import can_erase_personal_data

logger = logging.getLogger(__name__)

ERASED_DOMAIN = "erased.invalid"
# Applications whose outcome is settled without a grant: kept for the retention
# period after the last change of status, then their answers and files go.
CLOSED_WITHOUT_GRANT = [
    Application.Status.DECLINED,
    Application.Status.INELIGIBLE,
    Application.Status.WITHDRAWN,
]
# While any of these is true an organization's data is still being worked on.
APPLICATIONS_IN_PROGRESS = [
    Application.Status.SUBMITTED,
    Application.Status.SCREENING,
    Application.Status.MORE_INFO,
    Application.Status.ELIGIBLE,
    Application.Status.WAITLISTED,
]
AWARDS_IN_PROGRESS = [Award.Status.OFFERED, Award.Status.ACCEPTED, Award.Status.ACTIVE]


# --- Files ------------------------------------------------------------------------


def _delete_files_after_commit(files, changes: Counter) -> None:
    """Delete stored files once the rows that point at them are gone for good.

    A failure is logged by storage key (random, never a name) and the file is left
    for the next run of purge_expired, which deletes files no row points at.
    """
    files = [(storage, name) for storage, name in files if name]
    changes["files"] += len(files)

    def delete():
        for storage, name in files:
            try:
                storage.delete(name)
            except Exception:  # storage outage: the key is logged for a later retry
                logger.exception("Could not delete stored file %s", name)

    if files:
        transaction.on_commit(delete)


def _attachment_files(attachments) -> list:
    return [(item.file.storage, item.file.name) for item in attachments]


# --- Applications -----------------------------------------------------------------


def _forget_applications(queryset, changes: Counter, now) -> None:
    """Remove answers, files and free text about these applications; keep the
    reference, status, dates, scores and any award."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    attachments = Attachment.objects.filter(application_id__in=ids)
    _delete_files_after_commit(_attachment_files(attachments), changes)
    attachments.delete()
    changes["applications"] += Application.objects.filter(pk__in=ids).update(
        answers={},
        title="",
        content_note="",
        section_editors={},
        personal_data_removed_at=now,
        updated_at=now,
    )
    InternalNote.objects.filter(application_id__in=ids).update(text="")
    InformationRequest.objects.filter(application_id__in=ids).update(message="")
    StatusChange.objects.filter(application_id__in=ids).update(reason="")
    ConflictDeclaration.objects.filter(application_id__in=ids).update(details="")
    Review.objects.filter(assignment__application_id__in=ids).update(
        strengths="", concerns="", questions="", abstain_reason=""
    )
    PanelRecommendation.objects.filter(application_id__in=ids).update(rationale="")
    Decision.objects.filter(application_id__in=ids).update(feedback="")


def _delete_applications(queryset, changes: Counter) -> None:
    """Delete drafts outright, with their files."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return
    attachments = Attachment.objects.filter(application_id__in=ids)
    _delete_files_after_commit(_attachment_files(attachments), changes)
    changes["drafts"] += (
        Application.objects.filter(pk__in=ids)
        .delete()[1]
        .get(Application._meta.label, 0)
    )


def _forget_report_narratives(queryset, changes: Counter) -> None:
    """Blank the free text of progress reports; the counts stay."""
    report_ids = list(
        queryset.filter(_has_narrative()).values_list("pk", flat=True).distinct()
    )
    if not report_ids:
        return
    blank = dict.fromkeys([*NARRATIVE_FIELDS, "staff_comment"], "")
    changes["report_narratives"] += HiringReport.objects.filter(
        pk__in=report_ids
    ).update(**blank)
    events = list(HiringReportEvent.objects.filter(report_id__in=report_ids))
    for event in events:
        event.comment = ""
        event.counts = {
            key: value
            for key, value in event.counts.items()
            if key not in NARRATIVE_FIELDS
        }
    HiringReportEvent.objects.bulk_update(events, ["comment", "counts"], batch_size=500)


def _has_narrative():
    condition = ~models.Q(staff_comment="")
    for name in NARRATIVE_FIELDS:
        condition |= ~models.Q(**{name: ""})
    return condition


# --- Copies in revisions and audit entries ------------------------------------------


def _scrub_copies(texts, changes: Counter) -> None:
    """Delete old page and snippet revisions, and scrub audit labels and details,
    that contain any of these texts (names, email addresses)."""
    texts = [text for text in dict.fromkeys(texts) if text and len(text) >= 4]
    if not texts:
        return
    kept = _current_revision_ids()
    revisions = Revision.objects.annotate(text=Cast("content", models.TextField()))
    matching = models.Q()
    for text in texts:
        matching |= models.Q(text__icontains=text)
    doomed = revisions.filter(matching).exclude(pk__in=kept)
    changes["revisions"] += doomed.count()
    Revision.objects.filter(pk__in=list(doomed.values_list("pk", flat=True))).delete()
    for model in (ModelLogEntry, PageLogEntry):
        entries = model.objects.annotate(details=Cast("data", models.TextField()))
        labels = models.Q()
        details = models.Q()
        for text in texts:
            labels |= models.Q(label__icontains=text)
            details |= models.Q(details__icontains=text)
        changes["audit_labels"] += entries.filter(labels).update(
            label=_("Erased personal data")
        )
        changes["audit_details"] += entries.filter(details).update(data={})


def _current_revision_ids() -> set:
    """Revisions that pages or snippets are built from now: never deleted here."""
    current = set()
    for model in apps.get_models():
        names = {field.name for field in model._meta.concrete_fields}
        for field in ("latest_revision", "live_revision"):
            if field in names:
                current.update(
                    model.objects.exclude(**{f"{field}__isnull": True}).values_list(
                        f"{field}_id", flat=True
                    )
                )
    return current


def _object_permission_models(base):
    return [
        model
        for model in apps.get_models()
        if issubclass(model, base) and not model._meta.abstract
    ]


def _remove_object_permissions_on(objects, changes: Counter) -> None:
    """Remove every user and group object permission on these objects."""
    for instance_model, ids in objects.items():
        for model in _object_permission_models(
            UserObjectPermissionBase
        ) + _object_permission_models(GroupObjectPermissionBase):
            target = model._meta.get_field("content_object")
            if target.is_relation and target.related_model is instance_model:
                changes["permissions"] += model.objects.filter(
                    content_object_id__in=ids
                ).delete()[0]


# --- The erasure log ----------------------------------------------------------------


def _delete_spreadsheets(queryset, changes: Counter) -> None:
    _delete_files_after_commit(
        [(e.file.storage, e.file.name) for e in queryset if e.file], changes
    )
    changes["spreadsheet_exports"] += queryset.delete()[0]


def _delete_spreadsheets_made_before(subject: str, subject_id: int, changes) -> None:
    """Staff spreadsheets made before an erasure may hold what it removed (names,
    addresses, typed search words in their address): all are deleted, whoever made
    them; they can be made again. Counted from the first erasure, so running it
    again changes nothing."""
    record = ErasureRecord.objects.filter(
        subject=subject, subject_id=subject_id
    ).first()
    cutoff = record.erased_at if record else timezone.now()
    _delete_spreadsheets(
        SpreadsheetExport.objects.filter(requested_at__lte=cutoff), changes
    )


def _finish_erasure(instance, subject: str, *, actor, from_log: bool, changes) -> bool:
    """Record the erasure (the log file only the first time) and audit it when it
    changed anything; True when it did."""
    first = _record_erasure(
        subject=subject, subject_id=instance.pk, actor=actor, write_log=not from_log
    )
    if not (first or sum(changes.values())):
        return False
    instance.refresh_from_db()  # the audit label is the new, pseudonymous one
    log(instance=instance, action=f"privacy.erase_{subject}", user=actor)
    return True


def _record_erasure(*, subject: str, subject_id: int, actor, write_log: bool) -> bool:
    """Remember an erasure in the database and, the first time, in the log file.
    Returns whether this is the first time."""
    record, created = ErasureRecord.objects.get_or_create(
        subject=subject,
        subject_id=subject_id,
        defaults={"requested_by": actor if actor and actor.pk else None},
    )
    if created and write_log:
        line = json.dumps(
            {
                "subject": subject,
                "id": subject_id,
                "at": record.erased_at.isoformat(),
            }
        )
        path = Path(settings.PORTAL_ERASURE_LOG)

        def append():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")

        transaction.on_commit(append)
    return created


def read_erasure_log(path=None) -> list[dict]:
    """The erasures in the log file, oldest first; a missing file is empty."""
    path = Path(path or settings.PORTAL_ERASURE_LOG)
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            entries.append({"subject": entry["subject"], "id": int(entry["id"])})
    return entries


def _check_actor(actor) -> None:
    """People need the right; commands run by the operator pass None."""
    if actor is not None and not can_erase_personal_data(actor):
        raise PermissionDenied("erase personal data")


# --- Erasure on request ---------------------------------------------------------------


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


@transaction.atomic
def erase_person(*, actor, user: User, from_log: bool = False) -> Counter:
    """Erase a person: the account stays (the money ledger and reviews point at it)
    but carries no name, address, password, second factor, role or permission."""
    _check_actor(actor)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError(_("You cannot erase your own account."))
    user = User.objects.select_for_update().get(pk=user.pk)
    changes = Counter()
    email = user.email
    names = [user.get_full_name(), user.first_name, user.last_name]
    if email != erased_email(user.pk):
        User.objects.filter(pk=user.pk).update(
            email=erased_email(user.pk),
            first_name="",
            last_name="",
            password=make_password(None),
            is_active=False,
            is_staff=False,
            is_superuser=False,
            email_confirmed_at=None,
            optional_emails=False,
            session_stamp=secrets.token_hex(16),
        )
        changes["accounts"] += 1
    user.groups.clear()
    user.user_permissions.clear()
    for model in _object_permission_models(UserObjectPermissionBase):
        changes["permissions"] += model.objects.filter(user_id=user.pk).delete()[0]
    changes["second_factors"] += _delete_second_factors(user)
    changes["memberships"] += Membership.objects.filter(user_id=user.pk).delete()[0]
    for invitation_model in (Invitation, PanelInvitation):
        changes["invitations"] += invitation_model.objects.filter(
            email__iexact=email
        ).delete()[0]
    changes["contacts"] += Organization.objects.filter(
        contact_email__iexact=email
    ).update(contact_name="", contact_email="", contact_phone="")
    changes["signatures"] += (
        Award.objects.filter(accepted_by_id=user.pk)
        .exclude(signer_name="")
        .update(signer_name="")
    )
    HoursEntry.objects.filter(membership__user_id=user.pk).exclude(activity="").update(
        activity=""
    )
    ConflictDeclaration.objects.filter(panelist_id=user.pk).exclude(details="").update(
        details=""
    )
    changes["sign_in_records"] += _delete_sign_in_records(email)
    _delete_spreadsheets_made_before(ErasureRecord.Subject.PERSON, user.pk, changes)
    _delete_avatar(user, changes)
    _scrub_copies([email, *names], changes)
    _finish_erasure(
        user,
        ErasureRecord.Subject.PERSON,
        actor=actor,
        from_log=from_log,
        changes=changes,
    )
    return +changes


def _delete_second_factors(user) -> int:
    from django_otp import devices_for_user

    deleted = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        deleted += 1
    return deleted


def _delete_sign_in_records(email: str) -> int:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    return sum(
        model.objects.filter(username__iexact=email).delete()[0]
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
    )


def _delete_avatar(user, changes: Counter) -> None:
    from wagtail.users.models import UserProfile

    profile = UserProfile.objects.filter(user_id=user.pk).first()
    if profile and profile.avatar:
        _delete_files_after_commit(
            [(profile.avatar.storage, profile.avatar.name)], changes
        )
        UserProfile.objects.filter(pk=profile.pk).update(avatar="")


def erased_organization_name(organization_id: int) -> str:
    return f"Erased organization {organization_id}"


@transaction.atomic
def erase_organization(
    *, actor, organization: Organization, from_log: bool = False
) -> Counter:
    """Erase an organization: its name, address, contacts, answers, files, report
    narratives, members and permissions. Awards and payments stay, under a
    pseudonymous name, so the money ledger still adds up."""
    _check_actor(actor)
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if not from_log:
        _refuse_work_in_progress(organization)
    changes = Counter()
    now = timezone.now()
    pseudonym = erased_organization_name(organization.pk)
    texts = [
        text
        for text in (
            organization.legal_name,
            organization.public_name,
            organization.contact_name,
            organization.contact_email,
            organization.ein,
        )
        if text != pseudonym
    ]
    if organization.legal_name != pseudonym:
        changes["organizations"] += Organization.objects.filter(
            pk=organization.pk
        ).update(
            legal_name=pseudonym,
            public_name=pseudonym,
            ein="",
            address_line1="",
            address_line2="",
            postal_code="",
            mission="",
            contact_name="",
            contact_email="",
            contact_phone="",
        )
    applications = Application.objects.filter(organization_id=organization.pk)
    _delete_applications(applications.filter(status=Application.Status.DRAFT), changes)
    _forget_applications(
        applications.filter(personal_data_removed_at=None), changes, now
    )
    awards = Award.objects.filter(organization_id=organization.pk)
    changes["awards"] += awards.exclude(
        public_summary="", signer_name="", agreement_text=""
    ).update(public_summary="", signer_name="", agreement_text="")
    _forget_report_narratives(HiringReport.objects.filter(award__in=awards), changes)
    changes["memberships"] += Membership.objects.filter(
        organization_id=organization.pk
    ).delete()[0]
    changes["invitations"] += Invitation.objects.filter(
        organization_id=organization.pk
    ).delete()[0]
    _remove_object_permissions_on(
        {
            Organization: [organization.pk],
            Application: list(applications.values_list("pk", flat=True)),
        },
        changes,
    )
    exports = DataExport.objects.filter(organization_id=organization.pk)
    _delete_files_after_commit(
        [(e.file.storage, e.file.name) for e in exports], changes
    )
    exports.delete()
    _delete_spreadsheets_made_before(
        ErasureRecord.Subject.ORGANIZATION, organization.pk, changes
    )
    changes["audit_labels"] += (
        ModelLogEntry.objects.filter(
            content_type__app_label="grants",
            content_type__model="organization",
            object_id=str(organization.pk),
        )
        .exclude(label=pseudonym)
        .update(label=pseudonym)
    )
    _scrub_copies(texts, changes)
    if _finish_erasure(
        organization,
        ErasureRecord.Subject.ORGANIZATION,
        actor=actor,
        from_log=from_log,
        changes=changes,
    ):
        transaction.on_commit(public_cache.clear)
    return +changes


def _refuse_work_in_progress(organization: Organization) -> None:
    if organization.applications.filter(status__in=APPLICATIONS_IN_PROGRESS).exists():
        raise ValidationError(
            _(
                "This organization has an application that is still being reviewed. "
                "Finish or withdraw it first, then erase."
            )
        )
    if organization.awards.filter(status__in=AWARDS_IN_PROGRESS).exists():
        raise ValidationError(
            _(
                "This organization has a grant in progress. Close or end the grant "
                "first, then erase."
            )
        )


def reapply_erasures(*, path=None) -> Counter:
    """Apply every erasure in the log file again, e.g. after restoring a backup
    taken before some of them. Subjects missing from the database are skipped."""
    changes = Counter()
    for entry in read_erasure_log(path):
        if entry["subject"] == ErasureRecord.Subject.PERSON:
            user = User.objects.filter(pk=entry["id"]).first()
            if user is not None:
                changes += erase_person(actor=None, user=user, from_log=True)
                changes["people"] += 1
        elif entry["subject"] == ErasureRecord.Subject.ORGANIZATION:
            organization = Organization.objects.filter(pk=entry["id"]).first()
            if organization is not None:
                changes += erase_organization(
                    actor=None, organization=organization, from_log=True
                )
                changes["organizations_checked"] += 1
    return changes


# --- Retention ------------------------------------------------------------------------


@transaction.atomic
def purge_expired(*, now=None) -> Counter:
    """Remove or pseudonymise everything past its retention period (the periods are
    PORTAL_RETAIN_* settings). Run daily; returns what changed, by kind."""
    now = now or timezone.now()
    changes = Counter()

    def before(setting: str):
        return now - timedelta(days=getattr(settings, setting))

    declined_cutoff = before("PORTAL_RETAIN_DECLINED_DAYS")
    _forget_applications(
        Application.objects.filter(
            status__in=CLOSED_WITHOUT_GRANT,
            personal_data_removed_at=None,
            updated_at__lt=declined_cutoff,
        ).exclude(status_changes__created_at__gte=declined_cutoff),
        changes,
        now,
    )
    draft_cutoff = before("PORTAL_RETAIN_DRAFT_DAYS")
    _delete_applications(
        Application.objects.filter(
            status=Application.Status.DRAFT,
            updated_at__lt=draft_cutoff,
            funding_round__closes_at__lt=now,
        ),
        changes,
    )
    report_cutoff = before("PORTAL_RETAIN_REPORT_DAYS").date()
    _forget_report_narratives(
        HiringReport.objects.filter(award__ends_on__lt=report_cutoff), changes
    )
    invitation_cutoff = before("PORTAL_RETAIN_INVITATION_DAYS")
    for model in (Invitation, PanelInvitation):
        changes["invitations"] += model.objects.filter(
            expires_at__lt=invitation_cutoff
        ).delete()[0]
    export_cutoff = before("PORTAL_RETAIN_DATA_EXPORT_DAYS")
    exports = DataExport.objects.filter(requested_at__lt=export_cutoff)
    _delete_files_after_commit(
        [(e.file.storage, e.file.name) for e in exports], changes
    )
    changes["data_exports"] += exports.delete()[0]
    _delete_spreadsheets(
        SpreadsheetExport.objects.filter(requested_at__lt=export_cutoff), changes
    )
    _delete_orphan_files(changes, older_than=now - ORPHAN_GRACE)
    audit_cutoff = before("PORTAL_RETAIN_AUDIT_DAYS")
    for model in (ModelLogEntry, PageLogEntry):
        changes["audit_entries"] += model.objects.filter(
            timestamp__lt=audit_cutoff
        ).delete()[0]
    return +changes


# A stored file no row points at is deleted only when older than this, so an upload
# whose row is not yet committed is never touched.
ORPHAN_GRACE = timedelta(days=1)


def _delete_orphan_files(changes: Counter, *, older_than) -> None:
    """Delete attachment and data-export files that no row points at (left behind
    when a storage outage stopped an earlier deletion)."""
    for model, folder in (
        (Attachment, "attachments"),
        (DataExport, "data-exports"),
        (SpreadsheetExport, "spreadsheet-exports"),
    ):
        storage = model._meta.get_field("file").storage
        try:
            _, names = storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        keys = {f"{folder}/{name}" for name in names}
        known = set(model.objects.filter(file__in=keys).values_list("file", flat=True))
        for key in sorted(keys - known):
            if storage.get_modified_time(key) < older_than:
                storage.delete(key)
                changes["orphan_files"] += 1
