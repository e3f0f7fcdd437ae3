"""The decision side: application forms, applications, their files and history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from wagtail.fields import StreamField

from applications.blocks import ApplicationFieldsBlock, EligibilityQuestionBlock


class ApplicationForm(models.Model):
    """The questions of one funding round, built by program staff in Wagtail."""

    funding_round = models.OneToOneField(
        "grants.FundingRound",
        on_delete=models.PROTECT,
        related_name="application_form",
        verbose_name=_("funding round"),
    )
    eligibility = StreamField(
        [("question", EligibilityQuestionBlock())],
        blank=True,
        verbose_name=_("eligibility quiz"),
        help_text=_("Optional yes/no questions answered before applying."),
    )
    fields = StreamField(ApplicationFieldsBlock(), verbose_name=_("questions"))
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("application form")

    def __str__(self):
        return f"Form for {self.funding_round}"


class ApplicationQuerySet(models.QuerySet):
    def submitted(self):
        """Applications that reached the grants team (withdrawn drafts never did)."""
        return self.filter(submitted_at__isnull=False)


class Application(models.Model):
    """An organization's application to a round, from draft to decision."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        SCREENING = "screening", _("Being screened")
        MORE_INFO = "more_info", _("More information requested")
        ELIGIBLE = "eligible", _("Eligible for review")
        INELIGIBLE = "ineligible", _("Not eligible")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    funding_round = models.ForeignKey(
        "grants.FundingRound",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("funding round"),
    )
    organization = models.ForeignKey(
        "grants.Organization",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("organization"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(
        _("project title"), max_length=200, help_text=_("A short name for the work.")
    )
    amount_requested = models.DecimalField(
        _("amount requested"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    section_versions = models.JSONField(default=dict, blank=True, editable=False)
    section_editors = models.JSONField(default=dict, blank=True, editable=False)
    form_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    form_snapshot = models.JSONField(null=True, blank=True, editable=False)
    reopened_sections = models.JSONField(default=list, blank=True, editable=False)
    reference = models.CharField(
        _("reference"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["funding_round", "organization"],
                condition=~models.Q(status="withdrawn"),
                name="one_live_application_per_round",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_requested__isnull=True)
                | models.Q(amount_requested__gt=0),
                name="amount_requested_positive",
            ),
        ]
        permissions = [
            ("screen_application", "Can screen applications"),
            ("export_application", "Can export applications"),
        ]

    def __str__(self):
        # Audit labels keep str() forever: the reference, never applicant text.
        return self.reference or f"Draft {self.pk}"


class ApplicationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class ApplicationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Application, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


def attachment_key(instance, filename):
    """A random storage key: the original name is kept only as metadata."""
    return f"attachments/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file an applicant uploaded for a file question, kept in private storage."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    field_id = models.CharField(max_length=64)
    file = models.FileField(upload_to=attachment_key, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self):
        return f"Attachment {self.pk}"


class StatusChange(models.Model):
    """Who moved an application from one status to another, when and why."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=16, choices=Application.Status.choices)
    to_status = models.CharField(max_length=16, choices=Application.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Status change {self.pk}"


class InternalNote(models.Model):
    """A note staff keep about an application; applicants never see it."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="internal_notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note {self.pk}"


class InformationRequest(models.Model):
    """Staff ask for more information; only the named sections reopen."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="information_requests"
    )
    sections = models.JSONField(default=list)
    message = models.TextField(max_length=3000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"Information request {self.pk}"
