"""Panelist and chair screens: the queue, conflicts, scoring, hours, deliberation."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from applications import ranking, selectors, services
from applications.downloads import attachment_response
from applications.forms import (
    ConflictForm,
    HoursForm,
    PanelAccountForm,
    RecommendationForm,
    ReviewForm,
)
from applications.models import Application, PanelInvitation, Review
from grants.selectors import has_stipend
from portal.forms import add_service_errors


def _review_form_initial(review):
    if review is None:
        return {}
    initial = {
        name: getattr(review, name)
        for name in (
            "recommendation",
            "strengths",
            "concerns",
            "questions",
            "abstained",
            "abstain_reason",
        )
    }
    for score in review.scores.all():
        initial[f"criterion_{score.criterion_id}"] = score.value
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def review(request, public_id):
    """Declare conflicts first; then the application beside the rubric."""
    assignment = selectors.assignment_for_panelist(request.user, public_id)
    if not selectors.has_declared_no_conflict(request.user, assignment):
        return redirect("applications:review_conflict", public_id=public_id)
    rubric = selectors.rubric_for(assignment.panel.funding_round_id)
    existing = selectors.review_of(assignment)
    locked = existing is not None and existing.submitted_at is not None
    form = ReviewForm(
        request.POST if request.method == "POST" and not locked else None,
        rubric=rubric,
        initial=_review_form_initial(existing),
    )
    if request.method == "POST" and not locked and form.is_valid():
        submit = "submit" in request.POST
        try:
            services.save_review(
                actor=request.user,
                assignment=assignment,
                scores=form.scores(),
                recommendation=form.cleaned_data["recommendation"],
                strengths=form.cleaned_data["strengths"],
                concerns=form.cleaned_data["concerns"],
                questions=form.cleaned_data["questions"],
                abstained=form.cleaned_data["abstained"],
                abstain_reason=form.cleaned_data["abstain_reason"],
                submit=submit,
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            if getattr(error, "code", None) == "submitted":
                messages.info(request, error.messages[0])
                return redirect("applications:review", public_id=public_id)
            add_service_errors(form, error)
        else:
            if submit:
                messages.success(
                    request, _("Thank you. Your review is submitted and locked.")
                )
                return redirect("applications:portal_home")
            messages.success(request, _("Your draft is saved."))
            return redirect("applications:review", public_id=public_id)
    return render(
        request,
        "applications/review.html",
        {
            "assignment": assignment,
            "packet": selectors.review_packet(assignment),
            "rubric": rubric,
            "form": form,
            "open_criteria": form.open_criteria(),
            "review": existing,
            "locked": locked,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_conflict(request, public_id):
    """The organization's public name, and one question: any conflict?"""
    assignment = selectors.assignment_for_panelist(request.user, public_id)
    if selectors.has_declared_no_conflict(request.user, assignment):
        return redirect("applications:review", public_id=public_id)
    form = ConflictForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.declare_conflict(
                actor=request.user,
                assignment=assignment,
                has_conflict=form.cleaned_data["has_conflict"],
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if form.cleaned_data["has_conflict"]:
                messages.success(
                    request,
                    _(
                        "Thank you for telling us. This application has been taken "
                        "off your list, and staff will not assign it to you again."
                    ),
                )
                return redirect("applications:portal_home")
            return redirect("applications:review", public_id=public_id)
    return render(
        request,
        "applications/review_conflict.html",
        {
            "assignment": assignment,
            "facts": selectors.conflict_check_facts(assignment),
            "form": form,
        },
    )


@login_required
def review_file(request, public_id, attachment_id: int):
    """A file of an assigned application, under a neutral name; 404 otherwise."""
    assignment = selectors.assignment_for_panelist(request.user, public_id)
    if not selectors.has_declared_no_conflict(request.user, assignment):
        raise Http404
    attachment, name = selectors.review_file(assignment, attachment_id)
    return attachment_response(
        user=request.user,
        application=Application.objects.only("pk", "reference").get(
            pk=assignment.application_id
        ),
        attachment=attachment,
        filename=name,
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_detail(request, panel_id: int):
    """A panelist's page for one panel: onboarding, pause, hours logged."""
    seat = selectors.seat_for(request.user, panel_id)
    form = HoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.log_hours(actor=request.user, membership=seat, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your hours are saved."))
            return redirect("applications:panel_detail", panel_id=panel_id)
    entries = seat.hours.all()
    return render(
        request,
        "applications/panel_detail.html",
        {
            "seat": seat,
            "panel": seat.panel,
            "form": form,
            "entries": entries,
            "total_hours": sum(entry.hours for entry in entries),
            "has_stipend": has_stipend(request.user),
        },
    )


@login_required
@require_POST
def panel_pause(request, panel_id: int):
    """Pause or resume: a break needs no reason."""
    seat = selectors.seat_for(request.user, panel_id)
    if seat.is_paused:
        services.resume_reviewing(actor=request.user, membership=seat)
        messages.success(
            request, _("Welcome back. New assignments can reach you again.")
        )
    else:
        services.pause_reviewing(actor=request.user, membership=seat)
        messages.success(
            request,
            _(
                "You have paused. No new applications will be assigned to you. "
                "Staff can see that you paused, and you can come back at any time."
            ),
        )
    return redirect("applications:panel_detail", panel_id=panel_id)


@login_required
def panel_meeting(request, panel_id: int):
    """The chair's meeting view: ranked list, bands, disagreement, budget line."""
    panel = selectors.panel_for_chair(request.user, panel_id)
    rubric = selectors.rubric_for(panel.funding_round_id)
    page, rows = ranking.meeting_page(
        panel, rubric=rubric, page_number=request.GET.get("page")
    )
    conflicted = selectors.conflicted_application_ids(
        request.user, panel.funding_round_id
    )
    for row in rows:
        row.conflicted = row.pk in conflicted
    return render(
        request,
        "applications/panel_meeting.html",
        {
            "panel": panel,
            "rubric": rubric,
            "rows": rows,
            "page_obj": page,
            "budget": panel.funding_round.budget,
            "expected": panel.reviewers_per_application,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def panel_recommend(request, panel_id: int, public_id):
    """Record the panel's recommendation for one application."""
    panel = selectors.panel_for_chair(request.user, panel_id)
    application = selectors.application_for_deliberation(request.user, panel, public_id)
    current = selectors.recommendations_for(panel).get(application.pk)
    initial = {}
    if current is not None:
        initial = {
            name: getattr(current, name)
            for name in (
                "method",
                "outcome",
                "votes_for",
                "votes_against",
                "votes_abstaining",
                "rationale",
            )
        }
    form = RecommendationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_recommendation(
                actor=request.user, application=application, **form.cleaned_data
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The panel's recommendation for %(reference)s is recorded.")
                % {"reference": application.reference},
            )
            return redirect("applications:panel_meeting", panel_id=panel_id)
    return render(
        request,
        "applications/panel_recommend.html",
        {
            "panel": panel,
            "application": application,
            "form": form,
            "own_review_pending": selectors.own_review_pending(
                request.user, application
            ),
            "reviews": selectors.submitted_reviews_for(panel, application=application),
        },
    )


@login_required
@require_POST
def review_reopen(request, panel_id: int, review_id: int):
    """The chair reopens a submitted review so the panelist can change it."""
    panel = selectors.panel_for_chair(request.user, panel_id)
    review = get_object_or_404(
        Review.objects.filter(assignment__panel=panel).select_related(
            "assignment__application"
        ),
        pk=review_id,
    )
    application = review.assignment.application
    selectors.application_for_deliberation(request.user, panel, application.public_id)
    try:
        services.reopen_review(actor=request.user, review=review)
    except PermissionDenied as error:
        raise Http404 from error
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("The review is open again for its panelist."))
    return redirect(
        "applications:panel_recommend",
        panel_id=panel_id,
        public_id=application.public_id,
    )


@require_http_methods(["GET", "POST"])
def panel_invitation(request, token):
    """Accept a panel invitation; without an account, choose a password here."""
    invitation = get_object_or_404(
        PanelInvitation.objects.select_related("panel"), token=token
    )
    signed_in = request.user.is_authenticated
    form = (
        None
        if signed_in
        else PanelAccountForm(request.POST or None, email=invitation.email)
    )
    state = "ready"
    if not invitation.is_usable():
        state = "unusable"
    elif signed_in and request.user.email.casefold() != invitation.email.casefold():
        state = "wrong_email"
    elif not signed_in and selectors.account_exists(invitation.email):
        state = "sign_in"
    if (
        request.method == "POST"
        and state == "ready"
        and (form is None or form.is_valid())
    ):
        values = {}
        if form is not None:
            values = {
                "password": form.cleaned_data["password1"],
                "first_name": form.cleaned_data["first_name"],
            }
        try:
            membership = services.accept_panel_invitation(
                actor=request.user if signed_in else None, token=token, **values
            )
        except ValidationError as error:
            if form is None:
                messages.error(request, error.messages[0])
                return redirect("applications:portal_home")
            add_service_errors(form, error)
        else:
            if not signed_in:
                login(
                    request,
                    membership.user,
                    backend="django.contrib.auth.backends.ModelBackend",
                )
            messages.success(
                request,
                _(
                    "Welcome to the panel. Please set up your second sign-in step; "
                    "then your assignments will appear here."
                ),
            )
            return redirect("applications:panel_detail", panel_id=membership.panel_id)
    return render(
        request,
        "applications/panel_invitation.html",
        {
            "invitation": invitation,
            "form": form,
            "state": state,
            "signed_in": signed_in,
        },
    )
