"""Funds, rounds, organizations, members and invitations."""

import uuid
from datetime import timedelta
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm
from wagtail.log_actions import log

from grants import ledger, public_cache
from grants.models import Fund, FundingRound, Invitation, Membership, Organization
from grants.tasks import send_invitation_email
from portal.permissions import (
    can_create_organization,
    can_remove_member,
    can_transfer_ownership,
    email_is_confirmed,
    require_perm,
)
from portal.services import set_fields

FUND_FIELDS = ("name", "slug", "framework_goal", "description")
ROUND_FIELDS = (
    "fund",
    "title",
    "reference_prefix",
    "budget",
    "min_award",
    "max_award",
    "opens_at",
    "closes_at",
    "status",
)


@transaction.atomic
def create_fund(*, actor, **values) -> Fund:
    """Create a fund of the Framework for Action."""
    require_perm(actor, "grants.add_fund")
    fund = Fund()
    set_fields(fund, FUND_FIELDS, values)
    fund.full_clean()
    fund.save()
    log(instance=fund, action="grants.create_fund", user=actor)
    return fund


@transaction.atomic
def update_fund(*, actor, fund: Fund, **values) -> Fund:
    """Change a fund's name, goal or description."""
    require_perm(actor, "grants.change_fund", fund)
    set_fields(fund, FUND_FIELDS, values)
    fund.full_clean()
    fund.save()
    log(instance=fund, action="grants.update_fund", user=actor)
    public_cache.clear()  # fund names are published as grant programmes
    return fund


@transaction.atomic
def create_funding_round(*, actor, **values) -> FundingRound:
    """Create a funding round; it stays a draft until published."""
    require_perm(actor, "grants.add_fundinground")
    funding_round = FundingRound()
    set_fields(funding_round, ROUND_FIELDS, values)
    funding_round.full_clean()
    funding_round.save()
    log(instance=funding_round, action="grants.create_funding_round", user=actor)
    return funding_round


@transaction.atomic
def update_funding_round(
    *, actor, funding_round: FundingRound, **values
) -> FundingRound:
    """Change a round's dates, amounts or status."""
    require_perm(actor, "grants.change_fundinground", funding_round)
    funding_round = FundingRound.objects.select_for_update().get(pk=funding_round.pk)
    set_fields(funding_round, ROUND_FIELDS, values)
    funding_round.full_clean()
    committed = ledger.committed_in_round(funding_round)
    if funding_round.budget < committed:
        raise ValidationError(
            {
                "budget": _(
                    "Awards in this round already commit %(committed)s, so the "
                    "budget cannot be lower than that."
                )
                % {"committed": f"${committed:,.2f}"}
            }
        )
    funding_round.save()
    log(instance=funding_round, action="grants.update_funding_round", user=actor)
    return funding_round


# Organizations and their members ---------------------------------------------------

ORGANIZATION_FIELDS = (
    "legal_name",
    "public_name",
    "ein",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "mission",
    "survivor_led",
    "contact_name",
    "contact_email",
    "contact_phone",
)
OWNER_PERMISSIONS = (
    "grants.view_organization",
    "grants.change_organization",
    "grants.manage_members",
    "grants.apply_for_organization",
)
EDITOR_PERMISSIONS = ("grants.view_organization", "grants.apply_for_organization")
ROLE_PERMISSIONS = {
    Membership.Role.OWNER: OWNER_PERMISSIONS,
    Membership.Role.EDITOR: EDITOR_PERMISSIONS,
}
INVITATION_LIFETIME = timedelta(days=7)


def _format_ein(value: str) -> str:
    digits = value.replace("-", "").strip()
    if len(digits) == 9 and digits.isdigit():
        return f"{digits[:2]}-{digits[2:]}"
    return value


def grant_role_permissions(membership: Membership) -> None:
    """Give a member exactly the object permissions of their role, and no others.

    Only this module's services (and the test factories) call it, inside the
    transaction that changes the membership.
    """
    granted = ROLE_PERMISSIONS[membership.role]
    for perm in OWNER_PERMISSIONS:
        if perm in granted:
            assign_perm(perm, membership.user, membership.organization)
        else:
            remove_perm(perm, membership.user, membership.organization)


def _revoke_role_permissions(user, organization: Organization) -> None:
    for perm in OWNER_PERMISSIONS:
        remove_perm(perm, user, organization)


def _locked_organization(organization_id: int) -> Organization:
    # Serialises membership changes on PostgreSQL so two owners cannot remove each
    # other at once and leave the organization without an owner.
    return Organization.objects.select_for_update().get(pk=organization_id)


@transaction.atomic
def create_organization(*, actor, **values) -> Organization:
    """Create an organization; the person who creates it becomes its first owner."""
    if not can_create_organization(actor):
        raise PermissionDenied("grants.add_organization")
    if not email_is_confirmed(actor):
        raise ValidationError(
            _(
                "Confirm your email address before you create an organization. "
                "We sent you a link when you signed up."
            ),
            code="email_unconfirmed",
        )
    organization = Organization()
    set_fields(organization, ORGANIZATION_FIELDS, values)
    organization.ein = _format_ein(organization.ein or "")
    organization.full_clean()
    organization.save()
    membership = Membership(
        organization=organization, user=actor, role=Membership.Role.OWNER
    )
    membership.full_clean()
    membership.save()
    grant_role_permissions(membership)
    log(instance=organization, action="grants.create_organization", user=actor)
    return organization


@transaction.atomic
def update_organization(*, actor, organization: Organization, **values) -> Organization:
    """Change an organization's names, address, mission or contact."""
    require_perm(actor, "grants.change_organization", organization)
    organization = _locked_organization(organization.pk)
    set_fields(organization, ORGANIZATION_FIELDS, values)
    organization.ein = _format_ein(organization.ein or "")
    organization.full_clean()
    organization.save()
    log(instance=organization, action="grants.update_organization", user=actor)
    public_cache.clear()  # the public name is published for funded organizations
    return organization


@transaction.atomic
def invite_member(
    *, actor, organization: Organization, email: str, role: str
) -> Invitation:
    """Invite a colleague by email for seven days; the email carries only a link."""
    require_perm(actor, "grants.manage_members", organization)
    organization = _locked_organization(organization.pk)
    invitation = Invitation(
        organization=organization,
        email=(email or "").strip().lower(),
        role=role,
        invited_by=actor,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    invitation.full_clean()
    if organization.memberships.filter(user__email__iexact=invitation.email).exists():
        raise ValidationError(
            {"email": _("This person is already a member of the organization.")},
            code="already_member",
        )
    pending = organization.invitations.filter(
        email__iexact=invitation.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if pending.exists():
        raise ValidationError(
            {
                "email": _(
                    "This address already has an invitation waiting. Cancel it first "
                    "if you want to send a new one."
                )
            },
            code="already_invited",
        )
    invitation.save()
    log(
        instance=organization,
        action="grants.invite_member",
        user=actor,
        data={"invitation": invitation.pk, "role": invitation.role},
    )
    transaction.on_commit(
        partial(send_invitation_email.enqueue, invitation_id=invitation.pk)
    )
    return invitation


@transaction.atomic
def revoke_invitation(*, actor, invitation: Invitation) -> Invitation:
    """Cancel an invitation nobody has used yet; its link stops working at once."""
    require_perm(actor, "grants.manage_members", invitation.organization)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ValidationError(
            _("This invitation has already been used or cancelled."),
            code="not_pending",
        )
    invitation.revoked_at = timezone.now()
    invitation.full_clean()
    invitation.save(update_fields=["revoked_at"])
    log(
        instance=invitation.organization,
        action="grants.revoke_invitation",
        user=actor,
        data={"invitation": invitation.pk},
    )
    return invitation


@transaction.atomic
def accept_invitation(*, actor, token) -> Membership:
    """Join the organization when the signed-in email matches the invitation."""
    if not (actor.is_authenticated and actor.is_active):
        raise PermissionDenied("grants.accept_invitation")
    unusable = ValidationError(
        _(
            "This invitation link no longer works. It may have expired, been "
            "cancelled or been used already. Ask the organization for a new one."
        ),
        code="unusable",
    )
    try:
        token = uuid.UUID(str(token))
    except ValueError as error:
        raise unusable from error
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("organization")
        .filter(token=token)
        .first()
    )
    if invitation is None or not invitation.is_usable():
        raise unusable
    if invitation.email.casefold() != (actor.email or "").casefold():
        raise ValidationError(
            _(
                "This invitation was sent to a different email address. Sign in "
                "with the address the invitation was sent to."
            ),
            code="wrong_email",
        )
    organization = _locked_organization(invitation.organization_id)
    if organization.memberships.filter(user=actor).exists():
        raise ValidationError(
            _("You are already a member of this organization."), code="already_member"
        )
    membership = Membership(organization=organization, user=actor, role=invitation.role)
    membership.full_clean()
    membership.save()
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    grant_role_permissions(membership)
    log(
        instance=organization,
        action="grants.accept_invitation",
        user=actor,
        data={"invitation": invitation.pk, "membership": membership.pk},
    )
    return membership


@transaction.atomic
def remove_member(*, actor, membership: Membership) -> None:
    """Owners remove members and anyone may leave; the last owner always stays."""
    if not can_remove_member(actor, membership):
        raise PermissionDenied("grants.manage_members")
    organization = _locked_organization(membership.organization_id)
    membership = organization.memberships.filter(pk=membership.pk).first()
    if membership is None:
        raise ValidationError(
            _("This person is no longer a member."), code="not_member"
        )
    is_last_owner = (
        membership.role == Membership.Role.OWNER
        and not organization.memberships.filter(role=Membership.Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )
    if is_last_owner:
        raise ValidationError(
            _(
                "An organization needs at least one owner. Make another member the "
                "owner first."
            ),
            code="last_owner",
        )
    _revoke_role_permissions(membership.user, organization)
    log(
        instance=organization,
        action="grants.remove_member",
        user=actor,
        data={
            "membership": membership.pk,
            "user": membership.user_id,
            "role": membership.role,
            "left": membership.user_id == actor.pk,
        },
    )
    membership.delete()


@transaction.atomic
def transfer_ownership(
    *, actor, organization: Organization, to_membership: Membership
) -> Membership:
    """Hand ownership to another member; the current owner stays on as an editor."""
    require_perm(actor, "grants.manage_members", organization)
    if not can_transfer_ownership(actor, organization):
        raise PermissionDenied("grants.manage_members")
    organization = _locked_organization(organization.pk)
    to_membership = organization.memberships.filter(pk=to_membership.pk).first()
    own_membership = organization.memberships.filter(user=actor).first()
    if own_membership is None or own_membership.role != Membership.Role.OWNER:
        raise PermissionDenied("grants.manage_members")
    if to_membership is None or to_membership.pk == own_membership.pk:
        raise ValidationError(
            {"new_owner": _("Choose another member of this organization.")},
            code="invalid_member",
        )
    to_membership.role = Membership.Role.OWNER
    own_membership.role = Membership.Role.EDITOR
    for changed in (to_membership, own_membership):
        changed.full_clean()
        changed.save(update_fields=["role"])
        grant_role_permissions(changed)
    log(
        instance=organization,
        action="grants.transfer_ownership",
        user=actor,
        data={"from_membership": own_membership.pk, "to_membership": to_membership.pk},
    )
    return to_membership
