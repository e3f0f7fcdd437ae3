"""Anonymous visitors get stored copies of public pages, each with a fresh CSP nonce;
signed-in people never do; publishing a change is seen at once."""

import re

import pytest
from django.http import HttpResponse
from django.urls import ResolverMatch
from wagtail.models import Page

from portal.middleware import PortalCSPMiddleware
from portal.page_cache import PublicPageCacheMiddleware
from tests.helpers import login_verified

pytestmark = pytest.mark.django_db

NONCE = re.compile(r'nonce="([^"]+)"')


@pytest.fixture
def page_cache_on(settings):
    settings.PORTAL_PUBLIC_PAGE_CACHE_SECONDS = 300


def nonces(response) -> set:
    return set(NONCE.findall(response.text))


def test_a_second_anonymous_visit_is_served_from_the_cache(
    client, demo_site, page_cache_on
):
    first = client.get("/")
    second = client.get("/")
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert first.content == second.content
    assert second["Referrer-Policy"] == "same-origin"
    assert "object-src 'none'" in second["Content-Security-Policy"]
    assert "camera=()" in second["Permissions-Policy"]


def test_every_stored_copy_is_served_with_a_fresh_nonce(rf, page_cache_on):
    """A page that uses the CSP nonce gets a new one on every visit."""

    def page(request):
        request.resolver_match = ResolverMatch(lambda: None, (), {}, "wagtail_serve")
        return HttpResponse(f'<script nonce="{request.csp_nonce}" src="/a.js">')

    served = []
    for _ in range(2):
        request = rf.get("/")
        csp = PortalCSPMiddleware(PublicPageCacheMiddleware(page))
        response = csp(request)
        served.append((response, nonces(response)))
    (first, (first_nonce,)), (second, (second_nonce,)) = served
    assert second["X-Page-Cache"] == "hit"
    assert first_nonce != second_nonce
    assert f"'nonce-{second_nonce}'" in second["Content-Security-Policy"]


def test_signed_in_people_never_get_or_leave_a_stored_page(
    client, demo_site, page_cache_on, applicant
):
    client.get("/")  # an anonymous visit stores the page
    client.force_login(applicant)
    response = client.get("/")
    assert "X-Page-Cache" not in response
    assert "no-store" in response["Cache-Control"]
    client.logout()
    assert client.get("/funding/")["X-Page-Cache"] == "miss"


def test_publishing_a_change_is_seen_at_once(
    client, demo_site, page_cache_on, django_capture_on_commit_callbacks
):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    home = Page.objects.get(url_path="/home/").specific
    home.title = "Funding for survivor-led work, updated"
    with django_capture_on_commit_callbacks(execute=True):
        home.save_revision().publish()
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"
    assert "Funding for survivor-led work, updated" in response.text


@pytest.mark.parametrize("path", ["/?q=x", "/accounts/login/", "/search/?q=help"])
def test_queries_and_pages_outside_wagtail_are_not_stored(
    client, demo_site, page_cache_on, path
):
    client.get(path)
    assert "X-Page-Cache" not in client.get(path)


def test_visitors_with_a_session_get_a_fresh_page(
    client, demo_site, page_cache_on, settings
):
    client.get("/")
    client.cookies[settings.SESSION_COOKIE_NAME] = "anything"
    assert "X-Page-Cache" not in client.get("/")


def test_staff_previews_are_never_stored(
    client, demo_site, page_cache_on, program_staff
):
    login_verified(client, program_staff)
    client.get("/")
    client.logout()
    assert client.get("/")["X-Page-Cache"] == "miss"
