"""Background work for applications: load by id, then act."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from applications.models import Application

# Receipts and questions from staff are always sent; the rest respect the opt-out.
OPTIONAL_KINDS = {"information_received"}
SUBJECTS = {
    "submitted": "We received your application {reference}",
    "information_requested": "Your application {reference}: the grants team has a question",
    "information_received": "Thank you: we received the information for {reference}",
}


@task()
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
