"""Applying: drafts, sections, files, submission, withdrawal and screening."""

import hashlib
import logging
from functools import partial

from botocore.exceptions import BotoCoreError, ClientError
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applications import uploads
from applications.models import (
    Application,
    ApplicationForm,
    Attachment,
    InformationRequest,
    InternalNote,
    StatusChange,
)
from applications.schema import (
    ABOUT_SECTION_ID,
    is_answered,
    live_raw_blocks,
    sections_from,
)
from grants.models import FundingRound, Organization
from portal.permissions import email_is_confirmed, require_perm

logger = logging.getLogger(__name__)
# What file storage raises when S3 (or a disk) does not answer or refuses.
STORAGE_ERRORS = (BotoCoreError, ClientError, OSError)

APPLY_PERM = "grants.apply_for_organization"
EDITABLE_STATUSES = {Application.Status.DRAFT, Application.Status.MORE_INFO}
WITHDRAWABLE = {
    Application.Status.DRAFT,
    Application.Status.SUBMITTED,
    Application.Status.SCREENING,
    Application.Status.MORE_INFO,
    Application.Status.ELIGIBLE,
}
SCREENING_TRANSITIONS = {
    Application.Status.SUBMITTED: {Application.Status.SCREENING},
    Application.Status.SCREENING: {
        Application.Status.ELIGIBLE,
        Application.Status.INELIGIBLE,
    },
    Application.Status.ELIGIBLE: {Application.Status.SCREENING},
    Application.Status.INELIGIBLE: {Application.Status.SCREENING},
}


class EditConflict(ValidationError):
    """Someone else saved the same section since this person opened it."""


def record_status(application, *, actor, to_status, reason=""):
    """Move an application to a status and keep who, when and why (caller saves)."""
    StatusChange.objects.create(
        application=application,
        from_status=application.status,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )
    application.status = to_status


def _locked(application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def _notify(application_id: int, kind: str) -> None:
    from applications.tasks import send_application_email

    send_application_email.enqueue(application_id=application_id, kind=kind)


@transaction.atomic
def start_application(
    *, actor, funding_round: FundingRound, organization: Organization, moment=None
) -> Application:
    """Open a draft for an organization, or return the draft it already has."""
    require_perm(actor, APPLY_PERM, organization)
    if not email_is_confirmed(actor):
        raise ValidationError(
            _("Confirm your email address before you apply. We sent you a link.")
        )
    if not funding_round.is_open(moment):
        raise ValidationError(_("This round is not taking applications."))
    if not ApplicationForm.objects.filter(funding_round=funding_round).exists():
        raise ValidationError(_("This round is not taking online applications yet."))
    existing = (
        Application.objects.filter(
            funding_round=funding_round, organization=organization
        )
        .exclude(status=Application.Status.WITHDRAWN)
        .first()
    )
    if existing is not None:
        return existing
    application = Application(
        funding_round=funding_round,
        organization=organization,
        created_by=actor,
        title="",
    )
    application.save()
    log(instance=application, action="applications.start_application", user=actor)
    return application


@transaction.atomic
def save_section(
    *,
    actor,
    application: Application,
    section_id: str,
    answers: dict,
    version: int | None,
    files=None,
) -> Application:
    """Save one section of a draft; refuse to overwrite a colleague's newer save unseen."""
    require_perm(actor, APPLY_PERM, application.organization)
    application = _locked(application)
    if application.status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("This application has been submitted and can no longer be changed.")
        )
    if (
        application.status == Application.Status.MORE_INFO
        and section_id not in application.reopened_sections
    ):
        raise ValidationError(_("Only the sections staff asked about can be changed."))
    current = application.section_versions.get(section_id, 0)
    if version is not None and version != current:
        raise EditConflict(
            _(
                "Someone else in your organization saved this section after you opened it. "
                "Check their changes below; saving again will replace them with yours."
            ),
            params={"version": current},
        )
    if section_id == ABOUT_SECTION_ID:
        application.title = answers.get("title") or ""
        application.amount_requested = answers.get("amount_requested")
    else:
        application.answers = {**application.answers, **answers}
    application.section_versions = {
        **application.section_versions,
        section_id: current + 1,
    }
    application.section_editors = {**application.section_editors, section_id: actor.pk}
    application.updated_at = timezone.now()
    application.full_clean(exclude=["title"])
    sections = form_sections(application)
    # Files the storage could not take (S3 down or slow): the answers are saved all
    # the same and the view says which files to send again.
    application.uploads_not_stored = []
    for field_id, upload in (files or {}).items():
        try:
            _store_attachment(
                actor=actor,
                application=application,
                field_id=field_id,
                upload=upload,
                sections=sections,
            )
        except StorageUnavailable:
            application.uploads_not_stored.append(field_id)
    application.save()
    return application


class StorageUnavailable(Exception):
    """File storage did not take a file; nothing points at it."""


def form_sections(application: Application):
    """The sections an application answers: its snapshot once submitted, else live."""
    if application.form_snapshot is not None:
        return sections_from(application.form_snapshot)
    return sections_from(live_raw_blocks(application.funding_round.application_form))


def _store_attachment(*, actor, application, field_id, upload, sections) -> Attachment:
    checked = uploads.check_upload(upload, field_id=field_id, sections=sections)
    digest = hashlib.sha256(checked.content).hexdigest()
    attachment = Attachment(
        application=application,
        field_id=field_id,
        original_name=checked.original_name,
        size=len(checked.content),
        content_type=checked.content_type,
        sha256=digest,
        uploaded_by=actor,
    )
    # Store the file first: if storage fails, the earlier file and its row stay.
    try:
        attachment.file.save(checked.original_name, checked.as_file(), save=False)
    except STORAGE_ERRORS as error:
        logger.warning(
            "File storage refused an upload for application %s", application.pk
        )
        raise StorageUnavailable from error
    replaced = Attachment.objects.filter(application=application, field_id=field_id)
    for old in replaced:
        # The row goes now; the stored file only once the new one is committed.
        transaction.on_commit(partial(old.file.storage.delete, old.file.name))
    replaced.delete()
    attachment.save()
    log(instance=application, action="applications.upload_attachment", user=actor)
    return attachment


def missing_answers(application: Application) -> dict:
    """Required questions still unanswered, by field id, with a message for each."""
    sections = form_sections(application)
    attached = set(application.attachments.values_list("field_id", flat=True))
    answers = {
        **application.answers,
        "title": application.title,
        "amount_requested": application.amount_requested,
    }
    missing = {}
    for section in sections:
        for field_def in section.required_fields:
            if not is_answered(field_def, answers, attached):
                missing[field_def.id] = _("Answer “%(question)s” in “%(section)s”.") % {
                    "question": field_def.label,
                    "section": section.title,
                }
    return missing


@transaction.atomic
def submit_application(*, actor, application: Application, moment=None) -> Application:
    """Submit a complete application before the deadline; give it a reference."""
    require_perm(actor, APPLY_PERM, application.organization)
    moment = moment or timezone.now()
    application = _locked(application)
    funding_round = FundingRound.objects.select_for_update().get(
        pk=application.funding_round_id
    )
    if application.status == Application.Status.MORE_INFO:
        return _resubmit(actor=actor, application=application)
    if application.status != Application.Status.DRAFT:
        raise ValidationError(
            _("This application has already been submitted."), code="already_submitted"
        )
    if not funding_round.is_open(moment):
        raise ValidationError(
            _(
                "The deadline for this round has passed, so we cannot accept the application. "
                "Your draft is kept. If something stopped you applying in time, contact the grants team."
            ),
            code="deadline",
        )
    missing = missing_answers(application)
    if missing:
        raise ValidationError(missing)
    _check_amount(application, funding_round)
    count = Application.objects.filter(
        funding_round=funding_round, reference__isnull=False
    ).count()
    application.reference = f"{funding_round.reference_prefix}-{count + 1:04d}"
    application.form_snapshot = live_raw_blocks(funding_round.application_form)
    application.form_version = funding_round.application_form.version
    application.submitted_at = moment
    record_status(application, actor=actor, to_status=Application.Status.SUBMITTED)
    application.full_clean()
    application.save()
    log(instance=application, action="applications.submit_application", user=actor)
    transaction.on_commit(partial(_notify, application.pk, "submitted"))
    return application


def _check_amount(application, funding_round) -> None:
    if application.amount_requested and not (
        funding_round.min_award
        <= application.amount_requested
        <= funding_round.max_award
    ):
        raise ValidationError(
            {
                "amount_requested": _(
                    "Ask for an amount between the smallest and largest award."
                )
            }
        )


def _resubmit(*, actor, application):
    missing = missing_answers(application)
    if missing:
        raise ValidationError(missing)
    _check_amount(application, application.funding_round)
    application.full_clean()
    request = application.information_requests.filter(answered_at__isnull=True).first()
    if request is not None:
        request.answered_at = timezone.now()
        request.save(update_fields=["answered_at"])
    application.reopened_sections = []
    record_status(
        application,
        actor=actor,
        to_status=Application.Status.SCREENING,
        reason="Information provided",
    )
    application.save()
    log(
        instance=application,
        action="applications.answer_information_request",
        user=actor,
    )
    transaction.on_commit(partial(_notify, application.pk, "information_received"))
    return application


@transaction.atomic
def withdraw_application(
    *, actor, application: Application, reason: str = ""
) -> Application:
    """Withdraw an application at any time before a decision."""
    require_perm(actor, APPLY_PERM, application.organization)
    application = _locked(application)
    if application.status not in WITHDRAWABLE:
        raise ValidationError(_("This application can no longer be withdrawn."))
    record_status(
        application, actor=actor, to_status=Application.Status.WITHDRAWN, reason=reason
    )
    application.save()
    log(instance=application, action="applications.withdraw_application", user=actor)
    return application


@transaction.atomic
def change_status(
    *, actor, application: Application, to_status: str, reason: str = ""
) -> Application:
    """Move an application through screening (staff only, legal moves only)."""
    require_perm(actor, "applications.screen_application", application)
    application = _locked(application)
    if to_status not in SCREENING_TRANSITIONS.get(application.status, set()):
        raise ValidationError(
            _("An application that is “%(from)s” cannot be moved to “%(to)s”.")
            % {
                "from": Application.Status(application.status).label,
                "to": Application.Status(to_status).label,
            }
        )
    record_status(application, actor=actor, to_status=to_status, reason=reason)
    application.save()
    log(
        instance=application,
        action="applications.change_status",
        user=actor,
        data={"to": to_status},
    )
    return application


@transaction.atomic
def request_information(
    *, actor, application: Application, sections: list[str], message: str
) -> InformationRequest:
    """Ask the applicant for more; only the named sections reopen."""
    require_perm(actor, "applications.screen_application", application)
    application = _locked(application)
    if application.status not in {
        Application.Status.SUBMITTED,
        Application.Status.SCREENING,
    }:
        raise ValidationError(_("Information can be requested only while screening."))
    if not sections:
        raise ValidationError({"sections": _("Choose at least one section to reopen.")})
    if not message.strip():
        raise ValidationError({"message": _("Say what you need, in plain words.")})
    info = InformationRequest(
        application=application, sections=sections, message=message, requested_by=actor
    )
    info.full_clean()
    info.save()
    application.reopened_sections = list(sections)
    record_status(
        application, actor=actor, to_status=Application.Status.MORE_INFO, reason=message
    )
    application.save()
    log(instance=application, action="applications.request_information", user=actor)
    transaction.on_commit(partial(_notify, application.pk, "information_requested"))
    return info


@transaction.atomic
def add_internal_note(*, actor, application: Application, text: str) -> InternalNote:
    """Keep a staff-only note on an application."""
    require_perm(actor, "applications.screen_application", application)
    note = InternalNote(application=application, author=actor, text=text)
    note.full_clean()
    note.save()
    log(instance=application, action="applications.add_internal_note", user=actor)
    return note


APPLICATION_FORM_FIELDS = ("funding_round", "eligibility", "fields")


@transaction.atomic
def create_application_form(*, actor, **values) -> ApplicationForm:
    """Give a round its questions."""
    require_perm(actor, "applications.add_applicationform")
    application_form = ApplicationForm(
        **{k: v for k, v in values.items() if k in APPLICATION_FORM_FIELDS}
    )
    application_form.full_clean()
    application_form.save()
    log(
        instance=application_form,
        action="applications.create_application_form",
        user=actor,
    )
    return application_form


@transaction.atomic
def update_application_form(
    *, actor, application_form: ApplicationForm, **values
) -> ApplicationForm:
    """Change a round's questions; submitted applications keep the version they answered."""
    require_perm(actor, "applications.change_applicationform", application_form)
    for name, value in values.items():
        if name in APPLICATION_FORM_FIELDS:
            setattr(application_form, name, value)
    application_form.version += 1
    application_form.updated_at = timezone.now()
    application_form.full_clean()
    application_form.save()
    log(
        instance=application_form,
        action="applications.update_application_form",
        user=actor,
    )
    return application_form
