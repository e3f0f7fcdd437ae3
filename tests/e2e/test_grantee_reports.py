"""A grantee's progress report and the public /funded/ page, in a real Chromium.

The demo grantee signs in, finds the next report from the portal home, sends a report
whose narrative holds a phone number (refused kindly), corrects it and sends it. Every
page is checked by axe-core, and no request may leave the live server. Then the
public page of what was funded: axe-core in English and Spanish, wide and narrow, and
no small count shown.
"""

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from grants.models import HiringReport, ServiceCount
from portal.models import User
from tests.e2e.conftest import same_host, visit, watch_requests

pytestmark = pytest.mark.browser

GRANTEE = "applicant@demo.test"
DEMO_PASSWORD = "demo-portal-2026"
NARROW = {"width": 320, "height": 640}


def axe_report(page) -> str:
    results = Axe().run(page)
    return results.generate_report() if results.response["violations"] else ""


def submit(page, name: str) -> None:
    with page.expect_navigation(wait_until="load"):
        page.locator("#main-content").get_by_role("button", name=name).click()


def test_grantee_sends_a_progress_report_with_no_axe_violations(
    page, context, seeded_server, requests_seen
):
    base = seeded_server.url
    failures = {}
    grantee = User.objects.get(email=GRANTEE)
    report = (
        HiringReport.objects.filter(
            award__organization__public_name="Northside Healing Collective",
            award__organization__memberships__user=grantee,
            award__hiring_commitment__status="confirmed",
            status=HiringReport.Status.DUE,
        )
        .order_by("due_on")
        .first()
    )
    assert report is not None, "the demo grantee has no report to send"

    page.goto(base + "/accounts/login/", wait_until="load")
    main = page.locator("#main-content")
    main.get_by_label("Email address").fill(GRANTEE)
    main.get_by_label("Password").fill(DEMO_PASSWORD)
    submit(page, "Sign in")
    assert urlsplit(page.url).path == "/portal/", page.url
    expect(main).to_contain_text("Survivor-hiring commitment:")
    failures["/portal/"] = axe_report(page)

    with page.expect_navigation(wait_until="load"):
        main.locator(f'a[href$="/reports/{report.pk}/"]').click()
    assert urlsplit(page.url).path.endswith(f"/reports/{report.pk}/"), page.url
    expect(page.get_by_role("heading", level=1)).to_contain_text("Progress report")
    failures["report form"] = axe_report(page)

    main.get_by_label("Entry-level positions filled").fill("1")
    main.get_by_label(
        "Positions filled this period paid at or above the wage floor"
    ).fill("1")
    main.get_by_label("Case management and advocacy").fill("21")
    main.get_by_label("Barriers you met").fill(
        "Our new advocate asked us to share her number 612-555-0199 with partners."
    )
    submit(page, "Send the report")
    # Refused kindly, with the error summary first and nothing written.
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("a phone number")
    expect(main.get_by_label("Barriers you met")).to_have_value(re.compile("612-555"))
    failures["report form with errors"] = axe_report(page)
    report.refresh_from_db()
    assert report.status == HiringReport.Status.DUE
    assert not ServiceCount.objects.filter(report=report).exists()

    main.get_by_label("Barriers you met").fill(
        "Court dates and housing appointments; flexible schedules helped."
    )
    submit(page, "Send the report")
    expect(page.get_by_role("status").first).to_contain_text("Your report is sent")
    failures["award page after sending"] = axe_report(page)

    report.refresh_from_db()
    assert report.status == HiringReport.Status.SUBMITTED
    assert report.entry_filled == 1
    assert report.submitted_by == grantee
    assert report.service_counts.get(service_type="case_management").people_served == 21
    assert report.events.filter(action="submitted", actor=grantee).count() == 1

    failures = {key: text for key, text in failures.items() if text}
    assert not failures, "\n\n".join(f"== {k} ==\n{v}" for k, v in failures.items())
    outside = [url for url in requests_seen if not same_host(url, base)]
    assert outside == [], outside


def _table_counts(page) -> list[str]:
    cells = page.locator(
        "#main-content section[aria-labelledby='hiring-title'] td"
    ).all_inner_texts()
    return [cell.strip() for cell in cells]


def test_the_funded_page_is_accessible_and_shows_no_small_count(
    page, new_context, seeded_server, requests_seen
):
    failures = {}
    for path in ["/funded/", "/es/funded/"]:
        visit(page, seeded_server, path)
        failures[path] = axe_report(page)
    visit(page, seeded_server, "/funded/")
    expect(page.get_by_role("heading", name="Hiring survivors")).to_be_visible()
    expect(page.locator("#main-content")).to_contain_text("fewer than 5")
    counts = _table_counts(page)
    assert counts, "the hiring tables are empty"
    for text in counts:
        number = text.replace(",", "")
        assert not (number.isdigit() and 1 <= int(number) <= 4), counts
    expect(page.get_by_role("link", name="360Giving data (JSON)")).to_have_attribute(
        "href", "/open-data/360giving.json"
    )

    narrow = new_context(viewport=NARROW)
    watch_requests(narrow, seeded_server.url)
    small = narrow.new_page()
    visit(small, seeded_server, "/funded/")
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= NARROW["width"], f"/funded/ is {width}px wide at 320px"
    failures["/funded/ at 320px"] = axe_report(small)

    failures = {key: text for key, text in failures.items() if text}
    assert not failures, "\n\n".join(f"== {k} ==\n{v}" for k, v in failures.items())
    outside = [u for u in requests_seen if not same_host(u, seeded_server.url)]
    assert outside == [], outside
