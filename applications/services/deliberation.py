"""Deliberation: the panel's recommendation, then program staff's decision."""

from decimal import Decimal
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from applications.hiring_proposal import proposal_from
from applications.models import (
    Application,
    Decision,
    Panel,
    PanelRecommendation,
    Review,
)
from applications.services.applying import record_status
from grants.services import create_award, propose_commitment
from portal.permissions import can_deliberate_on, require_perm

DECIDABLE = {Application.Status.ELIGIBLE, Application.Status.WAITLISTED}
OUTCOME_STATUS = {
    Decision.Outcome.AWARD: Application.Status.AWARDED,
    Decision.Outcome.DECLINE: Application.Status.DECLINED,
    Decision.Outcome.WAITLIST: Application.Status.WAITLISTED,
}


def _notify(application_id: int, kind: str) -> None:
    from applications.tasks import send_application_email

    send_application_email.enqueue(application_id=application_id, kind=kind)


@transaction.atomic
def record_recommendation(
    *,
    actor,
    application: Application,
    method: str,
    outcome: str,
    rationale: str,
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstaining: int | None = None,
) -> PanelRecommendation:
    """Record what the panel recommends for an application, and how it got there."""
    panel = Panel.objects.filter(funding_round_id=application.funding_round_id).first()
    if panel is None:
        raise ValidationError(_("This round has no review panel."))
    require_perm(actor, "applications.chair_panel", panel)
    if not can_deliberate_on(actor, application):
        raise PermissionDenied("conflict of interest")
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.ELIGIBLE:
        raise ValidationError(
            _("The panel can only recommend on applications in review.")
        )
    if not Review.objects.filter(
        assignment__application=application, submitted_at__isnull=False
    ).exists():
        raise ValidationError(
            _("No reviews have been submitted for this application yet.")
        )
    errors = {}
    if not rationale.strip():
        errors["rationale"] = _("Write a few words on why the panel recommends this.")
    if method == PanelRecommendation.Method.VOTE:
        for name, value in [
            ("votes_for", votes_for),
            ("votes_against", votes_against),
            ("votes_abstaining", votes_abstaining),
        ]:
            if value is None:
                errors[name] = _("Enter the number of votes (0 if none).")
    else:
        votes_for = votes_against = votes_abstaining = None
    if errors:
        raise ValidationError(errors)
    recommendation = PanelRecommendation.objects.filter(
        application=application
    ).first() or PanelRecommendation(application=application)
    recommendation.method = method
    recommendation.outcome = outcome
    recommendation.rationale = rationale.strip()
    recommendation.votes_for = votes_for
    recommendation.votes_against = votes_against
    recommendation.votes_abstaining = votes_abstaining
    recommendation.recorded_by = actor
    recommendation.recorded_at = timezone.now()
    recommendation.full_clean()
    recommendation.save()
    log(
        instance=application,
        action="applications.record_recommendation",
        user=actor,
        data={
            "method": method,
            "outcome": outcome,
            "votes_for": votes_for,
            "votes_against": votes_against,
            "votes_abstaining": votes_abstaining,
        },
    )
    return recommendation


def _check_award(application, amount) -> None:
    if amount is None or not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": _("Enter the amount to award.")})
    if application.amount_requested and amount > application.amount_requested:
        raise ValidationError(
            {"amount": _("An award cannot be more than the amount requested.")}
        )


@transaction.atomic
def record_decision(
    *,
    actor,
    application: Application,
    outcome: str,
    amount: Decimal | None = None,
    feedback: str = "",
    feedback_approved: bool = False,
    award_details: dict | None = None,
) -> Decision:
    """Decide: award (with amount), decline or waitlist, after the panel recommends.

    An award is offered through ``grants.services.create_award`` with the public
    title, summary, dates and conditions staff wrote for it (``award_details``),
    never copied from the application; that service locks the round so two awards
    decided at once cannot pass its budget.
    """
    require_perm(actor, "applications.decide_application", application)
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in DECIDABLE:
        raise ValidationError(_("This application is not waiting for a decision."))
    if not PanelRecommendation.objects.filter(application=application).exists():
        raise ValidationError(_("The panel has not recorded its recommendation yet."))
    if outcome == Decision.Outcome.AWARD:
        _check_award(application, amount)
        application.award = create_award(
            actor=actor,
            organization=application.organization,
            funding_round=application.funding_round,
            amount=amount,
            **{
                "public_title": "",
                "public_summary": "",
                "starts_on": None,
                "ends_on": None,
                "conditions": "",
                **(award_details or {}),
            },
        )
        proposal = proposal_from(application)
        if proposal is not None:
            # What the applicant proposed waits on the award for staff to confirm.
            propose_commitment(actor=actor, award=application.award, **proposal)
    else:
        amount = None
    decision = Decision.objects.filter(application=application).first() or Decision(
        application=application
    )
    decision.outcome = outcome
    decision.amount = amount
    decision.feedback = feedback.strip()
    decision.feedback_approved = bool(
        feedback_approved and decision.feedback and outcome == Decision.Outcome.DECLINE
    )
    decision.decided_by = actor
    decision.decided_at = timezone.now()
    decision.full_clean()
    decision.save()
    record_status(application, actor=actor, to_status=OUTCOME_STATUS[outcome])
    application.updated_at = timezone.now()
    application.save(update_fields=["status", "updated_at", "award"])
    log(
        instance=application,
        action="applications.record_decision",
        user=actor,
        data={"outcome": outcome, "amount": str(amount) if amount else None},
    )
    transaction.on_commit(partial(_notify, application.pk, f"decision_{outcome}"))
    return decision
