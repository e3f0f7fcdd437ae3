"""Quick exit, the GOV.UK "Exit this page" behaviour (DESIGN.md section 5).

The button, Shift pressed three times and the secondary link after the skip link all
leave through our own /exit/, which ends the session before the neutral site opens;
the page is blanked the moment the visitor asks to leave.
"""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.e2e.conftest import NEUTRAL_SITE, expect_neutral_site, visit
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PAGE = "/help/"


@pytest.fixture
def session_key(context, seeded_server, client):
    """A signed-in session in the database, its cookie in the browser."""
    user = UserFactory()
    # UserFactory sets the password after saving and does not save again; without
    # this the session's auth hash would not match the stored user, and Django would
    # end the session on the first request.
    user.save()
    client.force_login(user)
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


def test_exit_button_ends_session_and_leaves(
    page, context, seeded_server, requests_seen, session_key
):
    visit(page, seeded_server, PAGE)
    assert session_cookies(context, seeded_server), "no session cookie to clear"

    button = page.locator("a.quick-exit")
    expect(button).to_be_visible()
    expect(button).to_have_text("Exit this page")
    history_length = page.evaluate("history.length")
    button.click()

    assert_left_through_exit(page, context, seeded_server, requests_seen, session_key)
    # location.replace(): the page the visitor left is not one Back press away.
    assert page.evaluate("history.length") == history_length


def test_shift_three_times_ends_session_and_leaves(
    page, context, seeded_server, requests_seen, session_key
):
    visit(page, seeded_server, PAGE)
    assert session_cookies(context, seeded_server), "no session cookie to clear"

    for _ in range(3):
        page.keyboard.press("Shift")

    assert_left_through_exit(page, context, seeded_server, requests_seen, session_key)


def test_another_key_between_shifts_starts_the_count_again(
    page, seeded_server, requests_seen
):
    visit(page, seeded_server, PAGE)
    status = page.locator("#quick-exit-status")

    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.keyboard.press("a")
    page.keyboard.press("Shift")

    # The count restarted: one press made, two to go, and the live region says so.
    expect(status).to_have_text(status.get_attribute("data-message-two"))
    page.wait_for_timeout(500)
    assert page.url == seeded_server.url + PAGE
    assert not any("/exit/" in url for url in requests_seen), requests_seen
    assert page.evaluate(
        "!document.documentElement.classList.contains('quick-exit-active')"
    )
    expect(page.locator(".quick-exit-overlay")).to_be_hidden()
    expect(page.locator("main")).to_be_visible()


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


def test_page_is_blanked_before_exit_answers(page, seeded_server, requests_seen):
    visit(page, seeded_server, PAGE)
    expect(page.locator(".quick-exit-overlay")).to_be_hidden()

    # Hold /exit/ unanswered: whatever shows now is what the visitor's screen shows
    # while the network is slow.
    held = []
    page.route(seeded_server.url + "/exit/", lambda route: held.append(route))

    # no_wait_after: /exit/ is held, so the navigation cannot finish yet.
    page.locator("a.quick-exit").click(no_wait_after=True)
    # The click handler blanks the page synchronously, before any network round trip.
    assert page.evaluate(
        "document.documentElement.classList.contains('quick-exit-active')"
    )

    expect(page.locator(".quick-exit-overlay")).to_be_visible()
    expect(page.locator("main")).to_be_hidden()
    expect(page.locator(".safety-bar")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()
    assert page.title() == ""
    for _ in range(50):  # let the held request reach the route handler
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "quick exit did not ask for /exit/"

    held[0].fallback()
    expect_neutral_site(page)
