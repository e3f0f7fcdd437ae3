"""Public pages cached for anonymous visitors, in the shared cache.

A Wagtail page served with 200 to a visitor without a session is kept for
PORTAL_PUBLIC_PAGE_CACHE_SECONDS (0 turns this off) in the default cache: Redis when
REDIS_URL is set, so every web process shares it; local memory otherwise. Publishing,
unpublishing, moving or deleting a page, changing site settings, and every change to
what the public sees (see grants.public_cache) start a new generation, so old copies
are never served again.

Each copy is served with a fresh CSP nonce: the nonce in the stored HTML is replaced
by a placeholder and filled in again for every visitor. Anyone with a session or a
pending message gets the page rendered for them, never a copy.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

GENERATION_KEY = "portal:public-pages:generation"
NONCE_PLACEHOLDER = b"\x00csp-nonce\x00"
PAGE_VIEWS = {"wagtail_serve"}


def generation() -> int:
    """Changes whenever what public pages show may have changed."""
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def bump() -> None:
    """Forget every cached public page (cheap: a new generation of keys)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def _may_use_cache(request) -> bool:
    return (
        settings.PORTAL_PUBLIC_PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _key(request) -> str:
    return (
        f"portal:public-pages:{generation()}:{request.get_host()}:"
        f"{getattr(request, 'LANGUAGE_CODE', '')}:{request.path}"
    )


def _cacheable(request, response) -> bool:
    match = getattr(request, "resolver_match", None)
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and match is not None
        and match.url_name in PAGE_VIEWS
        and not response.streaming
        and not response.cookies
        and "private" not in cache_control
        and "no-store" not in cache_control
        and response.get("Content-Type", "").startswith("text/html")
        and not getattr(request, "is_preview", False)
    )


class PublicPageCacheMiddleware:
    """Serve anonymous visitors a stored copy of a public page; store misses."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_use_cache(request):
            return self.get_response(request)
        key = _key(request)
        stored = cache.get(key)
        if stored is not None:
            content = stored["content"].replace(
                NONCE_PLACEHOLDER, str(request.csp_nonce).encode()
            )
            response = HttpResponse(content, content_type=stored["content_type"])
            response["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if _cacheable(request, response):
            content = response.content
            nonce = getattr(request, "_csp_nonce", None)
            if nonce:
                content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)
            cache.set(
                key,
                {"content": content, "content_type": response["Content-Type"]},
                settings.PORTAL_PUBLIC_PAGE_CACHE_SECONDS,
            )
            response["X-Page-Cache"] = "miss"
        return response
