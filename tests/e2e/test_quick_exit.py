"""Quick exit, the GOV.UK "Exit this page" behaviour (DESIGN.md section 5).

The button, Shift pressed three times and the secondary link after the skip link all
leave through our own /exit/, which ends the session before the neutral site opens;
the page is blanked the moment the visitor asks to leave.
"""

import io
import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import NEUTRAL_SITE, expect_neutral_site, visit
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PAGE = "/help/"


@pytest.fixture
def session_key(context, seeded_server, client):
    """A signed-in session in the database, its cookie in the browser."""
    client.force_login(UserFactory())
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": key,
                "url": seeded_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    assert Session.objects.filter(session_key=key).exists()
    return key


def session_cookies(context, server):
    return [
        cookie
        for cookie in context.cookies(server.url)
        if cookie["name"] == settings.SESSION_COOKIE_NAME
    ]


def assert_left_through_exit(page, context, server, requests_seen, session_key):
    """The browser went through /exit/ to the neutral site, and the session ended."""
    expect_neutral_site(page)
    exit_url = server.url + "/exit/"
    assert exit_url in requests_seen, f"/exit/ was never requested: {requests_seen}"
    neutral = [i for i, url in enumerate(requests_seen) if url.startswith(NEUTRAL_SITE)]
    assert neutral, f"the neutral site was never requested: {requests_seen}"
    assert requests_seen.index(exit_url) < neutral[0], requests_seen
    assert session_cookies(context, server) == [], context.cookies()
    assert not Session.objects.filter(session_key=session_key).exists(), (
        "the Django session row survived /exit/"
    )


def test_exit_button_blanks_the_page_at_once_then_ends_the_session(
    page, context, seeded_server, requests_seen, session_key
):
    visit(page, seeded_server, PAGE)
    assert session_cookies(context, seeded_server), "no session cookie to clear"
    button = page.locator("a.quick-exit")
    expect(button).to_be_visible()
    expect(button).to_have_text("Exit this page")
    expect(page.locator(".quick-exit-overlay")).to_be_hidden()

    # First /exit/ never answers (the navigation is cancelled), so whatever shows
    # now is what the visitor's screen shows while the network is slow.
    asked = []

    def never_answer(route):
        asked.append(route.request.url)
        route.abort("aborted")

    page.route(seeded_server.url + "/exit/", never_answer)
    # no_wait_after: the navigation this click starts never finishes.
    button.click(no_wait_after=True)
    # The click handler blanks the page synchronously, before any network round trip.
    assert page.evaluate(
        "document.documentElement.classList.contains('quick-exit-active')"
    )
    expect(page.locator(".quick-exit-overlay")).to_be_visible()
    for part in ("main", ".safety-bar", ".site-header", ".site-footer"):
        expect(page.locator(part)).to_be_hidden()
    assert page.title() == ""
    # Nothing of the page is left on screen: every pixel is the overlay's white.
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    assert shot.getextrema() == ((255, 255), (255, 255), (255, 255))
    for _ in range(50):  # let the request reach the route handler
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked == [seeded_server.url + "/exit/"]

    # Now let /exit/ answer: a fresh copy of the page, the button, and away.
    page.unroute(seeded_server.url + "/exit/")
    visit(page, seeded_server, PAGE)
    history_length = page.evaluate("history.length")
    page.locator("a.quick-exit").click()

    assert_left_through_exit(page, context, seeded_server, requests_seen, session_key)
    # location.replace(): the page the visitor left is not one Back press away.
    assert page.evaluate("history.length") == history_length


def test_shift_three_times_ends_the_session_and_any_other_key_resets_the_count(
    page, context, seeded_server, requests_seen, session_key
):
    visit(page, seeded_server, PAGE)
    assert session_cookies(context, seeded_server), "no session cookie to clear"
    status = page.locator("#quick-exit-status")

    # Shift, Shift, another key, Shift: the count starts again and nothing happens.
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("a")
    page.keyboard.press("Shift")
    # One press made, two to go, and the live region says so.
    expect(status).to_have_text(status.get_attribute("data-message-two"))
    page.wait_for_timeout(500)
    assert page.url == seeded_server.url + PAGE
    assert not any("/exit/" in url for url in requests_seen), requests_seen
    assert page.evaluate(
        "!document.documentElement.classList.contains('quick-exit-active')"
    )
    expect(page.locator(".quick-exit-overlay")).to_be_hidden()
    expect(page.locator("main")).to_be_visible()
    assert session_cookies(context, seeded_server)

    # Another key again, then three Shifts in a row: away.
    page.keyboard.press("a")
    for _ in range(3):
        page.keyboard.press("Shift")

    assert_left_through_exit(page, context, seeded_server, requests_seen, session_key)


def test_secondary_exit_link_follows_the_skip_link_by_keyboard(
    page, context, seeded_server, requests_seen, session_key
):
    visit(page, seeded_server, PAGE)
    focused = page.locator(":focus")

    page.keyboard.press("Tab")
    expect(focused).to_have_class(re.compile(r"\bskip-link\b"))
    expect(focused).to_have_text("Skip to main content")
    expect(focused).to_be_visible()

    page.keyboard.press("Tab")
    expect(focused).to_have_class(re.compile(r"\bquick-exit-secondary\b"))
    expect(focused).to_have_text("Exit this page")
    expect(focused).to_be_visible()

    page.keyboard.press("Enter")

    assert_left_through_exit(page, context, seeded_server, requests_seen, session_key)
