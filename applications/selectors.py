"""Reads on the decision side, narrowed to what the person may see."""

from django.http import Http404

from applications.models import Application
from grants.models import Organization
from portal.permissions import has_perm, visible_to

APPLY_PERM = "grants.apply_for_organization"


def organizations_applying_for(user):
    """Organizations this person may write applications for."""
    return visible_to(user, APPLY_PERM, Organization.objects.all()).order_by(
        "public_name"
    )


def applications_for_applicant(user):
    """Applications of every organization this person belongs to."""
    organizations = organizations_applying_for(user)
    return (
        Application.objects.filter(organization__in=organizations)
        .select_related("funding_round", "organization")
        .order_by("-updated_at")
    )


def application_for_applicant(user, public_id) -> Application:
    """One application the person may work on, or 404 (never a hint that it exists)."""
    try:
        return applications_for_applicant(user).get(public_id=public_id)
    except (Application.DoesNotExist, ValueError) as error:
        raise Http404 from error


def screening_queryset():
    """Applications staff screen: ones that were submitted. Drafts never show."""
    return Application.objects.submitted().select_related(
        "funding_round__fund", "organization"
    )


def application_for_staff(user, pk) -> Application:
    """One submitted application the person may view, or 404 (no existence oracle)."""
    application = screening_queryset().filter(pk=pk).first()
    if application is None or not has_perm(
        user, "applications.view_application", application
    ):
        raise Http404
    return application
