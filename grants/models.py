"""The money side: funds, rounds and the organizations that apply to them."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from portal.models import EmailInvitation


class Fund(models.Model):
    """A programme of the Framework for Action that funding rounds belong to."""

    class FrameworkGoal(models.TextChoices):
        SURVIVOR_SERVICES = "2.7", _("2.7 Fund survivor services")
        VIOLENCE_PREVENTION = (
            "5.4",
            _("5.4 Community-driven violence prevention and healing"),
        )
        SURVIVOR_HIRING = "5.1", _("5.1 Hire survivors")
        HELP_RESOURCES = "1.1", _("1.1 Help people find resources")

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    framework_goal = models.CharField(
        _("framework goal"),
        max_length=8,
        choices=FrameworkGoal.choices,
        help_text=_("The goal of the Framework for Action this fund serves."),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")

    def __str__(self):
        return self.name


class FundingRoundQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FundingRound.Status.PUBLISHED)

    def open_at(self, moment):
        return self.published().filter(opens_at__lte=moment, closes_at__gt=moment)


class FundingRound(models.Model):
    """One call for applications to a fund, with its budget and deadline."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    class Phase(models.TextChoices):
        NOT_PUBLISHED = "not_published", _("Not published")
        UPCOMING = "upcoming", _("Opening soon")
        OPEN = "open", _("Open for applications")
        CLOSED = "closed", _("Closed")

    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("fund")
    )
    title = models.CharField(_("title"), max_length=200)
    reference_prefix = models.CharField(
        _("reference prefix"),
        max_length=8,
        unique=True,
        help_text=_("Starts every application reference in this round, e.g. R3."),
    )
    budget = models.DecimalField(
        _("budget"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    min_award = models.DecimalField(
        _("smallest award"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    max_award = models.DecimalField(
        _("largest award"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(
        _("closes at"),
        help_text=_("The deadline, in Minneapolis time. Enforced by the server."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )

    objects = FundingRoundQuerySet.as_manager()

    class Meta:
        ordering = ["-opens_at"]
        verbose_name = _("funding round")
        verbose_name_plural = _("funding rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__gt=0), name="round_budget_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(min_award__gt=0)
                & models.Q(max_award__gte=models.F("min_award")),
                name="round_award_range_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="round_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The deadline must be after the opening date.")
        if self.min_award and self.max_award and self.max_award < self.min_award:
            errors["max_award"] = _(
                "The largest award cannot be smaller than the smallest award."
            )
        if self.max_award and self.budget and self.max_award > self.budget:
            errors["max_award"] = _("The largest award cannot exceed the budget.")
        if errors:
            raise ValidationError(errors)

    def phase(self, moment=None) -> str:
        """Where the round stands at a moment: upcoming, open or closed."""
        moment = moment or timezone.now()
        if self.status != self.Status.PUBLISHED:
            return self.Phase.NOT_PUBLISHED
        if moment < self.opens_at:
            return self.Phase.UPCOMING
        if moment < self.closes_at:
            return self.Phase.OPEN
        return self.Phase.CLOSED

    def phase_label(self, moment=None) -> str:
        """The phase in words for people: "Open for applications", "Closed"."""
        return self.Phase(self.phase(moment)).label

    def is_open(self, moment=None) -> bool:
        return self.phase(moment) == self.Phase.OPEN


class Organization(models.Model):
    """A community organization (or unregistered group) that applies for funding."""

    legal_name = models.CharField(_("legal name"), max_length=200)
    public_name = models.CharField(
        _("public name"),
        max_length=200,
        help_text=_("The name the public knows you by. Shown if you are funded."),
    )
    ein = models.CharField(
        _("EIN"),
        max_length=10,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{2}-?\d{7}$",
                _("Enter the EIN as nine digits, for example 41-1234567."),
            )
        ],
        help_text=_("Optional. Groups without an EIN can apply too."),
    )
    address_line1 = models.CharField(_("address"), max_length=200)
    address_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, default="Minneapolis")
    state = models.CharField(_("state"), max_length=2, default="MN")
    postal_code = models.CharField(
        _("ZIP code"),
        max_length=10,
        validators=[
            RegexValidator(r"^\d{5}(-\d{4})?$", _("Enter a 5-digit ZIP code."))
        ],
    )
    mission = models.TextField(_("mission"), max_length=2000)
    survivor_led = models.BooleanField(
        _("survivor-led"),
        default=False,
        help_text=_(
            "Self-declared: people with lived experience of trafficking lead the "
            "organization."
        ),
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["public_name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        permissions = [
            ("manage_members", "Can invite and remove members of an organization"),
            ("apply_for_organization", "Can write applications for an organization"),
        ]

    def __str__(self):
        return self.public_name


class Membership(models.Model):
    """A person's place in an organization: owner (manages members) or editor."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="one_membership_per_person"
            )
        ]

    def __str__(self):
        return f"Membership {self.pk}"


class Invitation(EmailInvitation):
    """An emailed invitation to join an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(_("role"), max_length=10, choices=Membership.Role.choices)

    class Meta:
        verbose_name = _("invitation")

    def __str__(self):
        return f"Invitation {self.pk}"


class Stipend(models.Model):
    """What a panelist is owed for reviewing a round; finance pays it."""

    class Method(models.TextChoices):
        MANUAL_ACH = "manual_ach", _("Bank transfer (manual)")
        CHECK = "check", _("Check")
        GIFT_CARD = "gift_card", _("Gift card")
        STRIPE = "stripe", _("Stripe")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for finance")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")

    panelist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stipends"
    )
    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.PROTECT, related_name="stipends"
    )
    hours = models.DecimalField(
        _("hours"), max_digits=7, decimal_places=2, default=Decimal("0")
    )
    rate = models.DecimalField(
        _("rate per hour"), max_digits=12, decimal_places=2, default=Decimal("0")
    )
    reviews = models.PositiveIntegerField(_("reviews submitted"), default=0)
    flat_per_review = models.DecimalField(
        _("flat amount per review"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method = models.CharField(
        _("payment method"),
        max_length=12,
        choices=Method.choices,
        default=Method.MANUAL_ACH,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("panel stipend")
        verbose_name_plural = _("panel stipends")
        constraints = [
            models.UniqueConstraint(
                fields=["panelist", "funding_round"], name="one_stipend_per_round"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="stipend_amount_positive"
            ),
        ]

    def __str__(self):
        return f"Stipend {self.pk}"


class OrganizationUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        abstract = False


class OrganizationGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Organization, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        abstract = False


# Awards, schedules, disbursements and the ledger --------------------------------------


class Award(models.Model):
    """Money the city commits to an organization for a round, once staff decide."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined by the grantee")
        RESCINDED = "rescinded", _("Rescinded")

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="awards"
    )
    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.PROTECT, related_name="awards"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    public_title = models.CharField(
        _("public title"),
        max_length=200,
        help_text=_("Published as open data. Write it for the public."),
    )
    public_summary = models.TextField(
        _("public summary"),
        max_length=2000,
        help_text=_(
            "Published as open data. Never copy the application's answers here."
        ),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    conditions = models.TextField(_("conditions"), blank=True, max_length=5000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED
    )
    agreement_text = models.TextField(_("agreement"), blank=True, editable=False)
    signer_name = models.CharField(_("signed by"), max_length=200, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    awarded_at = models.DateTimeField(_("awarded at"), default=timezone.now)

    class Meta:
        ordering = ["-awarded_at"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="award_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="award_ends_after_start",
            ),
        ]
        permissions = [("amend_award", "Can amend or rescind an award")]

    def __str__(self):
        return self.identifier

    @property
    def identifier(self) -> str:
        """The open-data identifier (360Giving style)."""
        return f"{settings.PORTAL_OPEN_DATA_PREFIX}-{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.status in {
            self.Status.OFFERED,
            self.Status.ACCEPTED,
            self.Status.ACTIVE,
        }


class Installment(models.Model):
    """One payment of an award's schedule; the schedule sums to the award."""

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="installments"
    )
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField(_("due on"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    condition = models.CharField(
        _("condition"),
        max_length=300,
        blank=True,
        help_text=_("For example: first progress report verified."),
    )
    reports_required = models.PositiveSmallIntegerField(
        _("verified reports needed first"),
        default=0,
        help_text=_(
            "How many of the award's progress reports must be verified before this "
            "installment can be paid. 0 means no report is needed."
        ),
    )

    class Meta:
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "number"], name="one_installment_number"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="installment_amount_positive"
            ),
        ]

    def __str__(self):
        return f"Installment {self.award_id}-{self.number}"


class PayeeAccount(models.Model):
    """Where Stripe payments go: a connected account. Never bank details."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Onboarding not finished")
        ENABLED = "enabled", _("Ready for payments")
        RESTRICTED = "restricted", _("Stripe needs more information")

    organization = models.OneToOneField(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payee_account",
    )
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payee_account",
    )
    stripe_account_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PENDING
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organization__isnull=False, person__isnull=True)
                | models.Q(organization__isnull=True, person__isnull=False),
                name="payee_is_organization_or_person",
            )
        ]

    def __str__(self):
        return f"Payee {self.pk}"


class Disbursement(models.Model):
    """One payment out: an installment of an award, or a panelist's stipend."""

    class Method(models.TextChoices):
        MANUAL_ACH = "manual_ach", _("Bank transfer (ACH, recorded by reference)")
        CHECK = "check", _("Check")
        PREPAID_CARD = "prepaid_card", _("Prepaid card")
        STRIPE = "stripe", _("Stripe transfer")

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        SENT = "sent", _("Sent")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        REVERSED = "reversed", _("Reversed")
        CANCELLED = "cancelled", pgettext_lazy("payment", "Cancelled")

    installment = models.ForeignKey(
        Installment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
    )
    stipend = models.ForeignKey(
        Stipend,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
    )
    award = models.ForeignKey(
        Award,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disbursements",
    )
    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.PROTECT, related_name="disbursements"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED
    )
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("ACH trace, check number or card reference."),
    )
    external_id = models.CharField(max_length=100, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    flagged = models.CharField(
        _("needs a look"),
        max_length=500,
        blank=True,
        help_text=_("Set by Stripe checks."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(default=timezone.now)
    approved_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="disbursement_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("requested_by")),
                name="disbursement_dual_control",
            ),
            models.CheckConstraint(
                condition=models.Q(installment__isnull=False, stipend__isnull=True)
                | models.Q(installment__isnull=True, stipend__isnull=False),
                name="disbursement_pays_one_thing",
            ),
            # An installment (or stipend) is paid at most once: one live payment.
            models.UniqueConstraint(
                fields=["installment"],
                condition=~models.Q(status__in=["failed", "reversed", "cancelled"]),
                name="one_live_payment_per_installment",
            ),
            models.UniqueConstraint(
                fields=["stipend"],
                condition=~models.Q(status__in=["failed", "reversed", "cancelled"]),
                name="one_live_payment_per_stipend",
            ),
        ]
        permissions = [
            ("request_disbursement", "Can request a disbursement"),
            ("approve_disbursement", "Can approve a disbursement"),
            ("record_disbursement", "Can record a disbursement as sent or paid"),
        ]

    def __str__(self):
        return f"Disbursement {self.pk}"


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("The ledger is append-only: write a correcting entry instead.")

    def delete(self):
        raise TypeError("The ledger is append-only: write a correcting entry instead.")


class LedgerEntry(models.Model):
    """The money journal. Rows are only ever added; every balance is a sum.

    ``committed`` entries move what a round has promised (award +, amendment +/-,
    release -); ``paid`` entries move what has left the city for awards (payment +,
    reversal -); ``stipends`` the same for panelists' stipends, kept apart from the
    round's grant budget.
    """

    class Account(models.TextChoices):
        COMMITTED = "committed", _("Committed")
        PAID = "paid", _("Paid")
        STIPENDS = "stipends", _("Stipends paid")

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Award committed")
        ADJUSTMENT = "adjustment", _("Award amended")
        RELEASE = "release", _("Commitment released")
        DISBURSEMENT = "disbursement", _("Payment sent")
        REVERSAL = "reversal", _("Payment failed or reversed")

    account = models.CharField(max_length=10, choices=Account.choices)
    kind = models.CharField(max_length=14, choices=Kind.choices)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    funding_round = models.ForeignKey(
        FundingRound, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    award = models.ForeignKey(
        Award,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    disbursement = models.ForeignKey(
        Disbursement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    memo = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount=0), name="ledger_amount_not_zero"
            )
        ]

    def __str__(self):
        return f"Ledger entry {self.pk}"

    def save(self, *args, **kwargs):
        # Append-only is an invariant of the row itself, not a side effect.
        if self.pk is not None:
            raise TypeError(
                "The ledger is append-only: write a correcting entry instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The ledger is append-only: write a correcting entry instead.")


class StripeEvent(models.Model):
    """A Stripe webhook event, stored once by its id, processed by a task."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    account = models.CharField(max_length=100, blank=True)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"Stripe event {self.pk}"


# Survivor hiring: commitments and progress reports --------------------------------


class RoleLevel(models.TextChoices):
    """The levels of a survivor-hiring commitment (Framework goal 5.1)."""

    ENTRY = "entry", _("Entry level")
    PROFESSIONAL = "professional", _("Professional")
    LEADERSHIP = "leadership", _("Leadership")
    BOARD = "board", _("Board or advisory")


# Per role level: the commitment's field for positions, the report's for positions
# filled. Forms, services, sums and tables all read these two.
POSITION_FIELDS = {
    RoleLevel.ENTRY: "entry_positions",
    RoleLevel.PROFESSIONAL: "professional_positions",
    RoleLevel.LEADERSHIP: "leadership_positions",
    RoleLevel.BOARD: "board_positions",
}
FILLED_FIELDS = {
    RoleLevel.ENTRY: "entry_filled",
    RoleLevel.PROFESSIONAL: "professional_filled",
    RoleLevel.LEADERSHIP: "leadership_filled",
    RoleLevel.BOARD: "board_filled",
}


class HiringCommitment(models.Model):
    """What a grantee commits to: positions filled by people with lived experience.

    Positions are counts per role level. Nothing here, or anywhere in reporting,
    names or describes a person.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for the grants team")
        CONFIRMED = "confirmed", _("Confirmed")

    class Support(models.TextChoices):
        FLEXIBLE_SCHEDULES = "flexible_schedules", _("Flexible schedules")
        PEER_SUPPORT = "peer_support", _("Peer support")
        TRAINING = "training", _("Training and professional development")
        MENTORING = "mentoring", _("Mentoring")
        PAID_TIME_OFF = "paid_time_off", _("Paid time off for appointments")
        TRANSPORT_CHILDCARE = (
            "transport_childcare",
            _("Help with transport or childcare"),
        )

    award = models.OneToOneField(
        Award, on_delete=models.CASCADE, related_name="hiring_commitment"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    entry_positions = models.PositiveSmallIntegerField(
        _("entry-level positions"), default=0
    )
    professional_positions = models.PositiveSmallIntegerField(
        _("professional positions"), default=0
    )
    leadership_positions = models.PositiveSmallIntegerField(
        _("leadership positions"), default=0
    )
    board_positions = models.PositiveSmallIntegerField(
        _("board or advisory seats"), default=0
    )
    wage_floor = models.DecimalField(
        _("wage floor (USD an hour)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    target_date = models.DateField(_("fill positions by"))
    supports = models.JSONField(_("supports offered"), default=list, blank=True)
    other_supports = models.CharField(_("other supports"), max_length=300, blank=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hiring commitment")
        verbose_name_plural = _("hiring commitments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entry_positions__gt=0)
                | models.Q(professional_positions__gt=0)
                | models.Q(leadership_positions__gt=0)
                | models.Q(board_positions__gt=0),
                name="commitment_has_positions",
            ),
        ]

    def __str__(self):
        return f"Hiring commitment {self.award_id}"

    def positions(self) -> dict[str, int]:
        """Positions committed per role level."""
        return {level: getattr(self, name) for level, name in POSITION_FIELDS.items()}

    @property
    def total_positions(self) -> int:
        return sum(self.positions().values())

    def support_labels(self) -> list[str]:
        labels = dict(self.Support.choices)
        named = [str(labels[key]) for key in self.supports if key in labels]
        return named + ([self.other_supports] if self.other_supports else [])

    def clean(self):
        if self.total_positions <= 0:
            raise ValidationError(
                _("Commit to at least one position or seat at any level.")
            )
        unknown = set(self.supports) - set(self.Support.values)
        if unknown:
            raise ValidationError({"supports": _("Choose supports from the list.")})


class ServiceType(models.TextChoices):
    """The programme outcomes a grantee reports: people served, by service."""

    SHELTER_HOUSING = "shelter_housing", _("Emergency shelter or housing")
    CASE_MANAGEMENT = "case_management", _("Case management and advocacy")
    LEGAL = "legal", _("Legal help")
    HEALTH_HEALING = "health_healing", _("Health, healing and mental health")
    EMPLOYMENT = "employment", _("Employment and training")
    OUTREACH = "outreach", _("Outreach and prevention")
    YOUTH = "youth", _("Youth programmes")
    OTHER = "other", _("Other services")


# Fields of a report that hold counts, in the order forms and tables show them.
COUNT_FIELDS = [
    *FILLED_FIELDS.values(),
    "retained_6_months",
    "retained_12_months",
    "at_or_above_wage_floor",
]
NARRATIVE_FIELDS = ["barriers", "support_needed", "over_commitment_explanation"]


class HiringReportQuerySet(models.QuerySet):
    def open(self):
        return self.filter(
            status__in=[HiringReport.Status.DUE, HiringReport.Status.RETURNED]
        )

    def overdue(self, today):
        return self.open().filter(due_on__lt=today)


class HiringReport(models.Model):
    """One period's progress report on an award: counts and short narrative only.

    The hiring counts apply when the award carries a commitment; the people served
    (``ServiceCount`` rows) apply to every award.
    """

    class Status(models.TextChoices):
        DUE = "due", _("Not sent yet")
        SUBMITTED = "submitted", _("Sent, waiting for the grants team")
        RETURNED = "returned", _("Returned with comments")
        VERIFIED = "verified", _("Verified")

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="hiring_reports"
    )
    number = models.PositiveSmallIntegerField()
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DUE
    )
    entry_filled = models.PositiveSmallIntegerField(
        _("entry-level positions filled"), default=0
    )
    professional_filled = models.PositiveSmallIntegerField(
        _("professional positions filled"), default=0
    )
    leadership_filled = models.PositiveSmallIntegerField(
        _("leadership positions filled"), default=0
    )
    board_filled = models.PositiveSmallIntegerField(
        _("board or advisory seats filled"), default=0
    )
    retained_6_months = models.PositiveSmallIntegerField(
        _("people still in post after 6 months"), default=0
    )
    retained_12_months = models.PositiveSmallIntegerField(
        _("people still in post after 12 months"), default=0
    )
    at_or_above_wage_floor = models.PositiveSmallIntegerField(
        _("positions paid at or above the wage floor"), default=0
    )
    barriers = models.TextField(_("barriers met"), blank=True, max_length=2000)
    support_needed = models.TextField(_("support needed"), blank=True, max_length=2000)
    over_commitment_explanation = models.TextField(
        _("why more positions were filled than committed"),
        blank=True,
        max_length=1000,
    )
    staff_comment = models.TextField(_("comments from the grants team"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    overdue_notice_at = models.DateTimeField(null=True, blank=True)

    objects = HiringReportQuerySet.as_manager()

    class Meta:
        ordering = ["award", "number"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["award", "number"], name="one_report_number"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_period_ordered",
            ),
        ]
        permissions = [("verify_hiringreport", "Can verify or return a report")]

    def __str__(self):
        return f"Report {self.award_id}-{self.number}"

    def filled(self) -> dict[str, int]:
        return {level: getattr(self, name) for level, name in FILLED_FIELDS.items()}

    @property
    def total_filled(self) -> int:
        return sum(self.filled().values())

    def counts(self) -> dict:
        """The report's figures, as kept in its history."""
        data = {name: getattr(self, name) for name in COUNT_FIELDS}
        data["served"] = {
            row.service_type: row.people_served for row in self.service_counts.all()
        }
        return data


class ServiceCount(models.Model):
    """People served in a report's period for one kind of service (a count)."""

    report = models.ForeignKey(
        HiringReport, on_delete=models.CASCADE, related_name="service_counts"
    )
    service_type = models.CharField(max_length=20, choices=ServiceType.choices)
    people_served = models.PositiveIntegerField(_("people served"), default=0)

    class Meta:
        ordering = ["report", "service_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "service_type"], name="one_count_per_service"
            )
        ]

    def __str__(self):
        return f"{self.service_type}: {self.people_served}"


class HiringReportEvent(models.Model):
    """The history of a report: who sent, returned or verified what, and when."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Sent")
        RETURNED = "returned", _("Returned with comments")
        VERIFIED = "verified", _("Verified")

    report = models.ForeignKey(
        HiringReport, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.report} {self.action}"
