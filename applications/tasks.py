"""Background work for applications: load by id, then act."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from applications.models import Application, PanelInvitation
from portal.jobs import MAIL_ERRORS, retried
from portal.models import User

logger = logging.getLogger(__name__)

# Receipts and questions from staff are always sent; the rest respect the opt-out.
OPTIONAL_KINDS = {"information_received"}
SUBJECTS = {
    "submitted": "We received your application {reference}",
    "information_requested": "Your application {reference}: the grants team has a question",
    "information_received": "Thank you: we received the information for {reference}",
    "decision_award": "Good news about your application {reference}",
    "decision_decline": "A decision on your application {reference}",
    "decision_waitlist": "Your application {reference} is on the waiting list",
}


@task()
@retried(on=MAIL_ERRORS)
def send_application_email(*, application_id: int, kind: str) -> int:
    """Email the organization's members a link, never the application's content."""
    application = Application.objects.select_related("organization").get(
        pk=application_id
    )
    members = application.organization.memberships.filter(user__is_active=True)
    if kind in OPTIONAL_KINDS:
        members = members.filter(user__optional_emails=True)
    recipients = sorted(members.values_list("user__email", flat=True))
    if not recipients:
        return 0
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "applications:task_list", kwargs={"public_id": application.public_id}
    )
    context = {"reference": application.reference or "", "link": link, "kind": kind}
    with translation.override("en"):
        subject = SUBJECTS[kind].format(reference=application.reference or "")
        text = render_to_string("applications/email/notice.txt", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[], bcc=recipients)
    return message.send()


@task()
@retried(on=MAIL_ERRORS)
def send_panel_invitation_email(*, invitation_id: int) -> None:
    """Email a panel invitation; skip one cancelled or used before the worker ran."""
    invitation = (
        PanelInvitation.objects.select_related("panel").filter(pk=invitation_id).first()
    )
    if invitation is None or not invitation.is_usable():
        return
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "applications:panel_invitation", kwargs={"token": invitation.token}
    )
    context = {
        "panel_name": " ".join(invitation.panel.name.split()),
        "role": invitation.get_role_display(),
        "link": link,
        "expires_at": invitation.expires_at,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = "Invitation to join a review panel"
        text = render_to_string("applications/email/panel_invitation.txt", context)
    EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email]).send()


@task()
@retried(on=MAIL_ERRORS)
def send_review_assignment_email(*, panelist_id: int, count: int) -> None:
    """Tell a panelist new applications wait for them; never what they are about."""
    user = User.objects.filter(pk=panelist_id, is_active=True).first()
    if user is None:
        return
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "applications:portal_home"
    )
    context = {"name": user.first_name, "count": count, "link": link}
    with translation.override(settings.LANGUAGE_CODE):
        subject = "New applications to review"
        text = render_to_string("applications/email/review_assigned.txt", context)
    EmailMultiAlternatives(subject=subject, body=text, to=[user.email]).send()


@task()
def build_data_export(*, export_id: int) -> None:
    """Make a requested copy of an organization's data, then email its requester a
    link (never the data itself)."""
    from applications.models import DataExport
    from applications.services.data_export import build_data_export as build
    from applications.services.data_export import mark_data_export_failed

    export = (
        DataExport.objects.select_related("organization", "requested_by")
        .filter(pk=export_id, status=DataExport.Status.PENDING)
        .first()
    )
    if export is None:
        return
    try:
        export = build(export=export)
    except Exception:
        mark_data_export_failed(export_id=export_id)
        logger.exception("Could not prepare data export %s", export_id)
        raise
    requester = export.requested_by
    if requester is None or not requester.is_active:
        return
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "applications:your_data", kwargs={"pk": export.organization_id}
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = "Your copy of your organization's information is ready"
        text = render_to_string(
            "applications/email/data_export_ready.txt",
            {"link": link, "days": settings.PORTAL_RETAIN_DATA_EXPORT_DAYS},
        )
    EmailMultiAlternatives(subject=subject, body=text, to=[requester.email]).send()
