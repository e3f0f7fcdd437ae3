"""Response headers that depend on who is asking and where."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers

# The Wagtail editor injects inline scripts and styles and shows previews in a frame
# of its own origin; a nonce would make browsers ignore 'unsafe-inline', so the admin
# gets its own policy without one.
ADMIN_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, UNSAFE_INLINE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:"],
    "font-src": [SELF, "data:"],
    "connect-src": [SELF],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": [SELF],
    "frame-src": [SELF],
    "form-action": [SELF],
}


def is_admin_request(request) -> bool:
    """True for Wagtail admin pages and for page previews rendered by the admin."""
    return request.path_info.startswith("/admin/") or getattr(
        request, "is_dummy", False
    )


class PortalCSPMiddleware(CSPMiddleware):
    """Strict policy everywhere, the admin policy on /admin/ and previews."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and is_admin_request(request):
            parts.config = ADMIN_DIRECTIVES
            parts.nonce = None
        return parts


# Powerful browser features the portal never uses, refused for every page and frame.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class PermissionsPolicyMiddleware:
    """Turn off camera, microphone, location and the like for every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class PrivateCacheMiddleware:
    """Keep signed-in pages out of every cache, shared or in the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, private, max-age=0"
            patch_vary_headers(response, ["Cookie"])
        return response


class RejectNulMiddleware:
    """Refuse form fields and query parameters holding NUL characters with a kind 400.

    No text anyone types holds one; PostgreSQL cannot store one, and some parsers
    stop reading at one. Uploaded files are checked by the upload rules instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type
            in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _has_nul(request.POST)
        ):
            return render(request, "400.html", status=400)
        return self.get_response(request)


def _has_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )
