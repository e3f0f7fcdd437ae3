"""Audit entries the portal writes itself: refusals, role changes and events that
concern a kind of record rather than one row.

Everything goes to Wagtail's audit log, beside the entries the services write.
Labels are references ("User 12"); data holds URL names, role names and ids only,
never a query string, a name or an address.
"""

import logging
import time

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext
from wagtail.log_actions import log

from portal.accounts.services import concrete_user

logger = logging.getLogger(__name__)

PERMISSION_DENIED = "portal.permission_denied"
CHANGE_ROLES = "portal.change_roles"
EXPORT_AUDIT_TRAIL = "portal.export_audit_trail"

# Superusers hold no group: the role change is recorded under this name.
ADMINISTRATOR_ROLE = "Administrator"
ID_VALUE_MAX_LENGTH = 64
ROLES_BEFORE_ATTRIBUTE = "_portal_audit_roles_before"
RECORDED_ATTRIBUTE = "_portal_audit_refusal_recorded"

# Wagtail's admin catches PermissionDenied itself and answers with a redirect and one
# of these messages, so no exception reaches the middleware for those refusals.
WAGTAIL_REFUSAL_MESSAGES = (
    "Sorry, you do not have permission to access this area.",
    "You do not have permission to access the admin.",
)


# Refusals ----------------------------------------------------------------------------


def is_refusal(exception) -> bool:
    """True for PermissionDenied, and for a 404 raised from one (how the portal
    answers refusals without saying that the object exists)."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, PermissionDenied):
            return True
        if not isinstance(exception, Http404):
            return False
        seen.add(id(exception))
        exception = exception.__cause__
    return False


def _is_id(name: str) -> bool:
    return name in ("pk", "id") or name.endswith(("_id", "_pk"))


def refusal_details(request) -> dict:
    """What an entry keeps of a refused request: the URL's name, the method and the
    object ids in the URL. Never the query string, tokens or anything typed."""
    match = getattr(request, "resolver_match", None)
    ids = {}
    if match is not None:
        ids = {
            name: str(value)[:ID_VALUE_MAX_LENGTH]
            for name, value in sorted(match.kwargs.items())
            if _is_id(name)
        }
    return {
        "url_name": (match.view_name if match is not None else "")[:200],
        "method": request.method,
        "ids": ids,
    }


def record_refusal(request) -> None:
    """Write one entry against the signed-in person a view refused (once a request).

    Wagtail's admin turns every Http404 into its own page before any middleware sees
    it, so admin views that answer a refusal with 404 call this themselves.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    if getattr(request, RECORDED_ATTRIBUTE, False):
        return
    setattr(request, RECORDED_ATTRIBUTE, True)
    person = concrete_user(user)
    log(
        instance=person,
        action=PERMISSION_DENIED,
        user=person,
        data=refusal_details(request),
    )


def _wagtail_refused(request, response) -> bool:
    if response.status_code != 302 or not request.path.startswith(
        reverse("wagtailadmin_home")
    ):
        return False
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", ())
    texts = [escape(gettext(text)) for text in WAGTAIL_REFUSAL_MESSAGES]
    return any(
        message.level == messages.ERROR
        and any(text in str(message.message) for text in texts)
        for message in queued
    )


class PermissionDeniedAuditMiddleware:
    """Record every refusal of a signed-in person, as 403, as 404 or as the Wagtail
    admin's own redirect. Anonymous visitors and plain "not found" are not recorded.

    Sits after the authentication and message middleware: it reads request.user and
    the messages Wagtail queued before they are stored. A 404 inside the Wagtail
    admin never reaches it (see record_refusal).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The response first: request.user stays unevaluated on every other page.
        if _wagtail_refused(request, response):
            record_refusal(request)
        return response

    def process_exception(self, request, exception):
        if is_refusal(exception):
            record_refusal(request)


# Role changes in the Wagtail admin ----------------------------------------------------


def roles_of(user) -> list[str]:
    """The person's role groups, with administrators named as such."""
    names = set(user.groups.values_list("name", flat=True))
    if user.is_superuser:
        names.add(ADMINISTRATOR_ROLE)
    return sorted(names)


def remember_roles(request, user):
    """Before a Wagtail user edit: note the roles the person holds now."""
    setattr(request, ROLES_BEFORE_ATTRIBUTE, roles_of(user))


def record_role_change(request, user):
    """After a Wagtail user edit or creation: write which roles were given or taken."""
    before = set(getattr(request, ROLES_BEFORE_ATTRIBUTE, []))
    after = set(roles_of(user))
    if before == after:
        return
    log(
        instance=user,
        action=CHANGE_ROLES,
        user=concrete_user(request.user),
        data={"added": sorted(after - before), "removed": sorted(before - after)},
    )


# Events about a kind of record --------------------------------------------------------


def _within_hourly_budget(action: str, per_hour: int) -> bool:
    key = f"portal:audit:budget:{action}:{int(time.time() // 3600)}"
    cache.add(key, 0, timeout=3600 + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600 + 5)
        count = 1
    return count <= per_hour


def log_event(
    action: str, *, about, user=None, data=None, per_hour: int | None = None
) -> None:
    """Write an entry about a kind of record when no single row is concerned (a
    refused webhook has no event row); it is filed under the model's content type.

    ``per_hour`` bounds entries that anyone on the internet can cause, so nobody can
    fill the audit log; past the bound the application log still counts them.
    """
    if per_hour is not None and not _within_hourly_budget(action, per_hour):
        logger.warning(
            "Audit entry %s not written: more than %s this hour.", action, per_hour
        )
        return
    log(
        instance=ContentType.objects.get_for_model(about),
        action=action,
        user=user,
        data=data or {},
    )
