"""The decision side: application forms, applications, their files and history."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.fields import StreamField
from wagtail.models import Orderable

from applications.blocks import ApplicationFieldsBlock, EligibilityQuestionBlock
from portal.models import EmailInvitation


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
        AWARDED = "awarded", _("Funded")
        DECLINED = "declined", _("Not funded this time")
        WAITLISTED = "waitlisted", _("On the waiting list")

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
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    award = models.ForeignKey(
        "grants.Award",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        editable=False,
    )
    # Set when the answers and files were removed, after the retention period or on
    # an erasure request; the reference, status and money records stay.
    personal_data_removed_at = models.DateTimeField(
        _("answers removed at"), null=True, blank=True, editable=False
    )
    content_note = models.CharField(
        _("content note for reviewers"),
        max_length=300,
        blank=True,
        help_text=_(
            "Shown to panelists before they open the application, e.g. "
            "'Describes sexual violence in section 2.'"
        ),
    )

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
            ("review_application", "Can review an assigned application"),
            ("decide_application", "Can record a funding decision"),
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


# Review panels ------------------------------------------------------------------------


class Panel(models.Model):
    """The survivor-led panel that reviews one round's eligible applications."""

    funding_round = models.OneToOneField(
        "grants.FundingRound",
        on_delete=models.PROTECT,
        related_name="panel",
        verbose_name=_("funding round"),
    )
    name = models.CharField(_("name"), max_length=200)
    blind_review = models.BooleanField(
        _("blind review"),
        default=True,
        help_text=_(
            "Panelists do not see the organization's names, contacts, or any answer "
            "or file marked as identifying."
        ),
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    reviews_due_on = models.DateField(_("reviews due on"), null=True, blank=True)
    flat_stipend_per_review = models.DecimalField(
        _("flat stipend per review"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Leave empty to pay panelists for the hours they log at their own rate."
        ),
    )
    onboarding_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("onboarding page"),
        help_text=_("Rubric walkthrough, what to expect, wellbeing, how to pause."),
    )
    onboarding_document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("onboarding document"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("review panel")
        verbose_name_plural = _("review panels")
        permissions = [("chair_panel", "Can chair a review panel")]

    def __str__(self):
        return self.name


class PanelUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Panel, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class PanelGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Panel, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


class PanelMembership(models.Model):
    """A person serving on a panel, with the hourly stipend rate staff set for them.

    Lived-experience status is deliberately not recorded anywhere.
    """

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        PANELIST = "panelist", _("Panelist")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    stipend_rate = models.DecimalField(
        _("stipend rate per hour"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    joined_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(_("left the panel"), null=True, blank=True)

    class Meta:
        ordering = ["role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "user"], name="one_seat_per_panel")
        ]

    def __str__(self):
        return f"Panel seat {self.pk}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class PanelInvitation(EmailInvitation):
    """An emailed invitation to serve on a panel; accepting creates the account."""

    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=PanelMembership.Role.choices
    )
    stipend_rate = models.DecimalField(
        _("stipend rate per hour"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Panel invitation {self.pk}"


class ConflictDeclaration(models.Model):
    """A panelist's answer, before seeing details: do I have a conflict here?"""

    class Reason(models.TextChoices):
        WORKS_THERE = "works_there", _("I work or worked there")
        FAMILY = "family", _("A family member is involved")
        CLOSE = "close", _("A close relationship with someone involved")
        OTHER = "other", _("Another reason")

    panelist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflict_declarations"
    )
    has_conflict = models.BooleanField()
    reason = models.CharField(max_length=20, choices=Reason.choices, blank=True)
    details = models.TextField(max_length=1000, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["panelist", "application"], name="one_declaration_each"
            ),
            models.CheckConstraint(
                condition=models.Q(has_conflict=False) | ~models.Q(reason=""),
                name="conflict_needs_reason",
            ),
        ]

    def __str__(self):
        return f"Conflict declaration {self.pk}"


class Assignment(models.Model):
    """This panelist reviews this application, by this date."""

    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="assignments"
    )
    panelist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="assignments"
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "assigned_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["panelist", "application"], name="one_assignment_each"
            )
        ]

    def __str__(self):
        return f"Assignment {self.pk}"


class Rubric(ClusterableModel):
    """How a round's applications are scored: weighted criteria on one scale."""

    funding_round = models.OneToOneField(
        "grants.FundingRound",
        on_delete=models.PROTECT,
        related_name="rubric",
        verbose_name=_("funding round"),
    )
    scale_max = models.PositiveSmallIntegerField(
        _("highest score"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("Every criterion is scored from 1 to this number."),
    )
    instructions = models.TextField(_("instructions for panelists"), blank=True)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    panels = [
        FieldPanel("funding_round"),
        FieldPanel("scale_max"),
        FieldPanel("instructions"),
        InlinePanel("criteria", label=_("Criteria"), min_num=1),
    ]

    class Meta:
        verbose_name = _("rubric")

    def __str__(self):
        return f"Rubric for {self.funding_round}"

    @property
    def scale(self) -> range:
        return range(1, self.scale_max + 1)


class Criterion(Orderable):
    """One thing panelists score, with a plain description of every level."""

    rubric = ParentalKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(_("title"), max_length=200)
    guidance = models.TextField(
        _("guidance"), help_text=_("Plain language: what to look for.")
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    level_descriptions = models.TextField(
        _("what each score means"),
        help_text=_("One line per score, starting with 1 and ending with the highest."),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("guidance"),
        FieldPanel("weight"),
        FieldPanel("level_descriptions"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self):
        return self.title

    @property
    def levels(self) -> list[str]:
        return [
            line.strip()
            for line in self.level_descriptions.splitlines()
            if line.strip()
        ]


class Review(models.Model):
    """One panelist's scores and comments on one assigned application."""

    class Recommendation(models.TextChoices):
        FUND = "fund", pgettext_lazy("recommendation", "Fund")
        FUND_WITH_CHANGES = "fund_with_changes", _("Fund with changes")
        DO_NOT_FUND = "do_not_fund", _("Do not fund")

    assignment = models.OneToOneField(
        Assignment, on_delete=models.PROTECT, related_name="review"
    )
    recommendation = models.CharField(
        _("overall recommendation"),
        max_length=20,
        choices=Recommendation.choices,
        blank=True,
    )
    strengths = models.TextField(_("strengths"), max_length=5000, blank=True)
    concerns = models.TextField(_("concerns"), max_length=5000, blank=True)
    questions = models.TextField(
        _("questions for the panel"), max_length=5000, blank=True
    )
    abstained = models.BooleanField(_("abstain"), default=False)
    abstain_reason = models.TextField(
        _("reason for abstaining"), max_length=1000, blank=True
    )
    # Weighted mean of the scores, written when the review is submitted, so rankings
    # and spreads are plain aggregates in the database.
    weighted_score = models.DecimalField(
        max_digits=6, decimal_places=4, null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        permissions = [("reopen_review", "Can reopen a submitted review")]

    def __str__(self):
        return f"Review {self.pk}"


class Score(models.Model):
    """A reviewer's score for one criterion."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores"
    )
    value = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "criterion"], name="one_score_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=1), name="score_at_least_one"
            ),
        ]

    def __str__(self):
        return f"Score {self.pk}"


class PanelRecommendation(models.Model):
    """What the panel, led by its chair, recommends for one application."""

    class Method(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus")
        VOTE = "vote", _("Vote")
        RANKED = "ranked", _("Ranked choice")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="panel_recommendation"
    )
    method = models.CharField(
        _("how the panel decided"), max_length=10, choices=Method.choices
    )
    outcome = models.CharField(
        _("recommendation"), max_length=20, choices=Review.Recommendation.choices
    )
    votes_for = models.PositiveSmallIntegerField(_("votes for"), null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField(
        _("votes against"), null=True, blank=True
    )
    votes_abstaining = models.PositiveSmallIntegerField(
        _("abstentions"), null=True, blank=True
    )
    rationale = models.TextField(_("rationale"), max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Panel recommendation {self.pk}"


class Decision(models.Model):
    """Program staff's funding decision, taken after the panel's recommendation."""

    class Outcome(models.TextChoices):
        AWARD = "award", pgettext_lazy("decision", "Award")
        DECLINE = "decline", _("Decline")
        WAITLIST = "waitlist", _("Waitlist")

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    amount = models.DecimalField(
        _("award amount"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    feedback = models.TextField(
        _("panel feedback for the applicant"),
        max_length=5000,
        blank=True,
        help_text=_(
            "Sent to a declined applicant only when you approve it. Never name reviewers."
        ),
    )
    feedback_approved = models.BooleanField(_("send this feedback"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="award") | models.Q(amount__gt=0),
                name="award_decision_has_amount",
            )
        ]

    def __str__(self):
        return f"Decision {self.pk}"


class HoursEntry(models.Model):
    """Time a panelist spent on panel work, paid at their stipend rate."""

    membership = models.ForeignKey(
        PanelMembership, on_delete=models.PROTECT, related_name="hours"
    )
    worked_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.25")),
            MaxValueValidator(Decimal("24")),
        ],
    )
    activity = models.CharField(_("what you worked on"), max_length=200, blank=True)
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-worked_on", "-logged_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gt=0), name="hours_positive"
            )
        ]

    def __str__(self):
        return f"Hours {self.pk}"


def data_export_key(instance, filename):
    """A random storage key; the download name is set when it is served."""
    return f"data-exports/{uuid.uuid4().hex}.zip"


class DataExport(models.Model):
    """A copy of everything an organization gave us, made in the background for its
    owner to download (a subject access request)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready to download")
        FAILED = "failed", _("Could not be prepared")

    organization = models.ForeignKey(
        "grants.Organization", on_delete=models.CASCADE, related_name="data_exports"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(upload_to=data_export_key, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"Data export {self.pk}"
