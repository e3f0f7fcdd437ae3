"""Panels and the people on them: setup, invitations, pauses, hours and stipends."""

from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm
from wagtail.log_actions import log

from applications.models import (
    Application,
    HoursEntry,
    Panel,
    PanelInvitation,
    PanelMembership,
    Review,
    Rubric,
    Score,
)
from grants.models import Stipend
from grants.services import record_stipend, withdraw_stipend
from portal import roles
from portal.accounts.services import create_invited_account, normalize_email
from portal.models import User
from portal.permissions import require_perm
from portal.services import set_fields

PANEL_FIELDS = (
    "funding_round",
    "name",
    "blind_review",
    "reviewers_per_application",
    "reviews_due_on",
    "flat_stipend_per_review",
    "onboarding_page",
    "onboarding_document",
)
INVITATION_LIFETIME = timedelta(days=14)
REVIEW_PERM = "applications.review_application"
ROLE_GROUPS = {
    PanelMembership.Role.CHAIR: roles.PANEL_CHAIRS,
    PanelMembership.Role.PANELIST: roles.PANELISTS,
}


@transaction.atomic
def create_panel(*, actor, **values) -> Panel:
    """Set up the review panel of a round."""
    require_perm(actor, "applications.add_panel")
    panel = Panel()
    set_fields(panel, PANEL_FIELDS, values)
    panel.full_clean()
    panel.save()
    log(instance=panel, action="applications.create_panel", user=actor)
    return panel


@transaction.atomic
def update_panel(*, actor, panel: Panel, **values) -> Panel:
    """Change a panel's settings; its round stays the same once reviews exist."""
    require_perm(actor, "applications.change_panel", panel)
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    new_round = values.get("funding_round")
    if (
        new_round is not None
        and new_round.pk != panel.funding_round_id
        and panel.assignments.exists()
    ):
        raise ValidationError(
            {"funding_round": _("This panel already has assignments in its round.")}
        )
    changed = sorted(
        name for name, value in values.items() if getattr(panel, name) != value
    )
    set_fields(panel, PANEL_FIELDS, values)
    panel.full_clean()
    panel.save()
    log(
        instance=panel,
        action="applications.update_panel",
        user=actor,
        data={"changed": changed},
    )
    return panel


@transaction.atomic
def save_rubric(*, actor, rubric: Rubric) -> Rubric:
    """Save a rubric with its criteria; scores already given keep their meaning.

    ``rubric`` carries its criteria in memory (a modelcluster form's unsaved result).
    """
    perm = "applications.change_rubric" if rubric.pk else "applications.add_rubric"
    require_perm(actor, perm)
    if (
        rubric.pk
        and Review.objects.filter(
            assignment__panel__funding_round_id=rubric.funding_round_id,
            submitted_at__isnull=False,
        ).exists()
    ):
        raise ValidationError(
            _(
                "Panelists have already submitted reviews with this rubric, so it "
                "cannot change. Reopen those reviews first."
            )
        )
    rubric.full_clean()
    criteria = list(rubric.criteria.all())
    if not criteria:
        raise ValidationError(_("Add at least one criterion."))
    for criterion in criteria:
        if len(criterion.levels) != rubric.scale_max:
            raise ValidationError(
                _(
                    "“%(title)s” needs one description for each score from 1 to "
                    "%(top)s: %(top)s lines."
                )
                % {"title": criterion.title, "top": rubric.scale_max}
            )
    if rubric.pk:
        _check_scores_still_fit(rubric, criteria)
    rubric.updated_at = timezone.now()
    rubric.save()
    log(instance=rubric, action="applications.save_rubric", user=actor)
    return rubric


def _check_scores_still_fit(rubric: Rubric, criteria) -> None:
    """Draft scores keep their criterion and stay on the scale."""
    kept = {c.pk for c in criteria if c.pk}
    scores = Score.objects.filter(criterion__rubric_id=rubric.pk)
    if scores.exclude(criterion_id__in=kept).exists():
        raise ValidationError(
            _(
                "Panelists have started scoring a criterion you removed. Keep it, or "
                "ask them to clear those scores first."
            )
        )
    if scores.filter(value__gt=rubric.scale_max).exists():
        raise ValidationError(
            {
                "scale_max": _(
                    "Some draft scores are higher than this. Keep the highest score "
                    "at least as high as the scores already given."
                )
            }
        )


@transaction.atomic
def set_content_note(
    *, actor, application: Application, content_note: str
) -> Application:
    """Warn panelists about difficult content before they open an application."""
    require_perm(actor, "applications.change_panel")
    application = Application.objects.select_for_update().get(pk=application.pk)
    application.content_note = content_note.strip()
    application.full_clean(validate_unique=False, validate_constraints=False)
    application.save(update_fields=["content_note"])
    log(instance=application, action="applications.set_content_note", user=actor)
    return application


def _notify_invitation(invitation_id: int) -> None:
    from applications.tasks import send_panel_invitation_email

    send_panel_invitation_email.enqueue(invitation_id=invitation_id)


@transaction.atomic
def invite_panel_member(
    *, actor, panel: Panel, email: str, role: str, stipend_rate: Decimal, moment=None
) -> PanelInvitation:
    """Invite someone by email to serve on a panel as chair or panelist.

    A panelist already on the panel can be invited to chair it; accepting makes them
    the chair.
    """
    require_perm(actor, "applications.change_panel", panel)
    moment = moment or timezone.now()
    address = normalize_email(email)
    seats = panel.members.filter(user__email__iexact=address, removed_at__isnull=True)
    if role == PanelMembership.Role.CHAIR:
        seats = seats.filter(role=PanelMembership.Role.CHAIR)
    if seats.exists():
        raise ValidationError(
            {
                "email": ValidationError(
                    _("This person is already on the panel."), code="member"
                )
            }
        )
    pending = panel.invitations.filter(
        email__iexact=address,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=moment,
    )
    for old in pending.select_for_update():
        old.revoked_at = moment
        old.save(update_fields=["revoked_at"])
    invitation = PanelInvitation(
        panel=panel,
        email=address,
        role=role,
        stipend_rate=stipend_rate,
        invited_by=actor,
        created_at=moment,
        expires_at=moment + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    invitation.save()
    log(instance=panel, action="applications.invite_panel_member", user=actor)
    transaction.on_commit(partial(_notify_invitation, invitation.pk))
    return invitation


@transaction.atomic
def revoke_panel_invitation(*, actor, invitation: PanelInvitation) -> PanelInvitation:
    """Cancel an invitation nobody has used yet."""
    require_perm(actor, "applications.change_panel", invitation.panel)
    invitation = PanelInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        log(
            instance=invitation.panel,
            action="applications.revoke_panel_invitation",
            user=actor,
        )
    return invitation


@transaction.atomic
def accept_panel_invitation(
    *, actor, token, password: str = "", first_name: str = ""
) -> PanelMembership:
    """Join a panel from an invitation, creating the account when there is none.

    Raises:
        ValidationError: code "unusable" (expired, used or cancelled), "wrong_email"
            (signed in as someone else), "sign_in" (the address has an account:
            sign in first) or "email_taken".
    """
    invitation = (
        PanelInvitation.objects.select_for_update()
        .select_related("panel")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_usable():
        raise ValidationError(
            _(
                "This invitation can no longer be used. Ask the grants team for a new one."
            ),
            code="unusable",
        )
    role_group = ROLE_GROUPS[invitation.role]
    if actor is not None and actor.is_authenticated:
        if actor.email.casefold() != invitation.email.casefold():
            raise ValidationError(
                _("This invitation was sent to a different email address."),
                code="wrong_email",
            )
        user = actor
        user.groups.add(Group.objects.get(name=role_group))
    else:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(
                _("You already have an account. Please sign in to accept."),
                code="sign_in",
            )
        user = create_invited_account(
            email=invitation.email,
            password=password,
            first_name=first_name,
            role=role_group,
        )
    membership, created = PanelMembership.objects.get_or_create(
        panel=invitation.panel,
        user=user,
        defaults={"role": invitation.role, "stipend_rate": invitation.stipend_rate},
    )
    if not created:
        # Invited again: back on the panel, and a panelist invited to chair becomes
        # the chair (a chair invited as panelist stays chair).
        membership.removed_at = None
        if invitation.role == PanelMembership.Role.CHAIR:
            membership.role = PanelMembership.Role.CHAIR
        membership.save(update_fields=["removed_at", "role"])
    if membership.role == PanelMembership.Role.CHAIR:
        assign_perm("applications.chair_panel", user, invitation.panel)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    log(instance=invitation.panel, action="applications.join_panel", user=user)
    return membership


@transaction.atomic
def set_stipend_rate(
    *, actor, membership: PanelMembership, stipend_rate: Decimal
) -> PanelMembership:
    """Change what a panelist is paid per hour on this panel.

    The stipend sent to finance pays all the panelist's hours on the panel at the
    rate in force when it is sent.
    """
    require_perm(actor, "applications.change_panel", membership.panel)
    membership = PanelMembership.objects.select_for_update().get(pk=membership.pk)
    old_rate = membership.stipend_rate
    membership.stipend_rate = stipend_rate
    membership.full_clean()
    membership.save(update_fields=["stipend_rate"])
    log(
        instance=membership.panel,
        action="applications.set_stipend_rate",
        user=actor,
        data={
            "panelist_id": membership.user_id,
            "old_rate": str(old_rate),
            "new_rate": str(stipend_rate),
        },
    )
    return membership


@transaction.atomic
def remove_panel_member(*, actor, membership: PanelMembership) -> PanelMembership:
    """Take someone off a panel: their open assignments go back, their access to
    every application of the panel and their chair rights end on the next request.
    Reviews they submitted stay, so do the hours they logged."""
    require_perm(actor, "applications.change_panel", membership.panel)
    membership = PanelMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.removed_at is not None:
        return membership
    for assignment in membership.panel.assignments.filter(
        panelist_id=membership.user_id
    ).select_related("application"):
        remove_perm(REVIEW_PERM, membership.user, assignment.application)
        if not Review.objects.filter(
            assignment=assignment, submitted_at__isnull=False
        ).exists():
            Review.objects.filter(assignment=assignment).delete()
            assignment.delete()
    remove_perm("applications.chair_panel", membership.user, membership.panel)
    membership.removed_at = timezone.now()
    membership.save(update_fields=["removed_at"])
    log(
        instance=membership.panel,
        action="applications.remove_panel_member",
        user=actor,
        data={"panelist_id": membership.user_id},
    )
    return membership


def _own_seat(actor, membership: PanelMembership) -> PanelMembership:
    if membership.user_id != actor.pk:
        raise PermissionDenied("Only the panelist may change their own seat.")
    return PanelMembership.objects.select_for_update().get(pk=membership.pk)


@transaction.atomic
def pause_reviewing(*, actor, membership: PanelMembership) -> PanelMembership:
    """Take a break: no new assignments arrive until the panelist resumes."""
    membership = _own_seat(actor, membership)
    if membership.paused_at is None:
        membership.paused_at = timezone.now()
        membership.save(update_fields=["paused_at"])
        log(
            instance=membership.panel, action="applications.pause_reviewing", user=actor
        )
    return membership


@transaction.atomic
def resume_reviewing(*, actor, membership: PanelMembership) -> PanelMembership:
    """Come back from a pause."""
    membership = _own_seat(actor, membership)
    if membership.paused_at is not None:
        membership.paused_at = None
        membership.save(update_fields=["paused_at"])
        log(
            instance=membership.panel,
            action="applications.resume_reviewing",
            user=actor,
        )
    return membership


@transaction.atomic
def log_hours(
    *, actor, membership: PanelMembership, worked_on, hours: Decimal, activity: str = ""
) -> HoursEntry:
    """Record time a panelist spent on panel work (reading, scoring, meetings)."""
    membership = _own_seat(actor, membership)
    if worked_on > timezone.localdate():
        raise ValidationError(
            {"worked_on": _("Enter a date that has already happened.")}
        )
    opened = timezone.localdate(membership.panel.funding_round.opens_at)
    if worked_on < opened:
        raise ValidationError(
            {
                "worked_on": _("Enter a date from %(date)s on, when this round opened.")
                % {"date": date_format(opened, "SHORT_DATE_FORMAT")}
            }
        )
    entry = HoursEntry(
        membership=membership,
        worked_on=worked_on,
        hours=hours,
        activity=activity.strip(),
    )
    entry.full_clean()
    entry.save()
    log(instance=membership.panel, action="applications.log_hours", user=actor)
    return entry


@transaction.atomic
def send_stipends_to_finance(*, actor, panel: Panel) -> list:
    """Hand every panelist's stipend for the round to finance, as it stands today."""
    require_perm(actor, "applications.change_panel", panel)
    stipends = []
    settled = set(
        Stipend.objects.filter(funding_round_id=panel.funding_round_id)
        .exclude(status=Stipend.Status.PENDING)
        .values_list("panelist_id", flat=True)
    )
    members = panel.members.select_related("user").annotate(
        total_hours=Sum("hours__hours")
    )
    for membership in members:
        if membership.user_id in settled:
            # Finance has approved or paid it: it stays as it is.
            continue
        reviews = Review.objects.filter(
            assignment__panel=panel,
            assignment__panelist=membership.user,
            submitted_at__isnull=False,
        ).count()
        hours = membership.total_hours or Decimal("0")
        flat = panel.flat_stipend_per_review
        owed = flat * reviews if flat is not None else hours * membership.stipend_rate
        if owed <= 0:
            # Nothing is owed any more (rate set to 0, a review reopened): take back a
            # stipend finance has not acted on yet.
            withdraw_stipend(
                actor=actor, panelist=membership.user, funding_round=panel.funding_round
            )
            continue
        stipends.append(
            record_stipend(
                actor=actor,
                panelist=membership.user,
                funding_round=panel.funding_round,
                hours=hours,
                rate=membership.stipend_rate,
                reviews=reviews,
                flat_per_review=flat,
            )
        )
    log(instance=panel, action="applications.send_stipends_to_finance", user=actor)
    return stipends
