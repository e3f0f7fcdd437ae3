"""Browser tests: a real Chromium, driven by Playwright, against pytest-django's
live server filled with the demo content.

The browser is the system's Chromium (``playwright install`` cannot download one
here). Nothing may leave the machine: every request to another host is recorded and
aborted, except the neutral site quick exit opens, which is answered locally.
"""

import os
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the main thread; Django's ORM refuses
# to run there unless told that it is safe (it is: the loop is Playwright's own).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Where quick exit goes by default (settings.PORTAL_QUICK_EXIT_URL).
NEUTRAL_SITE = "https://www.weather.gov/"
NEUTRAL_SITE_URL = re.compile(r"^https://www\.weather\.gov/")
NEUTRAL_SITE_BODY = (
    "<html><head><title>Weather</title></head><body>Weather</body></html>"
)

# The public pages every accessibility and privacy check visits, in English; each
# has a Spanish copy with the same slugs under /es/.
PUBLIC_PAGES = [
    "/",
    "/funding/",
    "/funding/survivor-services-2027/",
    "/help/",
    "/safety/",
]
OPEN_ROUND = "/funding/survivor-services-2027/"
CLOSED_ROUND = "/funding/violence-prevention-2026/"


def public_paths() -> list[str]:
    """PUBLIC_PAGES and one resource page under /help/, then the same in Spanish."""
    from wagtail.models import Locale

    from cms.models import ResourcePage

    english = Locale.objects.get(language_code="en")
    resource = (
        ResourcePage.objects.live().filter(locale=english).order_by("path").first()
    )
    assert resource is not None, "the demo has no resource page"
    resource_path = resource.get_url()
    assert resource_path.startswith("/help/"), resource_path
    english_paths = [*PUBLIC_PAGES, resource_path]
    return english_paths + ["/es" + path for path in english_paths]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch options, with the system Chromium, headless."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture
def seeded_server(live_server, django_db_serialized_rollback):
    """The live server with the whole demo site in its database.

    The live server's database is flushed after each test; serialized rollback puts
    back what migrations created (Wagtail's root page and locale, the role groups)
    before the demo is seeded again.
    """
    call_command("seed_demo", "--force-for-tests", verbosity=0)
    return live_server


def same_host(url: str, server_url: str) -> bool:
    """True for a URL on the live server (scheme, host and port), or data:/blob:."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True
    server = urlsplit(server_url)
    return (parts.scheme, parts.netloc) == (server.scheme, server.netloc)


def watch_requests(context, server_url: str) -> list[str]:
    """Record every URL a browser context asks for, in order, from now on.

    Requests to any other host are recorded, then aborted so nothing leaves the
    machine; the neutral quick-exit site is answered with a stub page.
    """
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))

    def answer_elsewhere(route):
        url = route.request.url
        if url.startswith(NEUTRAL_SITE):
            route.fulfill(status=200, body=NEUTRAL_SITE_BODY, content_type="text/html")
        elif same_host(url, server_url):
            route.fallback()
        else:
            route.abort()

    context.route("**/*", answer_elsewhere)
    return seen


@pytest.fixture
def requests_seen(context, seeded_server):
    """Every URL the test's browser context asks for (see watch_requests)."""
    return watch_requests(context, seeded_server.url)


def expect_neutral_site(page):
    """Wait until the page shows the (stubbed) neutral site.

    /exit/ answers with Cross-Origin-Opener-Policy: same-origin, so Chromium swaps
    browsing context group on the redirect; Playwright's interception misses the
    first request to the neutral site (it fails to resolve offline and a
    chrome-error page flashes), and the navigation restarted in the new process is
    routed. page.wait_for_url() gives up on that first failure, so poll the URL.
    """
    expect(page).to_have_url(NEUTRAL_SITE_URL)
    expect(page).to_have_title("Weather")


def visit(page, server, path: str):
    """Open a page of the live server and fail on anything but 200."""
    response = page.goto(server.url + path, wait_until="load")
    assert response is not None, f"no response for {path}"
    assert response.status == 200, f"{path} answered {response.status}"
    return response


def pytest_collection_modifyitems(config, items):
    """Every test in this folder drives the browser, marked or not."""
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.browser)
