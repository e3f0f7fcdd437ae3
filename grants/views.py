"""Applicant-facing organization pages: parse, call a selector or service, render.

Missing rights answer 404, never 403, so a page never confirms that an organization
exists to someone outside it.
"""

import copy
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grants import payments, selectors, services
from grants.forms import (
    AcceptAwardForm,
    DeclineAwardForm,
    HiringReportForm,
    InviteMemberForm,
    OrganizationForm,
    TransferOwnershipForm,
)
from grants.models import Invitation, Membership
from portal.forms import add_service_errors
from portal.permissions import (
    can_accept_award,
    can_remove_member,
    can_report_on,
    can_request_data_export,
    can_transfer_ownership,
    email_is_confirmed,
    has_perm,
)

VIEW = "grants.view_organization"
CHANGE = "grants.change_organization"
MANAGE = "grants.manage_members"


def _form_values(form) -> dict:
    # Only the fields the form offers reach the service: a crafted POST cannot set
    # anything else.
    return {name: form.cleaned_data[name] for name in form.fields}


def _posted(request):
    return request.POST if request.method == "POST" else None


@login_required
@require_GET
def organization_list(request):
    """The organizations I belong to, and a way to start one."""
    return render(
        request,
        "grants/organization_list.html",
        {"organizations": selectors.organizations_of(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request):
    """Start an organization; the person who starts it becomes its owner."""
    form = OrganizationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.create_organization(
                actor=request.user, **_form_values(form)
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your organization has been created."))
            return redirect("grants:organization_detail", pk=organization.pk)
    return render(
        request,
        "grants/organization_form.html",
        {"form": form, "confirmed": email_is_confirmed(request.user)},
    )


@login_required
@require_GET
def organization_detail(request, pk: int):
    """The organization, its members and invitations, and what I may do here."""
    organization = selectors.organization_for(request.user, VIEW, pk)
    members = list(selectors.members_of(organization))
    can_manage = has_perm(request.user, MANAGE, organization)
    owner_count = sum(member.role == Membership.Role.OWNER for member in members)
    return render(
        request,
        "grants/organization_detail.html",
        {
            "organization": organization,
            "members": members,
            "owner_count": owner_count,
            "invitations": (
                selectors.pending_invitations(organization) if can_manage else []
            ),
            "can_change": has_perm(request.user, CHANGE, organization),
            "can_manage": can_manage,
            "can_download_data": can_request_data_export(request.user, organization),
            "can_transfer": len(members) > 1
            and can_transfer_ownership(request.user, organization),
            "awards": selectors.awards_of(request.user).filter(
                organization=organization
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organization_edit(request, pk: int):
    """Change the organization's details."""
    organization = selectors.organization_for(request.user, CHANGE, pk)
    form = OrganizationForm(_posted(request), instance=copy.copy(organization))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_organization(
                actor=request.user, organization=organization, **_form_values(form)
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your changes have been saved."))
            return redirect("grants:organization_detail", pk=organization.pk)
    return render(
        request,
        "grants/organization_form.html",
        {"form": form, "organization": organization, "confirmed": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_invite(request, pk: int):
    """Invite a colleague by email."""
    organization = selectors.organization_for(request.user, MANAGE, pk)
    form = InviteMemberForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(
                actor=request.user, organization=organization, **_form_values(form)
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("grants:organization_detail", pk=organization.pk)
    return render(
        request,
        "grants/member_invite.html",
        {"form": form, "organization": organization},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke(request, pk: int, invitation_pk: int):
    """Cancel an invitation that has not been used."""
    organization = selectors.organization_for(request.user, MANAGE, pk)
    invitation = get_object_or_404(organization.invitations, pk=invitation_pk)
    error = None
    if request.method == "POST":
        try:
            services.revoke_invitation(actor=request.user, invitation=invitation)
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as refused:
            error = refused
        else:
            messages.success(request, _("The invitation has been cancelled."))
            return redirect("grants:organization_detail", pk=organization.pk)
    return render(
        request,
        "grants/invitation_revoke.html",
        {"organization": organization, "invitation": invitation, "error": error},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, pk: int, membership_pk: int):
    """Remove a member (owners), or leave the organization (anyone, for themselves)."""
    organization = selectors.organization_for(request.user, VIEW, pk)
    membership = get_object_or_404(
        organization.memberships.select_related("user"), pk=membership_pk
    )
    if not can_remove_member(request.user, membership):
        raise Http404
    leaving = membership.user_id == request.user.pk
    error = None
    if request.method == "POST":
        try:
            services.remove_member(actor=request.user, membership=membership)
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as refused:
            error = refused
        else:
            if leaving:
                messages.success(request, _("You have left the organization."))
                return redirect("grants:organization_list")
            messages.success(request, _("The member has been removed."))
            return redirect("grants:organization_detail", pk=organization.pk)
    return render(
        request,
        "grants/member_remove.html",
        {
            "organization": organization,
            "membership": membership,
            "leaving": leaving,
            "error": error,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def ownership_transfer(request, pk: int):
    """Make another member the owner; I stay on as an editor."""
    organization = selectors.organization_for(request.user, MANAGE, pk)
    if not can_transfer_ownership(request.user, organization):
        raise Http404
    members = organization.memberships.exclude(user=request.user).select_related("user")
    form = TransferOwnershipForm(_posted(request), members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_ownership(
                actor=request.user,
                organization=organization,
                to_membership=form.cleaned_data["new_owner"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Ownership has been handed over. You are now an editor.")
            )
            return redirect("grants:organization_detail", pk=organization.pk)
    return render(
        request,
        "grants/ownership_transfer.html",
        {"form": form, "organization": organization, "has_members": members.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Confirm, then join the organization the invitation was sent for."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("organization"), token=token
    )
    error = None
    if request.method == "POST":
        try:
            membership = services.accept_invitation(actor=request.user, token=token)
        except PermissionDenied as denied:
            raise Http404 from denied
        except ValidationError as refused:
            error = refused
        else:
            messages.success(
                request, _("Welcome. You are now a member of the organization.")
            )
            return redirect("grants:organization_detail", pk=membership.organization_id)
    # Which page to show; the service alone decides whether joining is allowed.
    if not invitation.is_usable():
        state = "unusable"
    elif invitation.email.casefold() != request.user.email.casefold():
        state = "wrong_email"
    elif (
        selectors.organizations_of(request.user)
        .filter(pk=invitation.organization_id)
        .exists()
    ):
        state = "already_member"
    else:
        state = "ready"
    return render(
        request,
        "grants/invitation_accept.html",
        {"invitation": invitation, "state": state, "error": error},
    )


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@login_required
@require_http_methods(["GET", "POST"])
def award_detail(request, award_id: int):
    """The grantee's view of an award: offer, agreement, schedule, payments."""
    award = selectors.award_for_member(request.user, award_id)
    can_answer = can_accept_award(request.user, award)
    accept_form = AcceptAwardForm(
        request.POST if "accept" in request.POST else None, prefix="accept"
    )
    decline_form = DeclineAwardForm(
        request.POST if "decline" in request.POST else None, prefix="decline"
    )
    if request.method == "POST":
        if not can_answer:
            raise Http404
        try:
            if "accept" in request.POST and accept_form.is_valid():
                if request.POST.get("agreement") != _digest(
                    services.agreement_for(award)
                ):
                    # Staff changed the award after this page was opened: the person
                    # must sign what they have read, nothing else.
                    messages.info(
                        request,
                        _(
                            "The award changed since you opened this page. Please "
                            "read the agreement again before you accept."
                        ),
                    )
                    return redirect("grants:award_detail", award_id=award.pk)
                services.accept_award(
                    actor=request.user,
                    award=award,
                    signer_name=accept_form.cleaned_data["signer_name"],
                )
                messages.success(
                    request,
                    _("Thank you. The award is accepted and the agreement is signed."),
                )
                return redirect("grants:award_detail", award_id=award.pk)
            if "decline" in request.POST and decline_form.is_valid():
                services.decline_award(
                    actor=request.user,
                    award=award,
                    reason=decline_form.cleaned_data["reason"],
                )
                messages.success(
                    request, _("You declined the award. Thank you for telling us.")
                )
                return redirect("grants:award_detail", award_id=award.pk)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(
                accept_form if "accept" in request.POST else decline_form, error
            )
    reports = selectors.reports_of(award)
    return render(
        request,
        "grants/award_detail.html",
        {
            "award": award,
            "agreement": services.agreement_for(award)
            if award.status == award.Status.OFFERED
            else award.agreement_text,
            "schedule": selectors.schedule_of(award),
            "commitment": getattr(award, "hiring_commitment", None),
            "reports": reports,
            "verified_reports": sum(1 for r in reports if r.status == "verified"),
            "can_answer": can_answer and award.status == award.Status.OFFERED,
            "is_owner": can_answer,
            "agreement_digest": _digest(services.agreement_for(award)),
            "stripe_ready": payments.is_configured(),
            "payee": getattr(award.organization, "payee_account", None),
            "accept_form": accept_form,
            "decline_form": decline_form,
        },
    )


def _report_initial(report) -> dict:
    initial = {name: getattr(report, name) for name in HiringReportForm.HIRING_FIELDS}
    initial["barriers"] = report.barriers
    initial["support_needed"] = report.support_needed
    for row in report.service_counts.all():
        initial[f"served_{row.service_type}"] = row.people_served
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request, award_id: int, report_id: int):
    """One progress report: the form while it is open, then what was sent."""
    report = selectors.report_for_member(request.user, award_id, report_id)
    award = report.award
    commitment = getattr(award, "hiring_commitment", None)
    is_open = report.status in {report.Status.DUE, report.Status.RETURNED}
    can_write = is_open and can_report_on(request.user, award)
    form = HiringReportForm(
        _posted(request) if can_write else None,
        initial=_report_initial(report),
        has_commitment=commitment is not None,
    )
    if request.method == "POST":
        if not can_write:
            raise Http404
        if form.is_valid():
            try:
                services.submit_report(
                    actor=request.user, report=report, **form.service_arguments()
                )
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Your report is sent. The grants team will read "
                        "it and let you know by email."
                    ),
                )
                return redirect("grants:award_detail", award_id=award.pk)
    return render(
        request,
        "grants/report_detail.html",
        {
            "award": award,
            "report": report,
            "commitment": commitment,
            "form": form,
            "can_write": can_write,
            "is_open": is_open,
            "needs_confirmation": is_open
            and not can_write
            and not email_is_confirmed(request.user),
            "filled_before": services.filled_before(report),
            "history": selectors.report_history(report),
            "served": report.service_counts.all(),
        },
    )
