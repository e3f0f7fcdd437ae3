"""Conflicts, assignments and reviews: who reviews what, and what they scored."""

from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm
from wagtail.log_actions import log

from applications.assignment import Plan, balanced_assignment
from applications.models import (
    Application,
    Assignment,
    ConflictDeclaration,
    Decision,
    Panel,
    Review,
    Rubric,
    Score,
)
from grants.models import Membership
from portal.permissions import (
    can_deliberate_on,
    can_review,
    has_perm,
    require_perm,
)

REVIEW_PERM = "applications.review_application"
REVIEWABLE = Application.Status.ELIGIBLE


def _notify_assigned(counts: dict) -> None:
    from applications.tasks import send_review_assignment_email

    for panelist_id, count in counts.items():
        send_review_assignment_email.enqueue(panelist_id=panelist_id, count=count)


def _blocked_pairs(panel: Panel, application_ids) -> set[tuple[int, int]]:
    """Pairs never allowed: declared conflicts and members of the applying org."""
    blocked = set(
        ConflictDeclaration.objects.filter(
            application_id__in=application_ids, has_conflict=True
        ).values_list("application_id", "panelist_id")
    )
    seats = panel.members.values_list("user_id", flat=True)
    org_of = dict(
        Application.objects.filter(pk__in=application_ids).values_list(
            "pk", "organization_id"
        )
    )
    members = Membership.objects.filter(
        organization_id__in=set(org_of.values()), user_id__in=seats
    ).values_list("organization_id", "user_id")
    by_org = {}
    for org_id, user_id in members:
        by_org.setdefault(org_id, set()).add(user_id)
    for app_id, org_id in org_of.items():
        blocked.update((app_id, user_id) for user_id in by_org.get(org_id, ()))
    return blocked


def _check_allowed(panel, application, panelist) -> None:
    if application.funding_round_id != panel.funding_round_id:
        raise ValidationError(_("This application is not in the panel's round."))
    if application.status != REVIEWABLE:
        raise ValidationError(_("Only applications found eligible can be reviewed."))
    seat = panel.members.filter(user=panelist, removed_at__isnull=True).first()
    if seat is None:
        raise ValidationError(_("This person is not on the panel."))
    if seat.is_paused:
        raise ValidationError(_("This panelist has paused reviewing."))
    if (application.pk, panelist.pk) in _blocked_pairs(panel, [application.pk]):
        raise ValidationError(
            _("This panelist has a conflict of interest with this application."),
            code="conflict",
        )
    if Assignment.objects.filter(application=application, panelist=panelist).exists():
        raise ValidationError(_("This panelist is already assigned."), code="assigned")


def _create_assignment(*, actor, panel, application, panelist, due_on) -> Assignment:
    assignment = Assignment(
        panel=panel,
        application=application,
        panelist=panelist,
        due_on=due_on or panel.reviews_due_on,
        assigned_by=actor,
    )
    assignment.full_clean()
    assignment.save()
    assign_perm(REVIEW_PERM, panelist, application)
    log(
        instance=application,
        action="applications.assign_reviewer",
        user=actor,
        data={"panelist_id": panelist.pk, "assignment_id": assignment.pk},
    )
    return assignment


@transaction.atomic
def assign_reviewer(
    *, actor, panel: Panel, application: Application, panelist, due_on=None
) -> Assignment:
    """Give one panelist one application to review, and the right to open it."""
    require_perm(actor, "applications.change_panel", panel)
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    _check_allowed(panel, application, panelist)
    return _create_assignment(
        actor=actor,
        panel=panel,
        application=application,
        panelist=panelist,
        due_on=due_on,
    )


def _remove(assignment: Assignment) -> None:
    Review.objects.filter(assignment=assignment).delete()
    remove_perm(REVIEW_PERM, assignment.panelist, assignment.application)
    assignment.delete()


@transaction.atomic
def withdraw_reviewer(*, actor, assignment: Assignment) -> None:
    """Take an application back from a panelist; a submitted review stays put."""
    require_perm(actor, "applications.change_panel", assignment.panel)
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if Review.objects.filter(
        assignment=assignment, submitted_at__isnull=False
    ).exists():
        raise ValidationError(
            _("This review was submitted. Reopen it before taking it back."),
            code="submitted",
        )
    log(
        instance=assignment.application,
        action="applications.withdraw_reviewer",
        user=actor,
        data={"panelist_id": assignment.panelist_id, "assignment_id": assignment.pk},
    )
    _remove(assignment)


@transaction.atomic
def declare_conflict(
    *,
    actor,
    assignment: Assignment,
    has_conflict: bool,
    reason: str = "",
    details: str = "",
) -> ConflictDeclaration:
    """Record a panelist's conflict answer; a conflict ends the assignment for good."""
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("application", "panelist")
        .filter(pk=assignment.pk)
        .first()
    )
    if assignment is None or assignment.panelist_id != actor.pk:
        raise PermissionDenied("Only the assigned panelist declares conflicts.")
    require_perm(actor, REVIEW_PERM, assignment.application)
    if ConflictDeclaration.objects.filter(
        panelist=actor, application=assignment.application
    ).exists():
        raise ValidationError(
            _("You have already answered this question."), code="done"
        )
    declaration = ConflictDeclaration(
        panelist=actor,
        application=assignment.application,
        has_conflict=has_conflict,
        reason=reason if has_conflict else "",
        details=details.strip() if has_conflict else "",
    )
    if has_conflict and not reason:
        raise ValidationError({"reason": _("Choose the reason that fits best.")})
    declaration.full_clean()
    declaration.save()
    log(
        instance=assignment.application,
        action="applications.declare_conflict",
        user=actor,
        data={"has_conflict": has_conflict},
    )
    if has_conflict:
        _remove(assignment)
    return declaration


def plan_assignments(*, panel: Panel) -> Plan:
    """Preview a balanced assignment of the panel's eligible applications."""
    application_ids = list(
        Application.objects.filter(
            funding_round_id=panel.funding_round_id, status=REVIEWABLE
        ).values_list("pk", flat=True)
    )
    panelists = list(
        panel.members.filter(
            paused_at__isnull=True, removed_at__isnull=True
        ).values_list("user_id", flat=True)
    )
    # Loads count every assignment the panelist already holds on this panel, also on
    # applications that have since been decided or withdrawn.
    existing = set(panel.assignments.values_list("application_id", "panelist_id"))
    return balanced_assignment(
        applications=application_ids,
        panelists=panelists,
        per_application=panel.reviewers_per_application,
        existing=existing,
        blocked=_blocked_pairs(panel, application_ids),
    )


@transaction.atomic
def apply_assignment_plan(*, actor, panel: Panel, expected: str | None = None) -> Plan:
    """Create the planned assignments; existing ones, reviewed or not, never move.

    ``expected`` is the digest of the plan the person previewed: if anything changed
    since (a conflict declared, a panelist paused), nothing is created.
    """
    require_perm(actor, "applications.change_panel", panel)
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    plan = plan_assignments(panel=panel)
    if expected is not None and plan.digest != expected:
        raise ValidationError(
            _(
                "Something changed since you looked at the preview. Please check the "
                "new preview before creating the assignments."
            ),
            code="changed",
        )
    applications = Application.objects.in_bulk([a for a, _p in plan.new_pairs])
    people = {m.user_id: m.user for m in panel.members.select_related("user")}
    for app_id, person_id in plan.new_pairs:
        _create_assignment(
            actor=actor,
            panel=panel,
            application=applications[app_id],
            panelist=people[person_id],
            due_on=None,
        )
    log(instance=panel, action="applications.apply_assignment_plan", user=actor)
    counts = {}
    for _app_id, person_id in plan.new_pairs:
        counts[person_id] = counts.get(person_id, 0) + 1
    transaction.on_commit(partial(_notify_assigned, counts))
    return plan


def _weighted(scores: dict, criteria) -> Decimal:
    total_weight = sum(c.weight for c in criteria)
    total = sum(c.weight * scores[c.pk] for c in criteria)
    return (Decimal(total) / total_weight).quantize(Decimal("0.0001"))


@transaction.atomic
def save_review(
    *,
    actor,
    assignment: Assignment,
    scores: dict,
    recommendation: str = "",
    strengths: str = "",
    concerns: str = "",
    questions: str = "",
    abstained: bool = False,
    abstain_reason: str = "",
    submit: bool = False,
) -> Review:
    """Save a review draft, or submit it; a submitted review is locked.

    ``scores`` maps criterion ids to a level (or None for not yet scored).

    Raises:
        ValidationError: code "submitted" when the review was already submitted
            (a second click or a second tab), or field errors on submit.
    """
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("panel", "application")
        .filter(pk=assignment.pk)
        .first()
    )
    if assignment is None or assignment.panelist_id != actor.pk:
        raise PermissionDenied("Only the assigned panelist writes this review.")
    if not can_review(actor, assignment.application):
        raise PermissionDenied(REVIEW_PERM)
    if (
        assignment.application.status != REVIEWABLE
        or Decision.objects.filter(application_id=assignment.application_id).exists()
    ):
        raise ValidationError(
            _("This application is no longer in review, so reviews cannot change."),
            code="closed",
        )
    if not ConflictDeclaration.objects.filter(
        panelist=actor, application=assignment.application, has_conflict=False
    ).exists():
        raise PermissionDenied("Declare conflicts before reviewing.")
    rubric = Rubric.objects.filter(
        funding_round_id=assignment.panel.funding_round_id
    ).first()
    if rubric is None:
        raise ValidationError(_("The rubric for this round is not ready yet."))
    criteria = list(rubric.criteria.all())
    review, _created = Review.objects.get_or_create(assignment=assignment)
    if review.submitted_at is not None:
        raise ValidationError(
            _("You already submitted this review. The panel chair can reopen it."),
            code="submitted",
        )
    clean_scores = {}
    for criterion in criteria:
        value = scores.get(criterion.pk)
        if value in (None, ""):
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= rubric.scale_max:
            raise ValidationError(
                {f"criterion_{criterion.pk}": _("Choose one of the scores shown.")}
            )
        clean_scores[criterion.pk] = value
    review.recommendation = recommendation
    review.strengths = strengths.strip()
    review.concerns = concerns.strip()
    review.questions = questions.strip()
    review.abstained = abstained
    review.abstain_reason = abstain_reason.strip() if abstained else ""
    review.updated_at = timezone.now()
    if submit:
        errors = {}
        if abstained:
            if not review.abstain_reason:
                errors["abstain_reason"] = _("Tell the panel briefly why you abstain.")
        else:
            for criterion in criteria:
                if criterion.pk not in clean_scores:
                    errors[f"criterion_{criterion.pk}"] = _("Choose a score.")
            if not recommendation:
                errors["recommendation"] = _("Choose an overall recommendation.")
        if errors:
            raise ValidationError(errors)
        review.submitted_at = timezone.now()
        review.weighted_score = None if abstained else _weighted(clean_scores, criteria)
    review.full_clean()
    review.save()
    review.scores.exclude(criterion_id__in=clean_scores).delete()
    for criterion_id, value in clean_scores.items():
        Score.objects.update_or_create(
            review=review, criterion_id=criterion_id, defaults={"value": value}
        )
    if submit:
        log(
            instance=assignment.application,
            action="applications.submit_review",
            user=actor,
            data={"abstained": abstained},
        )
    return review


@transaction.atomic
def reopen_review(*, actor, review: Review, reason: str = "") -> Review:
    """Let a panelist change a submitted review (the chair or staff decide)."""
    review = (
        Review.objects.select_for_update()
        .select_related("assignment__panel", "assignment__application")
        .get(pk=review.pk)
    )
    panel = review.assignment.panel
    if not (
        has_perm(actor, "applications.chair_panel", panel)
        or has_perm(actor, "applications.reopen_review")
    ):
        raise PermissionDenied("applications.chair_panel")
    if not can_deliberate_on(actor, review.assignment.application):
        raise PermissionDenied("conflict of interest")
    if review.submitted_at is None:
        return review
    if Decision.objects.filter(
        application_id=review.assignment.application_id
    ).exists():
        raise ValidationError(
            _("A decision was already recorded for this application.")
        )
    review.submitted_at = None
    review.weighted_score = None
    review.save(update_fields=["submitted_at", "weighted_score"])
    log(
        instance=review.assignment.application,
        action="applications.reopen_review",
        user=actor,
        data={
            "review_id": review.pk,
            "panelist_id": review.assignment.panelist_id,
            "reason": reason[:500],
        },
    )
    return review
