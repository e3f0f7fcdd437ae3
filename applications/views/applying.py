"""Applicant-facing views: thin wrappers around selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from applications import selectors, services
from applications.downloads import attachment_response
from applications.forms import (
    EligibilityForm,
    SectionForm,
    StartApplicationForm,
    WithdrawForm,
)
from applications.models import Application, ApplicationForm
from applications.schema import (
    find_section,
    live_raw_blocks,
    section_status,
    sections_from,
)
from grants.models import FundingRound
from grants.selectors import grantee_awards
from portal import ratelimit
from portal.forms import add_service_errors
from portal.permissions import email_is_confirmed

ELIGIBLE_SESSION_KEY = "eligible_rounds"


def _published_round(round_id):
    return get_object_or_404(
        FundingRound.objects.published().select_related("fund"), pk=round_id
    )


def _quiz(funding_round):
    form = ApplicationForm.objects.filter(funding_round=funding_round).first()
    return [block.value for block in form.eligibility] if form else []


def start(request, round_id: int):
    """Before you apply: what the round asks for, the quiz, then which organization."""
    funding_round = _published_round(round_id)
    context = {"round": funding_round, "is_open": funding_round.is_open()}
    if not request.user.is_authenticated or not context["is_open"]:
        return render(request, "applications/start.html", context)
    questions = _quiz(funding_round)
    passed = round_id in request.session.get(ELIGIBLE_SESSION_KEY, [])
    if questions and not passed:
        return redirect("applications:eligibility", round_id=round_id)
    organizations = selectors.organizations_applying_for(request.user)
    form = StartApplicationForm(
        request.POST if request.method == "POST" else None, organizations=organizations
    )
    context.update(
        form=form,
        organizations=organizations,
        confirmed=email_is_confirmed(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.start_application(
                actor=request.user,
                funding_round=funding_round,
                organization=form.cleaned_data["organization"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("applications:task_list", public_id=application.public_id)
    return render(request, "applications/choose_organization.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def eligibility(request, round_id: int):
    """A few yes/no questions, so nobody fills in a long form they cannot win."""
    funding_round = _published_round(round_id)
    questions = _quiz(funding_round)
    form = EligibilityForm(
        request.POST if request.method == "POST" else None, questions=questions
    )
    if request.method == "POST" and form.is_valid():
        reasons = form.ineligible_messages()
        if reasons:
            return render(
                request,
                "applications/ineligible.html",
                {"round": funding_round, "reasons": reasons},
            )
        passed = set(request.session.get(ELIGIBLE_SESSION_KEY, []))
        request.session[ELIGIBLE_SESSION_KEY] = sorted(passed | {round_id})
        return redirect("applications:start", round_id=round_id)
    return render(
        request, "applications/eligibility.html", {"round": funding_round, "form": form}
    )


def _sections(application):
    if (
        application.status != Application.Status.DRAFT
        and application.form_snapshot is not None
    ):
        return sections_from(application.form_snapshot)
    return sections_from(live_raw_blocks(application.funding_round.application_form))


def _answers(application):
    return {
        **application.answers,
        "title": application.title,
        "amount_requested": str(application.amount_requested)
        if application.amount_requested
        else None,
    }


def _editable_sections(application):
    if application.status == Application.Status.DRAFT:
        return None  # all of them
    if application.status == Application.Status.MORE_INFO:
        return set(application.reopened_sections)
    return set()


@login_required
def task_list(request, public_id):
    """The application as a list of sections, each with its status."""
    application = selectors.application_for_applicant(request.user, public_id)
    sections = _sections(application)
    attached = set(application.attachments.values_list("field_id", flat=True))
    answers = _answers(application)
    editable = _editable_sections(application)
    rows = [
        {
            "section": section,
            "status": section_status(section, answers, attached),
            "editable": editable is None or section.id in editable,
        }
        for section in sections
    ]
    return render(
        request,
        "applications/task_list.html",
        {
            "application": application,
            "rows": rows,
            "round": application.funding_round,
            "decision": selectors.decision_for_applicant(application),
            "can_withdraw": application.status in services.WITHDRAWABLE,
            "complete": all(
                row["status"] == "complete"
                for row in rows
                if row["section"].required_fields
            ),
            "open_request": application.information_requests.filter(
                answered_at__isnull=True
            ).first(),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def section(request, public_id, section_id):
    """One section's questions. Saves a draft; autosave posts here too."""
    application = selectors.application_for_applicant(request.user, public_id)
    sections = _sections(application)
    current = find_section(sections, section_id)
    editable = _editable_sections(application)
    if current is None:
        raise Http404
    if editable is not None and section_id not in editable:
        return redirect("applications:task_list", public_id=public_id)
    funding_round = application.funding_round
    limits = (funding_round.min_award, funding_round.max_award)
    answers = _answers(application)
    version = application.section_versions.get(section_id, 0)
    autosave = request.headers.get("X-Autosave") == "1"
    if request.method == "POST":
        if request.FILES and not ratelimit.allowed(request, "upload", by="user"):
            return ratelimit.too_many_requests(request, "upload")
        form = SectionForm(
            request.POST,
            request.FILES,
            section=current,
            answers=answers,
            round_limits=limits,
        )
        if form.is_valid():
            try:
                saved = services.save_section(
                    actor=request.user,
                    application=application,
                    section_id=section_id,
                    answers=form.answers(),
                    version=form.cleaned_data.get("version"),
                    files=form.files_by_field(),
                )
            except services.EditConflict as conflict:
                if autosave:
                    return JsonResponse({"saved": False, "conflict": True}, status=409)
                form = SectionForm(
                    request.POST,
                    request.FILES,
                    section=current,
                    answers=answers,
                    round_limits=limits,
                )
                form.is_valid()
                form.data = form.data.copy()
                form.data["version"] = conflict.params["version"]
                form.add_error(None, conflict)
            except ValidationError as error:
                if autosave:
                    return JsonResponse(
                        {"saved": False, "errors": error.messages}, status=400
                    )
                add_service_errors(form, error)
            except PermissionDenied as error:
                raise Http404 from error
            else:
                not_stored = saved.uploads_not_stored
                if autosave:
                    application.refresh_from_db()
                    saved_json = {
                        "saved": True,
                        "version": application.section_versions.get(section_id),
                    }
                    if not_stored:
                        saved_json["files_not_stored"] = not_stored
                    return JsonResponse(saved_json)
                if not_stored:
                    messages.error(
                        request,
                        _(
                            "Your answers are saved, but we could not store your file "
                            "just now. Nothing is wrong with it: please choose it again "
                            "and save in a few minutes."
                        ),
                    )
                    return redirect(
                        "applications:section",
                        public_id=public_id,
                        section_id=section_id,
                    )
                if "save_and_return" in request.POST:
                    return redirect("applications:task_list", public_id=public_id)
                return redirect(_next_url(application, sections, section_id))
        elif autosave:
            return JsonResponse({"saved": False, "errors": form.errors}, status=400)
    else:
        form = SectionForm(
            initial={"version": version},
            section=current,
            answers=answers,
            round_limits=limits,
        )
    attachments = {a.field_id: a for a in application.attachments.all()}
    items = [
        {
            "definition": field_def,
            "field": form[field_def.id] if field_def.id in form.fields else None,
            "budget_rows": [
                (form[item], form[amount])
                for item, amount in form.budget_rows.get(field_def.id, [])
            ],
            "budget_total": (answers.get(field_def.id) or {}).get("total")
            if field_def.type == "budget_table"
            else None,
            "attachment": attachments.get(field_def.id),
        }
        for field_def in current.fields
    ]
    return render(
        request,
        "applications/section.html",
        {
            "application": application,
            "section": current,
            "form": form,
            "items": items,
            "round": funding_round,
        },
    )


def _next_url(application, sections, section_id):
    ids = [s.id for s in sections]
    index = ids.index(section_id)
    if application.status == Application.Status.DRAFT and index + 1 < len(ids):
        return reverse(
            "applications:section",
            kwargs={"public_id": application.public_id, "section_id": ids[index + 1]},
        )
    return reverse("applications:check", kwargs={"public_id": application.public_id})


@login_required
@require_http_methods(["GET", "POST"])
def check_answers(request, public_id):
    """Every answer on one page, then submit."""
    application = selectors.application_for_applicant(request.user, public_id)
    errors = {}
    if request.method == "POST":
        try:
            services.submit_application(actor=request.user, application=application)
        except ValidationError as error:
            if getattr(error, "code", None) == "already_submitted":
                return redirect("applications:receipt", public_id=public_id)
            errors = (
                error.message_dict
                if hasattr(error, "error_dict")
                else {"__all__": error.messages}
            )
        except PermissionDenied as error:
            raise Http404 from error
        else:
            return redirect("applications:receipt", public_id=public_id)
    return render(
        request,
        "applications/check_answers.html",
        _answers_context(application, errors=errors),
    )


def _answers_context(application, errors=None):
    sections = _sections(application)
    answers = _answers(application)
    attachments = {a.field_id: a for a in application.attachments.all()}
    section_of = {f.id: s.id for s in sections for f in s.fields}
    return {
        "application": application,
        "sections": sections,
        "answers": answers,
        "attachments": attachments,
        "errors": errors or {},
        "error_links": [
            (field_id, section_of.get(field_id, "about"), message)
            for field_id, messages in (errors or {}).items()
            for message in (messages if isinstance(messages, list) else [messages])
        ],
        "round": application.funding_round,
        "editable": application.status in services.EDITABLE_STATUSES,
    }


@login_required
def receipt(request, public_id):
    application = selectors.application_for_applicant(request.user, public_id)
    if application.reference is None:
        return redirect("applications:task_list", public_id=public_id)
    return render(request, "applications/receipt.html", {"application": application})


@login_required
def printable(request, public_id):
    """A copy of the answers to print or save as PDF."""
    application = selectors.application_for_applicant(request.user, public_id)
    return render(request, "applications/print.html", _answers_context(application))


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, public_id):
    application = selectors.application_for_applicant(request.user, public_id)
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_application(
                actor=request.user,
                application=application,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            raise Http404 from error
        else:
            return redirect("applications:portal_home")
    return render(
        request,
        "applications/withdraw.html",
        {"application": application, "form": form},
    )


@login_required
def attachment_download(request, public_id, attachment_id: int):
    """Serve a file only to people who may see its application, as a download."""
    application = selectors.application_for_applicant(request.user, public_id)
    attachment = get_object_or_404(application.attachments, pk=attachment_id)
    return attachment_response(
        user=request.user, application=application, attachment=attachment
    )


@login_required
def portal_home(request):
    """The signed-in home: each person sees what their roles allow."""
    queue = list(selectors.review_queue(request.user))
    done = sum(1 for a in queue if _review_done(a))
    return render(
        request,
        "applications/portal_home.html",
        {
            "organizations": selectors.organizations_applying_for(request.user),
            "applications": selectors.applications_for_applicant(request.user)[:50],
            "confirmed": email_is_confirmed(request.user),
            "seats": list(selectors.seats_of(request.user)),
            "queue": queue,
            "queue_done": done,
            "chair_panels": list(selectors.panels_for_chair(request.user)[:20]),
            "awards": grantee_awards(request.user),
        },
    )


def _review_done(assignment) -> bool:
    review = getattr(assignment, "review", None)
    return review is not None and review.submitted_at is not None
