"""Background work on the money side: load by id, then act."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from grants.models import HiringReport, Invitation
from portal.jobs import MAIL_ERRORS, enqueue_retry, retried


def _one_line(text: str) -> str:
    # An email subject must not carry line breaks (header injection); names are
    # applicant text.
    return " ".join(text.split())


@task()
@retried(on=MAIL_ERRORS)
def send_invitation_email(*, invitation_id: int) -> None:
    """Email an invitation link; skip one cancelled or used before the worker ran."""
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or not invitation.is_usable():
        return
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("grants:invitation_accept", kwargs={"token": invitation.token})
        context = {
            "organization_name": _one_line(invitation.organization.public_name),
            "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        }
        subject = _("Invitation to join %(name)s") % {
            "name": context["organization_name"]
        }
        body = render_to_string("grants/email/invitation.txt", context)
    send_mail(subject, body, None, [invitation.email])


# Stripe Connect ----------------------------------------------------------------------

STRIPE_ATTEMPTS = 6
# Stripe forgets idempotency keys after 24 hours; past that, look before sending.
STRIPE_KEY_LIFETIME_HOURS = 24


@task()
def send_stripe_transfer(*, disbursement_id: int, attempt: int = 1) -> str:
    """Send an approved Stripe payment once, whatever retries and crashes happen.

    The idempotency key comes from our row, so every attempt asks Stripe for the
    same transfer; after 24 hours (when Stripe has forgotten the key) we first look
    the transfer up by its transfer_group and metadata.
    """
    import logging
    from datetime import timedelta

    from django.utils import timezone

    from grants import payments
    from grants.models import Disbursement
    from grants.services import stripe as stripe_services

    logger = logging.getLogger(__name__)
    disbursement = Disbursement.objects.filter(pk=disbursement_id).first()
    if (
        disbursement is None
        or disbursement.method != Disbursement.Method.STRIPE
        or disbursement.status != Disbursement.Status.APPROVED
    ):
        return "skipped"
    payee = stripe_services.payee_for(disbursement)
    if payee is None:
        stripe_services.record_transfer_failed_before_sending(
            disbursement_id=disbursement.pk,
            reason=_("The payee has not set up Stripe payments."),
        )
        return "failed"
    group = stripe_services.transfer_group_for(disbursement)
    approved_at = disbursement.approved_at or disbursement.requested_at
    try:
        transfer = None
        if timezone.now() - approved_at > timedelta(hours=STRIPE_KEY_LIFETIME_HOURS):
            transfer = payments.find_transfer(
                transfer_group=group, disbursement_id=disbursement.pk
            )
        if transfer is None:
            transfer = payments.create_transfer(
                amount=disbursement.amount,
                destination=payee.stripe_account_id,
                idempotency_key=f"disbursement-{disbursement.idempotency_key}",
                transfer_group=group,
                metadata=stripe_services.transfer_metadata(disbursement),
            )
    except payments.PaymentTemporarilyFailed:
        if attempt >= STRIPE_ATTEMPTS:
            stripe_services.flag_disbursement(
                disbursement_id=disbursement.pk,
                text=_(
                    "Stripe did not answer after %(n)s tries; the transfer may or may "
                    "not exist. Run reconcile_stripe before trying again."
                )
                % {"n": STRIPE_ATTEMPTS},
            )
            return "gave up"
        logger.warning("Stripe transfer for disbursement %s: retrying", disbursement.pk)
        enqueue_retry(send_stripe_transfer, attempt, disbursement_id=disbursement.pk)
        return "retrying"
    except (payments.PaymentRefused, payments.PaymentsNotConfigured) as error:
        stripe_services.record_transfer_failed_before_sending(
            disbursement_id=disbursement.pk, reason=str(error)
        )
        return "failed"
    stripe_services.record_transfer_sent(
        disbursement_id=disbursement.pk, transfer=transfer
    )
    return "sent"


@task()
def process_stripe_event_task(*, event_pk: int, attempt: int = 1) -> str:
    """Apply a stored Stripe webhook event; retry while Stripe cannot be reached."""
    from grants import payments
    from grants.services import stripe as stripe_services

    try:
        return stripe_services.process_stripe_event(event_pk=event_pk).outcome
    except payments.PaymentTemporarilyFailed:
        if attempt >= STRIPE_ATTEMPTS:
            raise
        enqueue_retry(process_stripe_event_task, attempt, event_pk=event_pk)
        return "retrying"


# Progress reports ----------------------------------------------------------------------

REPORT_SUBJECTS = {
    "reminder": "A progress report is due on {due}",
    "overdue": "Your progress report is past its due date: we are here to help",
    "returned": "Your progress report: the grants team has a few comments",
    "verified": "Thank you: your progress report is verified",
}


def _report_recipients(report) -> list[str]:
    members = report.award.organization.memberships.filter(user__is_active=True)
    return sorted(members.values_list("user__email", flat=True))


def _send_report_notice(report, kind: str) -> int:
    recipients = _report_recipients(report)
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(
            "grants:report_detail",
            kwargs={"award_id": report.award_id, "report_id": report.pk},
        )
        context = {
            "kind": kind,
            "due_on": report.due_on,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "link": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path,
        }
        subject = REPORT_SUBJECTS[kind].format(due=report.due_on.strftime("%B %-d, %Y"))
        body = render_to_string("grants/email/report_notice.txt", context)
    # Members are blind-copied: they need not see each other's addresses.
    message = EmailMultiAlternatives(subject=subject, body=body, to=[], bcc=recipients)
    return message.send()


@task()
@retried(on=MAIL_ERRORS)
def send_report_email(*, report_id: int, kind: str) -> int:
    """Tell the grantee a report was returned with comments or verified."""
    report = (
        HiringReport.objects.select_related("award__organization")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.status != kind:
        return 0  # changed again before the worker ran: the newer email tells it
    return _send_report_notice(report, kind)


@task()
def send_report_reminder(*, report_id: int, overdue: bool) -> int:
    """Remind the grantee before a report is due, or once when it is overdue.

    The reminder is claimed first, so two workers never send the same one; if the
    mail server refuses, the claim is undone and the next daily run tries again.
    """
    from grants.services.hiring import REPORTING, mark_reminded, unmark_reminded

    if not mark_reminded(report_id=report_id, overdue=overdue):
        return 0
    report = HiringReport.objects.select_related("award__organization").get(
        pk=report_id
    )
    # Things may have moved on since the daily run queued this: a report sent, a
    # new due date after it was returned, an award ended.
    today = timezone.localdate()
    still_open = HiringReport.objects.open().filter(
        pk=report_id, award__status__in=REPORTING
    )
    if overdue:
        still_open = still_open.filter(due_on__lt=today)
    if not still_open.exists():
        return 0
    try:
        return _send_report_notice(report, "overdue" if overdue else "reminder")
    except Exception:
        unmark_reminded(report_id=report_id, overdue=overdue)
        raise
