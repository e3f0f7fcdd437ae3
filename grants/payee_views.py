"""Grantee onboarding for Stripe payments: owners only; everyone else gets 404.

We send the owner to Stripe's own onboarding page and keep only the connected
account's id and status. Without Stripe keys the pages say how the grants team pays
instead, and nothing else changes.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from grants import payments, selectors, services
from grants.models import PayeeAccount

MANAGE = "grants.manage_members"


def _page(request, organization, *, error="", returned=False, status=200):
    payee = PayeeAccount.objects.filter(organization=organization).first()
    return render(
        request,
        "grants/payee_status.html",
        {
            "organization": organization,
            "payee": payee,
            "configured": payments.is_configured(),
            "not_configured_message": str(payments.PaymentsNotConfigured()),
            "error": error,
            "returned": returned,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def payee_start(request, organization_id: int):
    """Show how the organization gets paid; POST sends the owner to Stripe."""
    organization = selectors.organization_for(request.user, MANAGE, organization_id)
    if request.method == "GET" or not payments.is_configured():
        return _page(request, organization)
    try:
        url = services.start_payee_onboarding(
            actor=request.user, organization=organization
        )
    except PermissionDenied as error:
        raise Http404 from error
    except payments.PaymentError:
        return _page(
            request,
            organization,
            error=_(
                "Stripe could not start your set-up just now. Nothing was changed; "
                "please try again in a few minutes."
            ),
            status=502,
        )
    return redirect(url)


def _back_from_stripe(request, organization_id: int, *, returned: bool):
    organization = selectors.organization_for(request.user, MANAGE, organization_id)
    payee = PayeeAccount.objects.filter(organization=organization).first()
    error = ""
    if payee is not None and payments.is_configured():
        try:
            services.refresh_payee_status(payee=payee, actor=request.user)
        except payments.PaymentError:
            error = _(
                "We could not check with Stripe just now. Your details are safe with "
                "Stripe; look again in a few minutes."
            )
    return _page(request, organization, error=error, returned=returned)


@login_required
@require_GET
def payee_return(request, organization_id: int):
    """Stripe sends the owner back here after onboarding: show where it stands."""
    return _back_from_stripe(request, organization_id, returned=True)


@login_required
@require_GET
def payee_refresh(request, organization_id: int):
    """Stripe's link expired or was used: show the status and offer a new link."""
    return _back_from_stripe(request, organization_id, returned=False)


def _my_page(request, *, error="", returned=False, status=200):
    payee = PayeeAccount.objects.filter(person_id=request.user.pk).first()
    return render(
        request,
        "grants/payee_personal.html",
        {
            "payee": payee,
            "configured": payments.is_configured(),
            "not_configured_message": str(payments.PaymentsNotConfigured()),
            "error": error,
            "returned": returned,
        },
        status=status,
    )


def _require_stipend(request):
    if not selectors.has_stipend(request.user):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def my_payee_start(request):
    """A panelist sees how their stipend is paid; POST sends them to Stripe."""
    _require_stipend(request)
    if request.method == "GET" or not payments.is_configured():
        return _my_page(request)
    try:
        url = services.start_personal_payee_onboarding(actor=request.user)
    except PermissionDenied as error:
        raise Http404 from error
    except payments.PaymentError:
        return _my_page(
            request,
            error=_(
                "Stripe could not start your set-up just now. Nothing was changed; "
                "please try again in a few minutes."
            ),
            status=502,
        )
    return redirect(url)


def _my_return(request, *, returned: bool):
    _require_stipend(request)
    payee = PayeeAccount.objects.filter(person_id=request.user.pk).first()
    error = ""
    if payee is not None and payments.is_configured():
        try:
            services.refresh_payee_status(payee=payee, actor=request.user)
        except payments.PaymentError:
            error = _(
                "We could not check with Stripe just now. Your details are safe with "
                "Stripe; look again in a few minutes."
            )
    return _my_page(request, error=error, returned=returned)


@login_required
@require_GET
def my_payee_return(request):
    """Stripe sends the panelist back here after onboarding."""
    return _my_return(request, returned=True)


@login_required
@require_GET
def my_payee_refresh(request):
    """Stripe's link expired or was used: show the status and offer a new link."""
    return _my_return(request, returned=False)
