"""The second-factor gate in front of the Wagtail admin and the signed-in portal."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse

from portal.accounts.selectors import second_factor_step

ADMIN_PREFIX = "/admin/"
# Wagtail's own sign-in, sign-out and password reset stay open: the password step
# happens there, and the gate sends people on to the second factor afterwards.
ADMIN_OPEN_PREFIXES = ("/admin/login/", "/admin/logout/", "/admin/password_reset/")
# Everything a signed-in person reaches from the portal, applications included.
PORTAL_PREFIXES = ("/portal/", "/applications/", "/apply/")


def _without_language_prefix(path: str) -> str:
    """/es/portal/ -> /portal/, so every language version of an area is gated."""
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return path[len(prefix) - 1 :]
    return path


def is_gated_path(path: str) -> bool:
    """True for the Wagtail admin (except its sign-in pages), the portal and applying."""
    if path.startswith(ADMIN_PREFIX):
        return not path.startswith(ADMIN_OPEN_PREFIXES)
    return _without_language_prefix(path).startswith(PORTAL_PREFIXES)


class SecondFactorMiddleware:
    """Send signed-in people who still owe a second factor to verify or set one up.

    Runs after django-otp's OTPMiddleware, which tells whether this session passed
    the second factor. Account pages, static files and the public site stay open.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Look at the path first: request.user stays unevaluated elsewhere, so views
        # that end the session (quick exit, sign out) see it as they always did.
        if is_gated_path(request.path_info) and request.user.is_authenticated:
            user = request.user
            step = second_factor_step(user, verified=user.is_verified())
            if step is not None:
                target = reverse(f"accounts:two_factor_{step}")
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{target}?{query}")
        return self.get_response(request)
