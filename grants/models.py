"""The money side: funds and funding rounds (awards and payments follow them)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
