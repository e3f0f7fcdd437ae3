"""People who use the portal. Email is the username."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PortalUserManager(UserManager):
    """Create users identified by their email address."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account: applicant, panelist or staff."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    email_confirmed_at = models.DateTimeField(
        _("email confirmed at"),
        null=True,
        blank=True,
        help_text=_(
            "When the person confirmed this address by following the link we "
            "sent. Applying needs a confirmed address."
        ),
    )
    optional_emails = models.BooleanField(
        _("optional emails"),
        default=True,
        help_text=_(
            "Thank-you notes and other updates we could skip. Messages that need an "
            "answer, and receipts, are always sent."
        ),
    )

    # Part of the session check: changing it ends every session of the person (see
    # get_session_auth_hash), as changing the password does.
    session_stamp = models.CharField(max_length=32, blank=True, editable=False)

    objects = PortalUserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret=None):
        """Sessions hold this hash; one that no longer matches is signed out.

        Django's own hash covers the password; the stamp adds changes to the second
        factor and an administrator ending someone's sessions. (Django calls this
        for the current key and for each key in SECRET_KEY_FALLBACKS.)
        """
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "portal.User.get_session_auth_hash",
            f"{self.password}:{self.session_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def __str__(self):
        # Audit labels keep str() forever: a number, never a name or address.
        return f"User {self.pk}"


class EmailInvitation(models.Model):
    """An invitation sent by email; the random token in its link is the secret."""

    email = models.EmailField(_("email"))
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    def is_usable(self, moment=None) -> bool:
        """Not accepted, not cancelled and not expired."""
        moment = moment or timezone.now()
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and moment < self.expires_at
        )


class ErasureRecord(models.Model):
    """One erasure of a person's or an organization's personal data.

    Holds ids only, never what was erased. The same entries are appended to the
    erasure log file (PORTAL_ERASURE_LOG), so a restore of an older backup can
    apply them again.
    """

    class Subject(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANIZATION = "organization", _("Organization")

    subject = models.CharField(_("whose data"), max_length=12, choices=Subject.choices)
    subject_id = models.PositiveBigIntegerField(_("account or organization number"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        ordering = ["erased_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "subject_id"], name="one_erasure_per_subject"
            )
        ]

    def __str__(self):
        return f"Erasure of {self.subject} {self.subject_id}"


def spreadsheet_export_key(instance, filename):
    """A random storage key; the download name is set when it is served."""
    return f"spreadsheet-exports/{uuid.uuid4().hex}.{instance.export_format}"


class SpreadsheetExport(models.Model):
    """A staff listing exported as CSV or XLSX, made by the task worker from the
    listing's own view (with the filters it had), for the person who asked."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Could not be prepared")

    STUCK_AFTER = timedelta(minutes=30)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # The listing's address with its filters and ?export=, replayed by the worker.
    path = models.TextField()
    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=100)
    export_format = models.CharField(max_length=4)
    language = models.CharField(max_length=10, blank=True)
    # The requester's roles when they asked, one a line: losing one ends the download.
    roles = models.TextField(blank=True)
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(
        upload_to=spreadsheet_export_key, max_length=200, blank=True
    )
    size = models.PositiveBigIntegerField(default=0)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Spreadsheet export {self.pk}"

    def looks_stuck(self, now=None) -> bool:
        """Still "being prepared" long after any export takes: the worker stopped."""
        now = now or timezone.now()
        return (
            self.status == self.Status.PENDING
            and self.requested_at < now - self.STUCK_AFTER
        )
