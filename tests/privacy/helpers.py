"""Set-up shared by the retention and erasure tests."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from applications.models import Application, Attachment, StatusChange


def make_attachment(application, *, body=b"%PDF-1.4 budget", name="budget.pdf"):
    attachment = Attachment(
        application=application,
        field_id="budget-doc",
        original_name=name,
        size=len(body),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    attachment.file.save(name, ContentFile(body), save=False)
    attachment.save()
    return attachment


def age(application, *, days: int) -> None:
    """Make an application's last change, and its status history, ``days`` old."""
    moment = timezone.now() - timedelta(days=days)
    Application.objects.filter(pk=application.pk).update(updated_at=moment)
    StatusChange.objects.filter(application=application).update(created_at=moment)


def stored(attachment) -> bool:
    return attachment.file.storage.exists(attachment.file.name)
