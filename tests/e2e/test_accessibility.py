"""Accessibility of the public site: axe-core finds nothing, in English and Spanish,
at desktop width and at 320 CSS pixels (WCAG 1.4.10 reflow)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import (
    CLOSED_ROUND,
    OPEN_ROUND,
    public_paths,
    visit,
    watch_requests,
)

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}


def axe_failures(page, server, paths) -> dict[str, str]:
    """Visit each path and return axe's report for every one with violations."""
    axe = Axe()
    failures = {}
    for path in paths:
        visit(page, server, path)
        results = axe.run(page)
        if results.response["violations"]:
            failures[path] = results.generate_report()
    return failures


def report(failures: dict[str, str]) -> str:
    return "\n\n".join(f"== {path} ==\n{text}" for path, text in failures.items())


def test_public_pages_have_no_axe_violations_wide_or_narrow(
    page, new_context, seeded_server, requests_seen
):
    failures = axe_failures(page, seeded_server, public_paths())

    # At 320 CSS pixels (a phone, or 1280 px zoomed to 400 %): still no violations,
    # and nothing wider than the screen.
    narrow = new_context(viewport=NARROW)
    watch_requests(narrow, seeded_server.url)
    page = narrow.new_page()
    axe = Axe()
    too_wide = {}
    for path in ["/", "/es/", "/help/", OPEN_ROUND]:
        visit(page, seeded_server, path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > NARROW["width"]:
            too_wide[path] = width
        results = axe.run(page)
        if results.response["violations"]:
            failures[f"{path} at {NARROW['width']}px"] = results.generate_report()

    problems = report(failures)
    if too_wide:
        problems = (
            f"wider than {NARROW['width']}px (scrollWidth): {too_wide}\n\n{problems}"
        )
    assert not problems, problems


def test_apply_is_a_link_while_open_and_disabled_once_closed(
    page, seeded_server, requests_seen
):
    visit(page, seeded_server, OPEN_ROUND)
    apply_box = page.locator("#apply")
    apply_link = apply_box.get_by_role("link", name="Apply", exact=True)
    expect(apply_link).to_be_visible()
    expect(apply_link).to_be_enabled()
    assert apply_link.get_attribute("href")
    expect(apply_box.get_by_role("button", name="Apply")).to_have_count(0)

    visit(page, seeded_server, CLOSED_ROUND)
    apply_box = page.locator("#apply")
    apply_button = apply_box.get_by_role("button", name="Apply", exact=True)
    expect(apply_button).to_be_visible()
    expect(apply_button).to_be_disabled()
    expect(apply_box.get_by_role("link", name="Apply")).to_have_count(0)
