"""Public views that are not pages: quick exit, search and the error pages."""

import re

from django.conf import settings
from django.contrib.auth import logout
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from wagtail.models import Locale, Page

from cms.models import SafetySettings
from portal import ratelimit

MAX_QUERY_LENGTH = 200
_WORD = re.compile(r"\w", re.UNICODE)


@never_cache
@require_http_methods(["GET", "POST"])
def quick_exit(request):
    """End our session and leave for a neutral site at once."""
    # logout() ends the session whether or not anyone is signed in.
    logout(request)
    try:
        destination = SafetySettings.for_request(request).exit_destination
    except Exception:  # noqa: BLE001 - leaving must never fail
        destination = settings.PORTAL_QUICK_EXIT_URL
    response = HttpResponseRedirect(destination)
    response.delete_cookie(
        settings.SESSION_COOKIE_NAME,
        path=settings.SESSION_COOKIE_PATH,
        domain=settings.SESSION_COOKIE_DOMAIN,
        samesite=settings.SESSION_COOKIE_SAMESITE,
    )
    # Ask the browser to drop what this site stored; history is not erased (/safety/).
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    response["Referrer-Policy"] = "no-referrer"
    return response


def clean_query(raw: str) -> str:
    """Trim a search query to a sane length; empty when it holds no word characters."""
    query = " ".join(raw[:MAX_QUERY_LENGTH].split())
    return query if _WORD.search(query) else ""


def search(request):
    """Search live public pages in the visitor's language."""
    query = clean_query(request.GET.get("q", ""))
    results = Page.objects.none()
    if query and not ratelimit.allowed(request, "search"):
        return ratelimit.too_many_requests(request, "search")
    if query:
        pages = Page.objects.live().public().specific()
        locale = Locale.get_active()
        results = pages.filter(locale=locale).search(query)
    page_obj = Paginator(results, 10).get_page(request.GET.get("page"))
    return render(
        request,
        "cms/search.html",
        {
            "query": query,
            "results": page_obj,
            "raw_query": request.GET.get("q", "")[:MAX_QUERY_LENGTH],
        },
    )


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
