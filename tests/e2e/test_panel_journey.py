"""The review panel's journey in a real Chromium, from a score to a grant.

On the demo's blind panel: the panelist signs in with her second factor, declares
no conflict on her untouched assignment, saves a partial draft, then scores the rest
and submits; axe-core checks her pages. The chair then records the panel's
recommendation in the meeting view, and program staff record the award in the
Wagtail admin, which emails the applicant. No request may leave the live server.
"""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from applications.models import (
    Application,
    Assignment,
    ConflictDeclaration,
    Decision,
    PanelRecommendation,
    Review,
    Rubric,
    Score,
)
from cms.management.commands.seed_demo import DEMO_PASSWORD
from portal.models import User
from tests.e2e.conftest import same_host, visit, watch_requests

pytestmark = pytest.mark.browser

PANELIST = "panelist@demo.test"  # Mai
CHAIR = "chair@demo.test"  # Rosa
STAFF = "staff@demo.test"  # Naima
PANEL_NAME = "2026 Violence Prevention review panel"
CHECK_CONFLICTS = "Check for conflicts first"
TIMEOUT_MS = 10_000


# Second factor


def enrol_authenticator(email: str) -> TOTPDevice:
    """A confirmed authenticator app for a demo account, as if set up on a phone."""
    user = User.objects.get(email=email)
    return TOTPDevice.objects.create(
        user=user, name="Authenticator app", confirmed=True
    )


def current_code(device: TOTPDevice) -> str:
    """The 6 digits the person's authenticator app shows right now."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0,
        digits=device.digits,
        drift=device.drift,
    )
    return f"{value:0{device.digits}d}"


# Browser steps


def submit(page, name: str) -> None:
    """Press a button in the main content and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        page.locator("#main-content").get_by_role("button", name=name).click()


def follow(page, link) -> None:
    """Follow a link (a locator) and wait for the next page."""
    with page.expect_navigation(wait_until="load"):
        link.click()


def path_of(page) -> str:
    return urlsplit(page.url).path


def sign_in(page, base: str, email: str, device: TOTPDevice) -> None:
    """The site's sign-in page, then the second factor; lands on the portal."""
    page.goto(base + "/accounts/login/", wait_until="load")
    main = page.locator("#main-content")
    main.get_by_label("Email address").fill(email)
    main.get_by_label("Password").fill(DEMO_PASSWORD)
    submit(page, "Sign in")
    assert path_of(page) == "/accounts/two-factor/verify/", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    main.get_by_label("Code").fill(current_code(device))
    submit(page, "Continue")
    assert path_of(page) == "/portal/", page.url


class AxeAudit:
    """Runs axe-core on the page a browser shows and keeps the report of violations."""

    def __init__(self):
        self.axe = Axe()
        self.visited: list[str] = []
        self.failures: dict[str, str] = {}

    def check(self, page, label: str) -> None:
        page.wait_for_load_state("load")
        key = f"{path_of(page)} ({label})"
        self.visited.append(key)
        results = self.axe.run(page)
        if results.response["violations"]:
            self.failures[key] = results.generate_report()
            print(f"== axe-core: {key} ==\n{self.failures[key]}")  # noqa: T201

    def report(self) -> str:
        return "\n\n".join(
            f"== {key} ==\n{text}" for key, text in self.failures.items()
        )


def test_panelist_scores_chair_recommends_staff_decides(
    page, context, new_context, seeded_server
):
    base = seeded_server.url
    requests_seen = watch_requests(context, base)
    audit = AxeAudit()

    # The demo as seeded: Mai's untouched assignment on the blind panel.
    mai = User.objects.get(email=PANELIST)
    untouched = [
        assignment
        for assignment in Assignment.objects.filter(
            panel__name=PANEL_NAME, panelist=mai
        ).select_related("application__organization", "panel__funding_round")
        if not ConflictDeclaration.objects.filter(
            panelist=mai, application=assignment.application
        ).exists()
    ]
    assert len(untouched) == 1, untouched
    assignment = untouched[0]
    application = assignment.application
    organization_name = application.organization.public_name
    funding_round = assignment.panel.funding_round
    assert assignment.panel.blind_review
    assert not Review.objects.filter(assignment=assignment).exists()
    criteria = list(Rubric.objects.get(funding_round=funding_round).criteria.all())
    assert len(criteria) >= 3, criteria
    first_half, second_half = criteria[:2], criteria[2:]

    devices = {email: enrol_authenticator(email) for email in (PANELIST, CHAIR, STAFF)}

    # 1. Mai signs in, sees her queue and opens the assignment to check first.
    sign_in(page, base, PANELIST, devices[PANELIST])
    main = page.locator("#main-content")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Mai")
    queue = page.get_by_role("region", name="Your reviews")
    expect(queue).to_be_visible()
    to_check = queue.get_by_role("listitem").filter(has_text=CHECK_CONFLICTS)
    expect(to_check).to_have_count(1)
    expect(to_check).to_contain_text(application.reference)
    audit.check(page, "portal home, review queue")
    follow(page, to_check.get_by_role("link"))

    conflict_path = f"/portal/reviews/{application.public_id}/conflict/"
    assert path_of(page) == conflict_path, page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Before you read: any conflict of interest?"
    )
    expect(main.locator(".summary-list")).to_contain_text(organization_name)
    audit.check(page, "conflict question")
    page.get_by_role(
        "group", name="Do you have a conflict of interest with this organization?"
    ).get_by_label("No, I have no conflict").check()
    submit(page, "Continue")

    # The scoring page: the application beside the rubric, blinded.
    review_path = f"/portal/reviews/{application.public_id}/"
    assert path_of(page) == review_path, page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Review {application.reference}"
    )
    expect(page.get_by_role("region", name="The application")).to_be_visible()
    rubric = page.get_by_role("region", name="Your scores")
    expect(rubric).to_be_visible()
    side = page.get_by_role("region", name="The application").bounding_box()
    other_side = rubric.bounding_box()
    assert side["x"] + side["width"] <= other_side["x"], (side, other_side)
    expect(main).not_to_contain_text(organization_name)
    assert (
        ConflictDeclaration.objects.get(
            panelist=mai, application=application
        ).has_conflict
        is False
    )
    audit.check(page, "scoring, new")

    def score(criterion, value: int) -> None:
        level = criterion.levels[value - 1]
        rubric.get_by_role("group", name=criterion.title).get_by_label(
            f"{value}: {level}", exact=True
        ).check()

    # 2. Some scores, then a draft.
    for criterion in first_half:
        score(criterion, 4)
    submit(page, "Save draft")
    assert path_of(page) == review_path, page.url
    expect(main.locator(".messages")).to_contain_text("Your draft is saved.")
    still_open = rubric.locator(".panel").filter(has_text="Still to score:")
    expect(still_open.get_by_role("listitem")).to_have_text(
        [criterion.title for criterion in second_half]
    )
    for criterion in first_half:
        expect(
            rubric.get_by_role("group", name=criterion.title).get_by_label(
                f"4: {criterion.levels[3]}", exact=True
            )
        ).to_be_checked()
    draft = Review.objects.get(assignment=assignment)
    assert draft.submitted_at is None
    assert draft.scores.count() == len(first_half)
    audit.check(page, "scoring, draft saved")

    # The rest, a recommendation and a strength; then submit.
    for criterion in second_half:
        score(criterion, 3)
    rubric.get_by_role("group", name="Overall recommendation").get_by_label(
        "Fund", exact=True
    ).check()
    strength = "Circles in Hmong and English reach families no one else does."
    rubric.get_by_label("Strengths").fill(strength)
    submit(page, "Submit review")
    assert path_of(page) == "/portal/", page.url
    expect(main.locator(".messages")).to_contain_text(
        "Thank you. Your review is submitted and locked."
    )
    reviewed = queue.get_by_role("listitem").filter(has_text=application.reference)
    expect(reviewed).to_contain_text("Submitted")
    expect(
        queue.get_by_role("listitem").filter(has_text=CHECK_CONFLICTS)
    ).to_have_count(0)
    audit.check(page, "portal home, review submitted")

    review = Review.objects.get(assignment=assignment)
    assert review.submitted_at is not None
    assert review.recommendation == Review.Recommendation.FUND
    assert review.strengths == strength
    assert Score.objects.filter(review=review).count() == len(criteria)
    assert dict(review.scores.values_list("criterion_id", "value")) == {
        **{criterion.pk: 4 for criterion in first_half},
        **{criterion.pk: 3 for criterion in second_half},
    }

    # 4. Rosa chairs the meeting and records the panel's recommendation.
    assert not PanelRecommendation.objects.filter(application=application).exists()
    assert Review.objects.filter(
        assignment__application=application, submitted_at__isnull=False
    ).exists()
    rosa = new_context()
    requests_seen_rosa = watch_requests(rosa, base)
    page = rosa.new_page()
    main = page.locator("#main-content")
    sign_in(page, base, CHAIR, devices[CHAIR])
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Rosa")
    meetings = page.get_by_role("region", name="Panel meetings")
    follow(page, meetings.get_by_role("link", name=PANEL_NAME))
    panel_id = assignment.panel_id
    assert path_of(page) == f"/portal/panels/{panel_id}/meeting/", page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Panel meeting: {PANEL_NAME}"
    )
    ranking = page.get_by_role("table", name="Applications ranked by score")
    expect(ranking.get_by_role("columnheader", name="Band")).to_be_visible()
    row = ranking.get_by_role("row").filter(has_text=application.reference)
    expect(row).to_have_count(1)
    expect(row).not_to_contain_text("Not scored yet")
    audit.check(page, "panel meeting")
    follow(page, row.get_by_role("link", name=f"Record {application.reference}"))

    assert (
        path_of(page) == f"/portal/panels/{panel_id}/meeting/{application.public_id}/"
    ), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Panel recommendation for {application.reference}"
    )
    audit.check(page, "recommendation form")
    page.get_by_role("group", name="How the panel decided").get_by_label(
        "Consensus", exact=True
    ).check()
    page.get_by_role("group", name="The panel recommends").get_by_label(
        "Fund", exact=True
    ).check()
    rationale = "Families lead the circles, and the budget fits the plan."
    page.get_by_label("Why the panel recommends this").fill(rationale)
    submit(page, "Record the recommendation")
    assert path_of(page) == f"/portal/panels/{panel_id}/meeting/", page.url
    expect(main.locator(".messages")).to_contain_text(
        f"The panel's recommendation for {application.reference} is recorded."
    )
    expect(row).to_contain_text("Fund")
    expect(
        row.get_by_role("link", name=f"Change {application.reference}")
    ).to_be_visible()
    recommendation = PanelRecommendation.objects.get(application=application)
    assert recommendation.method == PanelRecommendation.Method.CONSENSUS
    assert recommendation.outcome == Review.Recommendation.FUND
    assert recommendation.rationale == rationale
    assert recommendation.recorded_by.email == CHAIR

    # 5. Naima records the award in the Wagtail admin; the applicant is emailed.
    application.refresh_from_db()
    amount = min(application.amount_requested, Decimal("30000"))
    assert funding_round.min_award <= amount <= funding_round.max_award
    naima = new_context()
    requests_seen_naima = watch_requests(naima, base)
    page = naima.new_page()
    sign_in(page, base, STAFF, devices[STAFF])
    inspect_path = f"/admin/applications/inspect/{application.pk}/"
    visit(page, seeded_server, inspect_path)
    assert path_of(page) == inspect_path, page.url
    panel_section = page.get_by_role("region", name="Review panel")
    expect(panel_section).to_contain_text("The panel recommends: Fund (Consensus).")
    follow(page, panel_section.get_by_role("link", name="Record the decision"))

    assert path_of(page) == f"{inspect_path}decision/", page.url
    page.get_by_role("radio", name="Award", exact=True).check()
    page.get_by_label("Award amount (USD)").fill(f"{amount:.2f}")
    page.get_by_label("Public title of the award").fill("Family healing circles")
    page.get_by_label("Public summary of the award").fill(
        "Family healing circles and prevention education in two languages."
    )
    page.get_by_label("Grant starts on").fill("2027-01-01")
    page.get_by_label("Grant ends on").fill("2027-12-31")
    sent_before = len(mail.outbox)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name="Record the decision").click()
    assert path_of(page) == inspect_path, page.url
    expect(
        page.get_by_text("Decision recorded. The applicant has been emailed.")
    ).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("region", name="Review panel")).to_contain_text(
        "Decision: Award"
    )

    decision = Decision.objects.get(application=application)
    assert decision.outcome == Decision.Outcome.AWARD
    assert decision.amount == amount
    application.refresh_from_db()
    assert application.award is not None
    assert application.award.public_title == "Family healing circles"
    assert application.award.amount == amount
    assert decision.decided_by.email == STAFF
    application.refresh_from_db()
    assert application.status == Application.Status.AWARDED

    # The live server runs in this process: its locmem outbox is this one.
    new_mail = mail.outbox[sent_before:]
    subject = f"Good news about your application {application.reference}"
    assert [message.subject for message in new_mail] == [subject], [
        message.subject for message in new_mail
    ]
    owners = sorted(
        application.organization.memberships.values_list("user__email", flat=True)
    )
    assert sorted(new_mail[0].bcc) == owners
    assert new_mail[0].to == []

    # Nothing left the machine, and axe-core (3.) found nothing on the portal pages.
    seen = requests_seen + requests_seen_rosa + requests_seen_naima
    foreign = [url for url in seen if not same_host(url, base)]
    assert not foreign, f"requests to other hosts: {foreign}"
    assert len(audit.visited) == 7, audit.visited
    assert not audit.failures, audit.report()
