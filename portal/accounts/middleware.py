"""The second-factor gate in front of the Wagtail admin and the signed-in portal, and
the lifetime of privileged sessions."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.selectors import second_factor_step
from portal.permissions import holds_privileged_role

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


STARTED_KEY = "portal_session_started"
SEEN_KEY = "portal_session_seen"
SEEN_EVERY_SECONDS = 60  # write the session at most once a minute for this


class SessionLifetimeMiddleware:
    """End the sessions of staff and panelists after a quiet spell or a long day.

    People with access to applications, money or the admin (the roles that need a
    second factor) are signed out after PORTAL_SESSION_IDLE_MINUTES without a
    request, and PORTAL_SESSION_MAX_HOURS after signing in, whatever they do. The
    next page then asks them to sign in again, with a short note saying why.
    Applicants keep Django's usual session length.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            started = session.get(STARTED_KEY) or now
            seen = session.get(SEEN_KEY) or now
            idle = now - seen > settings.PORTAL_SESSION_IDLE_MINUTES * 60
            too_long = now - started > settings.PORTAL_SESSION_MAX_HOURS * 3600
            # The role is looked up only for a session past a limit, not on every
            # request.
            if (idle or too_long) and holds_privileged_role(request.user):
                logout(request)
                messages.info(
                    request,
                    _(
                        "For your safety we signed you out after a while without "
                        "activity. Please sign in again."
                    )
                    if idle
                    else _(
                        "For your safety we sign everyone out once a day. Please "
                        "sign in again."
                    ),
                )
                return self.get_response(request)
            if STARTED_KEY not in session:
                session[STARTED_KEY] = started
            if now - seen >= SEEN_EVERY_SECONDS or SEEN_KEY not in session:
                session[SEEN_KEY] = now
        return self.get_response(request)
