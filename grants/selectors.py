"""Reads on the money side that pages and views share."""

from django.db.models import Case, OuterRef, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from grants.models import (
    Award,
    Disbursement,
    FundingRound,
    HiringReport,
    Invitation,
    Membership,
    Organization,
    Stipend,
)
from portal.permissions import visible_to


def open_rounds(*, moment=None):
    """Published rounds that accept applications now, closing soonest first."""
    moment = moment or timezone.now()
    return (
        FundingRound.objects.open_at(moment)
        .select_related("fund")
        .order_by("closes_at")
    )


def published_rounds():
    """Rounds the public may read about, newest first."""
    return FundingRound.objects.published().select_related("fund")


def organizations_of(user):
    """The organizations this person belongs to, with their role in each."""
    my_role = Membership.objects.filter(
        organization=OuterRef("pk"), user_id=user.pk
    ).values("role")[:1]
    return (
        visible_to(
            user,
            "grants.view_organization",
            Organization.objects.filter(memberships__user_id=user.pk),
        )
        .annotate(my_role=Subquery(my_role))
        .order_by("public_name")
    )


def organization_for(user, perm: str, organization_id) -> Organization:
    """One organization the person holds perm on, or 404 (never a hint it exists)."""
    try:
        return visible_to(user, perm, Organization.objects.all()).get(
            pk=organization_id
        )
    except (Organization.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def members_of(organization: Organization):
    """Members with their accounts, owners first, then by the date they joined."""
    owners_first = Case(When(role=Membership.Role.OWNER, then=Value(0)), default=1)
    return organization.memberships.select_related("user").order_by(
        owners_first, "joined_at", "pk"
    )


def pending_invitations(organization: Organization, *, moment=None):
    """Invitations still waiting for an answer, newest first."""
    moment = moment or timezone.now()
    return Invitation.objects.filter(
        organization=organization,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=moment,
    ).order_by("-created_at")


def awards_of(user):
    """Awards to the organizations this person belongs to."""
    organizations = visible_to(
        user, "grants.view_organization", Organization.objects.all()
    )
    return (
        Award.objects.filter(organization__in=organizations)
        .select_related("organization", "funding_round")
        .order_by("-awarded_at")
    )


def award_for_member(user, award_id) -> Award:
    """One award of the person's organizations, or 404."""
    try:
        return awards_of(user).get(pk=award_id)
    except (Award.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def schedule_of(award: Award) -> list:
    """The installments with the state of their latest payment, for the grantee."""
    latest = Disbursement.objects.filter(installment=OuterRef("pk")).order_by(
        "-requested_at"
    )
    return list(
        award.installments.annotate(
            payment_status=Subquery(latest.values("status")[:1]),
            paid_on=Subquery(latest.values("paid_on")[:1]),
        ).order_by("number")
    )


def has_stipend(user) -> bool:
    """True for a panelist who has been owed a stipend."""
    return Stipend.objects.filter(panelist_id=user.pk).exists()


def grantee_awards(user, limit: int = 20) -> list:
    """The person's awards with their hiring commitment and next open report."""
    next_report = (
        HiringReport.objects.open().filter(award=OuterRef("pk")).order_by("due_on")
    )
    return list(
        awards_of(user)
        .select_related("hiring_commitment")
        .annotate(
            next_report_id=Subquery(next_report.values("pk")[:1]),
            next_report_due=Subquery(next_report.values("due_on")[:1]),
        )[:limit]
    )


def reports_of(award: Award) -> list:
    """An award's progress reports in order, for the grantee and staff."""
    return list(award.hiring_reports.order_by("number"))


def report_for_member(user, award_id, report_id):
    """One report of one of the person's awards, or 404 (never a hint it exists)."""
    award = award_for_member(user, award_id)
    try:
        return (
            HiringReport.objects.select_related(
                "award__organization", "award__funding_round"
            )
            .prefetch_related("service_counts")
            .get(pk=report_id, award=award)
        )
    except (HiringReport.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


def report_history(report) -> list:
    return list(report.events.select_related("actor").order_by("at", "pk"))
