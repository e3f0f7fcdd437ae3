"""Background work on the money side: load by id, then act."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from grants.models import Invitation


def _one_line(text: str) -> str:
    # An email subject must not carry line breaks (header injection); names are
    # applicant text.
    return " ".join(text.split())


@task()
def send_invitation_email(invitation_id: int) -> None:
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
