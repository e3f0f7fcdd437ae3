"""Reads about a person's account: their second-factor devices and where to go next."""

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import NoReverseMatch
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.permissions import requires_second_factor


def has_confirmed_device(user) -> bool:
    """True when the person finished setting up a second factor."""
    return user.is_authenticated and user_has_device(user, confirmed=True)


def authenticator_for(user) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def backup_codes_left(user) -> int:
    """How many unused backup codes the person still holds."""
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def is_verified(user) -> bool:
    """True when this session passed the second factor (OTPMiddleware sets this)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def second_factor_step(user, *, verified: bool) -> str | None:
    """The step a signed-in person takes before protected areas: verify, setup or none.

    Anyone with a confirmed device verifies (applicants who opted in included);
    people whose role requires a second factor and have none set one up first.
    """
    if not user.is_authenticated or verified:
        return None
    if has_confirmed_device(user):
        return "verify"
    if requires_second_factor(user):
        return "setup"
    return None


def default_redirect_url() -> str:
    """Where people land after signing in when no safe next= was given."""
    try:
        return resolve_url(settings.LOGIN_REDIRECT_URL)
    except NoReverseMatch:
        return "/"


def safe_next_url(request, default: str | None = None) -> str:
    """The next= target when it points at this site, else the default landing page."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate,
        allowed_hosts={request.get_host()},
        require_https=request.is_secure(),
    ):
        return candidate
    return default if default is not None else default_redirect_url()
