"""The whole applicant journey in a real Chromium, checked by axe-core on every page.

Sign up, confirm the address from the email, sign in, start an organization, pass
the eligibility quiz, fill every kind of question (autosave included), leave and come
back, check the answers and submit. Every page visited is run through axe-core and
must have no violations, and no request may leave the live server.
"""

import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from applications.models import Application, Attachment, StatusChange
from applications.schema import live_raw_blocks, sections_from
from portal.models import User
from tests.e2e.conftest import same_host, watch_requests
from tests.factories import ApplicationFormFactory
from tests.helpers import small_pdf

pytestmark = pytest.mark.browser

EMAIL = "amina@collective.example.org"
PASSWORD = "plum-harbor-lantern-97"
SAVED_TEXT = "Your answers were saved."
AUTOSAVE_TIMEOUT_MS = 10_000  # autosave.js waits 4 s after the last change
STAFF_QUESTION = "Are people with lived experience on your staff?"


class AxeAudit:
    """Runs axe-core on the page now shown and keeps the report of any violations."""

    def __init__(self, page):
        self.page = page
        self.axe = Axe()
        self.visited: list[str] = []
        self.failures: dict[str, str] = {}

    def check(self, label: str = "") -> None:
        self.page.wait_for_load_state("load")
        path = urlsplit(self.page.url).path
        key = f"{path} ({label})" if label else path
        self.visited.append(key)
        results = self.axe.run(self.page)
        if results.response["violations"]:
            self.failures[key] = results.generate_report()

    def report(self) -> str:
        return "\n\n".join(
            f"== {key} ==\n{text}" for key, text in self.failures.items()
        )


@pytest.fixture
def axe_audit(page):
    """An AxeAudit of the test's page; its findings are printed even if a step fails."""
    audit = AxeAudit(page)
    yield audit
    print(f"axe-core checked {len(audit.visited)} pages: {audit.visited}")  # noqa: T201
    if audit.failures:
        print(audit.report())  # noqa: T201


def submit(page, name: str) -> None:
    """Press a button of the form in the main content and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        page.locator("#main-content").get_by_role("button", name=name).click()


def follow(page, name: str) -> None:
    """Follow a link in the main content and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        page.locator("#main-content").get_by_role("link", name=name).click()


def group(page, legend: str):
    return page.get_by_role("group", name=legend)


def test_applicant_signs_up_applies_and_submits_with_no_axe_violations(
    page, context, live_server, django_db_serialized_rollback, axe_audit
):
    # Only the round and its form; no demo content needed.
    application_form = ApplicationFormFactory()
    funding_round = application_form.funding_round
    sections = sections_from(live_raw_blocks(application_form))
    about, work, budget = sections
    ids = {f.label: f.id for s in sections for f in s.fields}
    requests_seen = watch_requests(context, live_server.url)
    audit = axe_audit
    base = live_server.url

    # Sign up.
    page.goto(base + "/accounts/signup/")
    audit.check()
    page.get_by_label("What should we call you?").fill("Amina")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_label("Create a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    submit(page, "Create account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    audit.check()

    # Confirm the address from the email (the live server shares mail.outbox).
    assert len(mail.outbox) == 1, [m.subject for m in mail.outbox]
    assert mail.outbox[0].to == [EMAIL]
    match = re.search(r"https?://\S+?(/accounts/confirm/[^\s/]+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    page.goto(base + match[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confirm your email address"
    )
    audit.check()
    submit(page, "Confirm my email address")
    assert urlsplit(page.url).path == "/accounts/login/"
    assert User.objects.get(email=EMAIL).email_confirmed_at is not None
    audit.check("after confirming")

    # Sign in.
    page.locator("#main-content").get_by_label("Email address").fill(EMAIL)
    page.locator("#main-content").get_by_label("Password").fill(PASSWORD)
    submit(page, "Sign in")
    assert urlsplit(page.url).path == "/portal/"
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Amina")
    audit.check("signed in, nothing yet")

    # Start an organization.
    page.goto(base + "/portal/organizations/new/")
    audit.check()
    page.get_by_label("Legal name").fill("Northside Healing Collective Inc.")
    page.get_by_label("Public name").fill("Northside Healing Collective")
    page.get_by_label("EIN (Employer Identification Number)").fill("41-1234567")
    page.get_by_label("Address", exact=True).fill("2100 Plymouth Ave N")
    page.get_by_label("City").fill("Minneapolis")
    page.get_by_label("State").fill("MN")
    page.get_by_label("ZIP code").fill("55411")
    page.get_by_label("Mission").fill("Peer support led by survivors of trafficking.")
    page.get_by_label("Our organization is survivor-led").check()
    page.get_by_label("Contact person").fill("Amina")
    page.get_by_label("Contact email").fill(EMAIL)
    submit(page, "Create organization")
    expect(page.get_by_text("Your organization has been created.")).to_be_visible()
    audit.check("organization created")

    # Apply: the quiz first, then which organization.
    page.goto(base + f"/apply/{funding_round.pk}/")
    assert urlsplit(page.url).path == f"/apply/{funding_round.pk}/eligibility/"
    audit.check()
    group(page, "Is your organization based in Minneapolis").get_by_label("Yes").check()
    submit(page, "Continue")
    assert urlsplit(page.url).path == f"/apply/{funding_round.pk}/"
    audit.check("choose organization")
    group(page, "Which organization is applying?").get_by_label(
        "Northside Healing Collective"
    ).check()
    submit(page, "Start or continue the application")
    application = Application.objects.get(funding_round=funding_round)
    task_list_path = f"/applications/{application.public_id}/"
    assert urlsplit(page.url).path == task_list_path
    audit.check("task list, new")

    def open_section(title: str) -> None:
        with page.expect_navigation(wait_until="load"):
            page.locator(".task-list").get_by_role("link", name=title).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(title)

    def save_and_return() -> None:
        submit(page, "Save and come back later")
        assert urlsplit(page.url).path == task_list_path, page.url
        expect(page.locator(".error-summary")).to_have_count(0)

    def status_of(title: str):
        return page.locator(".task-list li").filter(has_text=title).locator(".status")

    # About your request: short text and currency.
    open_section(about.title)
    audit.check("about")
    page.get_by_label("Project title").fill("Peer support circles")
    page.get_by_label("Amount requested").fill("40000")
    save_and_return()
    expect(status_of(about.title)).to_have_text("Complete")
    audit.check("task list, about done")

    # The work: long text, short text, number, yes/no, single and multiple choice;
    # then autosave on one field.
    open_section(work.title)
    audit.check("work")
    page.get_by_label("Who leads the work?").fill("Our peer team")
    page.get_by_label("How many people will you serve?").fill("60")
    group(page, STAFF_QUESTION).get_by_label("Yes").check()
    group(page, "Main service").get_by_label("Healing").check()
    languages = group(page, "Languages you work in")
    languages.get_by_label("English").check()
    languages.get_by_label("Somali").check()
    plan = "Weekly peer support circles led by survivors."
    page.get_by_label("What will you do with the grant?").press_sequentially(plan)
    status = page.locator(".autosave-status")
    expect(status).to_have_text(SAVED_TEXT, timeout=AUTOSAVE_TIMEOUT_MS)
    audit.check("work, autosaved")
    application.refresh_from_db()
    assert application.answers[ids["What will you do with the grant?"]] == plan
    assert application.answers[ids["Who leads the work?"]] == "Our peer team"
    assert application.answers[ids["How many people will you serve?"]] == 60
    assert application.answers[ids[STAFF_QUESTION]] == "yes"
    assert application.answers[ids["Main service"]] == "Healing"
    assert application.answers[ids["Languages you work in"]] == ["English", "Somali"]
    save_and_return()
    expect(status_of(work.title)).to_have_text("Complete")

    # Budget and documents: currency, date, budget rows and a file.
    open_section(budget.title)
    audit.check("budget")
    page.get_by_label("Other funding you have").fill("12500.50")
    page.get_by_label("When will the work start?").fill("2027-03-01")
    page.get_by_label("Item 1", exact=True).fill("Peer stipends")
    page.get_by_label("Amount for item 1", exact=True).fill("30000")
    page.get_by_label("Item 2", exact=True).fill("Meeting space")
    page.get_by_label("Amount for item 2", exact=True).fill("4500.25")
    page.get_by_label("Budget document").set_input_files(
        files=[
            {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": small_pdf()}
        ]
    )
    save_and_return()
    expect(status_of(budget.title)).to_have_text("Complete")
    audit.check("task list, all done")

    # Leave, then come back from the portal's list; the answers are still there.
    page.goto(base + "/portal/")
    audit.check("with an application")
    applications_table = page.locator("table")
    expect(applications_table).to_contain_text("Northside Healing Collective")
    with page.expect_navigation(wait_until="load"):
        applications_table.get_by_role("link", name=funding_round.title).click()
    assert urlsplit(page.url).path == task_list_path
    for section in sections:
        expect(status_of(section.title)).to_have_text("Complete")
    open_section(work.title)
    expect(page.get_by_label("What will you do with the grant?")).to_have_value(plan)
    expect(page.get_by_label("Who leads the work?")).to_have_value("Our peer team")
    expect(page.get_by_label("How many people will you serve?")).to_have_value("60")
    expect(group(page, "Main service").get_by_label("Healing")).to_be_checked()
    expect(languages.get_by_label("Somali")).to_be_checked()
    expect(languages.get_by_label("Spanish")).not_to_be_checked()
    follow(page, "Back to all sections")
    open_section(budget.title)
    expect(page.get_by_label("When will the work start?")).to_have_value("2027-03-01")
    expect(page.get_by_label("Item 2", exact=True)).to_have_value("Meeting space")
    expect(page.get_by_role("link", name="budget.pdf")).to_be_visible()
    audit.check("budget, saved")
    follow(page, "Back to all sections")

    # Check the answers, then submit.
    follow(page, "Check your answers and submit")
    audit.check()
    main = page.locator("#main-content")
    for text in [
        "Peer support circles",
        "$40,000",
        plan,
        "Our peer team",
        "60",
        "Healing",
        "English, Somali",
        "$12,500.50",
        "Peer stipends",
        "$34,500.25",
        "budget.pdf",
    ]:
        expect(main).to_contain_text(text)
    submit(page, "Submit application")

    reference = f"{funding_round.reference_prefix}-0001"
    assert (
        urlsplit(page.url).path == f"/applications/{application.public_id}/submitted/"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator(".confirmation")).to_contain_text(
        f"Your reference is {reference}"
    )
    audit.check("receipt")

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.reference == reference
    assert application.submitted_at is not None
    assert application.title == "Peer support circles"
    assert application.amount_requested == Decimal("40000.00")
    assert application.answers[ids["Budget"]]["total"] == "34500.25"
    assert Attachment.objects.get(application=application).original_name == (
        "budget.pdf"
    )
    assert (
        StatusChange.objects.filter(
            application=application, to_status=Application.Status.SUBMITTED
        ).count()
        == 1
    )

    foreign = [url for url in requests_seen if not same_host(url, live_server.url)]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert len(audit.visited) >= 18, audit.visited
    assert not audit.failures, audit.report()
