"""A sweep of hostile input through the whole portal.

1. Stored XSS: markup typed into every applicant-written (and panel-written) field is
   shown escaped on every page where staff, finance, chairs, panelists and the
   applicant read it.
2. Formula injection: text starting with ``= + - @``, tab or carriage return never
   reaches a CSV or XLSX cell as a formula, and amounts stay numbers.
3. Header injection: line breaks and ``Bcc:`` in anything that becomes an address or
   a header give a form error, or an email with no extra header or recipient.
4. NUL characters and 1 MB strings in every form get a kind answer (400, or the form
   again with a message), never a server error, and nothing is written.

The NUL and long-text cases already in test_hostile_input.py (sign-up, search, sign
in, organization creation, progress report barriers, fund creation) are not repeated.
"""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from applications import services as app_services
from applications.models import (
    Application,
    Assignment,
    ConflictDeclaration,
    HoursEntry,
    InformationRequest,
    InternalNote,
    PanelInvitation,
    PanelRecommendation,
    Review,
    StatusChange,
)
from applications.schema import live_raw_blocks, sections_from
from grants import services as grant_services
from grants.models import (
    Award,
    Disbursement,
    HiringCommitment,
    HiringReport,
    Installment,
    Invitation,
    LedgerEntry,
    Organization,
)
from portal import roles
from portal.models import User
from tests.factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganizationFactory,
    PanelFactory,
    PanelMembershipFactory,
    RubricFactory,
    UserFactory,
)
from tests.helpers import exported, login_verified

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>\"'><svg onload=alert(1)>"
# "/" would cut a file name down to its last part, so the file name has none.
FILE_NAME = "\"'><img src=x onerror=alert(1)><svg onload=alert(1)>#file.pdf"
LIVE_MARKUP = ("<script>alert(1)", "<img src=x onerror", "<svg onload")
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
NUL = "budget\x00plan"
HUGE = "x" * 1_000_000
PASSWORD = "plum-harbor-lantern-97"


def hostile(tag: str) -> str:
    """The XSS payload with a tag saying which field it was typed into."""
    return f"{XSS}#{tag}"


def assert_escaped(html: str, tags: list[str]) -> None:
    """No payload is live markup; each tagged payload is shown, escaped."""
    live = [marker for marker in LIVE_MARKUP if marker in html]
    assert not live, f"live markup on the page: {live}"
    for tag in tags:
        shown = escape(FILE_NAME) if tag == "file" else escape(hostile(tag))
        assert shown in html, f"{tag} is not shown escaped"


# Stored XSS: one applicant, two applications, a panel, an award and its money ------


@dataclass
class World:
    staff: User
    finance: User
    applicant: User
    panelist: User
    conflicted: User
    abstainer: User
    chair: User
    organization: Organization
    application: Application
    second: Application
    panel: object
    seat: object
    award: Award
    offered: Award
    report: HiringReport
    disbursement: Disbursement
    stipend: object
    work_section: str


def _applicant_fills(applicant, form, organization, staff, *, reply: bool):
    """The applicant answers every question through the section pages and submits;
    staff screen it (asking for more information first when ``reply``)."""
    application = app_services.start_application(
        actor=applicant, funding_round=form.funding_round, organization=organization
    )
    about, work, budget = sections_from(live_raw_blocks(form))
    ids = {f.label: f.id for s in (about, work, budget) for f in s.fields}
    client = Client()
    client.force_login(applicant)

    def post(section, data):
        url = reverse(
            "applications:section",
            kwargs={"public_id": application.public_id, "section_id": section.id},
        )
        assert client.post(url, {"version": "", **data}).status_code == 302

    def submit():
        url = reverse("applications:check", kwargs={"public_id": application.public_id})
        assert client.post(url).status_code == 302

    post(about, {"title": hostile("title"), "amount_requested": "20000"})
    work_answers = {
        ids["What will you do with the grant?"]: hostile("long-text"),
        ids["Who leads the work?"]: hostile("short-text"),
        ids["How many people will you serve?"]: "40",
        ids["Are people with lived experience on your staff?"]: "yes",
        ids["Main service"]: "Housing",
        ids["Languages you work in"]: ["English"],
    }
    post(work, work_answers)
    post(
        budget,
        {
            ids["When will the work start?"]: "2027-04-01",
            f"{ids['Budget']}-item-0": hostile("budget-item"),
            f"{ids['Budget']}-amount-0": "1000",
            ids["Budget document"]: SimpleUploadedFile(
                FILE_NAME, PDF, "application/pdf"
            ),
        },
    )
    submit()
    app_services.change_status(
        actor=staff, application=application, to_status="screening"
    )
    if reply:
        app_services.request_information(
            actor=staff,
            application=application,
            sections=[work.id],
            message="Please say more about the work.",
        )
        # The reply to an information request is the reopened section, answered again.
        long_text = ids["What will you do with the grant?"]
        post(work, {**work_answers, long_text: hostile("info-reply")})
        submit()
    app_services.change_status(
        actor=staff, application=application, to_status="eligible"
    )
    application.refresh_from_db()
    return application, work.id


def build_world() -> World:
    today = timezone.localdate()
    staff = UserFactory(roles=[roles.PROGRAM_STAFF], is_staff=True)
    finance = UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True)
    finance2 = UserFactory(roles=[roles.FINANCE_STAFF], is_staff=True)
    applicant = UserFactory(
        roles=[roles.APPLICANTS],
        first_name=hostile("applicant-name"),
        email_confirmed_at=timezone.now(),
    )
    form = ApplicationFormFactory(funding_round=FundingRoundFactory())
    organizations = [
        grant_services.create_organization(
            actor=applicant,
            legal_name=hostile("org-legal"),
            public_name=hostile("org-public"),
            address_line1=hostile("org-address1"),
            address_line2=hostile("org-address2"),
            city=hostile("org-city"),
            state="MN",
            postal_code="55401",
            mission=hostile("org-mission"),
            survivor_led=True,
            contact_name=hostile("org-contact"),
            contact_email="office@collective.example.org",
            contact_phone="",
        )
        for _ in range(2)
    ]
    application, work_section = _applicant_fills(
        applicant, form, organizations[0], staff, reply=True
    )
    second, _work = _applicant_fills(
        applicant, form, organizations[1], staff, reply=False
    )

    panel = PanelFactory(funding_round=form.funding_round, blind_review=False)
    criteria = list(RubricFactory(funding_round=form.funding_round).criteria.all())
    seats = {
        name: PanelMembershipFactory(
            panel=panel, user=UserFactory(first_name=hostile(f"{name}-name"))
        )
        for name in ("panelist", "conflicted", "abstainer")
    }
    chair = PanelMembershipFactory(
        panel=panel, role="chair", user=UserFactory(first_name=hostile("chair-name"))
    ).user
    panelist, conflicted, abstainer = (
        seats["panelist"].user,
        seats["conflicted"].user,
        seats["abstainer"].user,
    )

    def assign(user, target):
        return app_services.assign_reviewer(
            actor=staff, panel=panel, application=target, panelist=user, due_on=None
        )

    first = {name: assign(seat.user, application) for name, seat in seats.items()}
    app_services.declare_conflict(
        actor=panelist,
        assignment=first["panelist"],
        has_conflict=False,
        reason="",
        details="",
    )
    review_text = {
        "strengths": hostile("strengths"),
        "concerns": hostile("concerns"),
        "questions": hostile("questions"),
    }
    app_services.save_review(
        actor=panelist,
        assignment=first["panelist"],
        scores={criterion.pk: 4 for criterion in criteria},
        recommendation="fund",
        abstained=False,
        abstain_reason="",
        submit=True,
        **review_text,
    )
    app_services.declare_conflict(
        actor=conflicted,
        assignment=first["conflicted"],
        has_conflict=True,
        reason="other",
        details=hostile("conflict-details"),
    )
    app_services.declare_conflict(
        actor=abstainer,
        assignment=first["abstainer"],
        has_conflict=False,
        reason="",
        details="",
    )
    app_services.save_review(
        actor=abstainer,
        assignment=first["abstainer"],
        scores={},
        recommendation="",
        strengths="",
        concerns="",
        questions="",
        abstained=True,
        abstain_reason=hostile("abstain-reason"),
        submit=True,
    )
    app_services.log_hours(
        actor=panelist,
        membership=seats["panelist"],
        worked_on=today,
        hours=Decimal("2.5"),
        activity=hostile("hours-activity"),
    )
    app_services.record_recommendation(
        actor=chair,
        application=application,
        method="consensus",
        outcome="fund",
        rationale=hostile("rationale"),
        votes_for=None,
        votes_against=None,
        votes_abstaining=None,
    )
    # The second application stays in review: a draft review, an open conflict check.
    second_review = assign(panelist, second)
    app_services.declare_conflict(
        actor=panelist,
        assignment=second_review,
        has_conflict=False,
        reason="",
        details="",
    )
    app_services.save_review(
        actor=panelist,
        assignment=second_review,
        scores={},
        recommendation="",
        abstained=False,
        abstain_reason="",
        submit=False,
        **review_text,
    )
    assign(conflicted, second)

    award_details = {
        "public_title": "Peer support circles",
        "public_summary": "Weekly peer support led by survivors.",
        "starts_on": today - timedelta(days=100),
        "ends_on": today + timedelta(days=264),
        "conditions": "",
    }
    app_services.record_decision(
        actor=staff,
        application=application,
        outcome="award",
        amount=Decimal("20000.00"),
        feedback="",
        feedback_approved=False,
        award_details=award_details,
    )
    application.refresh_from_db()
    award = application.award
    grant_services.accept_award(
        actor=applicant, award=award, signer_name=hostile("signer")
    )
    report = award.hiring_reports.order_by("number").first()
    grant_services.submit_report(
        actor=applicant,
        report=report,
        counts={},
        served={},
        narrative={
            "barriers": hostile("barriers"),
            "support_needed": hostile("support-needed"),
            "over_commitment_explanation": "",
        },
    )
    offered = grant_services.create_award(
        actor=staff,
        organization=organizations[1],
        funding_round=form.funding_round,
        amount=Decimal("15000.00"),
        **award_details,
    )
    installments = grant_services.set_schedule(
        actor=staff,
        award=award,
        installments=[
            {
                "due_on": today + timedelta(days=10),
                "amount": Decimal("20000.00"),
                "condition": "",
                "reports_required": 0,
            }
        ],
    )
    disbursement = grant_services.request_disbursement(
        actor=finance, installment=installments[0], method="manual_ach"
    )
    app_services.send_stipends_to_finance(actor=staff, panel=panel)
    stipend = panelist.stipends.get()
    payment = grant_services.request_stipend_payment(
        actor=finance, stipend=stipend, method="check"
    )
    grant_services.approve_disbursement(actor=finance2, disbursement=payment)
    grant_services.mark_sent(actor=finance, disbursement=payment, reference="CHK 1")
    grant_services.mark_paid(actor=finance, disbursement=payment, paid_on=today)
    return World(
        staff=staff,
        finance=finance,
        applicant=applicant,
        panelist=panelist,
        conflicted=conflicted,
        abstainer=abstainer,
        chair=chair,
        organization=organizations[0],
        application=application,
        second=second,
        panel=panel,
        seat=seats["panelist"],
        award=award,
        offered=offered,
        report=report,
        disbursement=disbursement,
        stipend=stipend,
        work_section=work_section,
    )


@pytest.fixture(scope="module")
def _world_module(django_db_setup, django_db_blocker):
    """Built once per module inside a transaction rolled back at the end (each test
    still runs in its own savepoint, like the demo_site fixture)."""
    with django_db_blocker.unblock():
        cache.clear()
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            cache.clear()


@pytest.fixture
def world(_world_module, db):
    return _world_module


ORG_TAGS = [
    "org-legal",
    "org-public",
    "org-address1",
    "org-address2",
    "org-city",
    "org-mission",
    "org-contact",
]
ANSWER_TAGS = ["title", "short-text", "info-reply", "budget-item", "file"]
PANEL_NAMES = ["panelist-name", "conflicted-name", "abstainer-name", "chair-name"]

# (who reads, the page, the applicant- or panel-written text it shows)
READERS = [
    # Program staff in the Wagtail admin
    ("staff", lambda w: reverse("screening:index"), ["title", "org-public"]),
    (
        "staff",
        lambda w: reverse("screening:inspect", args=[w.application.pk]),
        [*ANSWER_TAGS, "org-public", "conflict-details", "conflicted-name"]
        + ["rationale"],
    ),
    (
        "staff",
        lambda w: reverse("screening:inspect", args=[w.second.pk]),
        ["title", "short-text", "long-text", "budget-item", "file", "org-public"],
    ),
    (
        "staff",
        lambda w: reverse("screening:change_status", args=[w.second.pk]),
        [],
    ),
    (
        "staff",
        lambda w: reverse("screening:record_decision", args=[w.second.pk]),
        [],
    ),
    (
        "staff",
        lambda w: reverse("panels:inspect", args=[w.panel.pk]),
        ["org-public", *PANEL_NAMES],
    ),
    ("staff", lambda w: reverse("panels:ranking", args=[w.panel.pk]), ["title"]),
    (
        "staff",
        lambda w: reverse("panels:assign", args=[w.panel.pk]),
        ["title", *PANEL_NAMES],
    ),
    ("staff", lambda w: reverse("panels:auto_assign", args=[w.panel.pk]), []),
    (
        "staff",
        lambda w: reverse("panels:content_note", args=[w.panel.pk, w.second.pk]),
        [],
    ),
    ("staff", lambda w: reverse("awards:index"), ["org-public"]),
    (
        "staff",
        lambda w: reverse("awards:inspect", args=[w.award.pk]),
        ["org-public", "signer"],
    ),
    ("staff", lambda w: reverse("hiring_reports:index"), []),
    (
        "staff",
        lambda w: reverse("hiring_reports:inspect", args=[w.report.pk]),
        ["org-public", "barriers", "support-needed", "applicant-name"],
    ),
    (
        "staff",
        lambda w: reverse("hiring_reports:return", args=[w.report.pk]),
        [],
    ),
    ("staff", lambda w: reverse("hiring_dashboard"), ["org-public", "support-needed"]),
    ("staff", lambda w: "/admin/reports/site-history/", ["applicant-name"]),
    # Finance
    ("finance", lambda w: reverse("finance:dashboard"), ["org-public"]),
    ("finance", lambda w: reverse("finance:installments"), ["org-public"]),
    ("finance", lambda w: reverse("finance:stipend_totals"), ["panelist-name"]),
    (
        "finance",
        lambda w: reverse("disbursements:index"),
        ["org-public", "panelist-name"],
    ),
    (
        "finance",
        lambda w: reverse("disbursements:inspect", args=[w.disbursement.pk]),
        ["org-public"],
    ),
    (
        "finance",
        lambda w: reverse("disbursements:approve", args=[w.disbursement.pk]),
        ["org-public"],
    ),
    ("finance", lambda w: reverse("stipends:index"), []),
    ("finance", lambda w: reverse("stipends:inspect", args=[w.stipend.pk]), []),
    ("finance", lambda w: reverse("ledger:index"), []),
    (
        "finance",
        lambda w: reverse("awards:inspect", args=[w.award.pk]),
        ["org-public", "signer"],
    ),
    # The panel chair
    (
        "chair",
        lambda w: reverse("applications:panel_meeting", args=[w.panel.pk]),
        ["title"],
    ),
    (
        "chair",
        lambda w: reverse(
            "applications:panel_recommend", args=[w.panel.pk, w.application.public_id]
        ),
        ["title", "strengths", "concerns", "questions", "abstain-reason"]
        + ["rationale"],
    ),
    ("chair", lambda w: reverse("applications:portal_home"), ["chair-name"]),
    # Panelists
    (
        "panelist",
        lambda w: reverse("applications:review", args=[w.second.public_id]),
        ["title", "long-text", "short-text", "budget-item", "strengths"]
        + ["concerns", "questions"],
    ),
    (
        "conflicted",
        lambda w: reverse("applications:review_conflict", args=[w.second.public_id]),
        ["org-public"],
    ),
    (
        "panelist",
        lambda w: reverse("applications:panel_detail", args=[w.panel.pk]),
        ["hours-activity"],
    ),
    ("panelist", lambda w: reverse("applications:portal_home"), ["panelist-name"]),
    # The applicant's own pages
    (
        "applicant",
        lambda w: reverse("applications:portal_home"),
        ["org-public", "applicant-name"],
    ),
    (
        "applicant",
        lambda w: reverse("applications:task_list", args=[w.application.public_id]),
        ["org-public"],
    ),
    (
        "applicant",
        lambda w: reverse("applications:check", args=[w.application.public_id]),
        [*ANSWER_TAGS, "org-public"],
    ),
    (
        "applicant",
        lambda w: reverse("applications:print", args=[w.application.public_id]),
        [*ANSWER_TAGS, "org-public"],
    ),
    ("applicant", lambda w: reverse("grants:organization_list"), ["org-public"]),
    (
        "applicant",
        lambda w: reverse("grants:organization_detail", args=[w.organization.pk]),
        [*ORG_TAGS, "applicant-name"],
    ),
    (
        "applicant",
        lambda w: reverse("grants:organization_edit", args=[w.organization.pk]),
        ORG_TAGS,
    ),
    (
        "applicant",
        lambda w: reverse("grants:ownership_transfer", args=[w.organization.pk]),
        [],
    ),
    (
        "applicant",
        lambda w: reverse("grants:award_detail", args=[w.award.pk]),
        ["org-public", "signer"],
    ),
    (
        "applicant",
        lambda w: reverse("grants:award_detail", args=[w.offered.pk]),
        ["org-public"],
    ),
    (
        "applicant",
        lambda w: reverse("grants:report_detail", args=[w.award.pk, w.report.pk]),
        ["barriers", "support-needed"],
    ),
]


def _reader(world, role):
    return getattr(world, role)


def _sign_in(client, user, role):
    if role == "applicant":
        client.force_login(user)
    else:
        login_verified(client, user)


@pytest.mark.parametrize(
    ("role", "page", "tags"),
    READERS,
    ids=[f"{role}-{index}" for index, (role, _page, _tags) in enumerate(READERS)],
)
def test_written_markup_is_shown_escaped_to_every_reader(
    client, world, role, page, tags
):
    _sign_in(client, _reader(world, role), role)
    response = client.get(page(world))
    assert response.status_code == 200
    assert_escaped(response.content.decode(), tags)


def test_the_applicants_section_page_shows_answers_escaped_in_its_inputs(client, world):
    # A third round keeps the application a draft, so every input is on the page.
    form = ApplicationFormFactory()
    application = app_services.start_application(
        actor=world.applicant,
        funding_round=form.funding_round,
        organization=world.organization,
    )
    about, work, _budget = sections_from(live_raw_blocks(form))
    app_services.save_section(
        actor=world.applicant,
        application=application,
        section_id=work.id,
        answers={
            work.fields[0].id: hostile("long-text"),
            work.fields[1].id: hostile("short-text"),
        },
        version=None,
    )
    client.force_login(world.applicant)
    for section, tags in ((work, ["long-text", "short-text"]), (about, [])):
        response = client.get(
            reverse(
                "applications:section",
                kwargs={"public_id": application.public_id, "section_id": section.id},
            )
        )
        assert response.status_code == 200
        assert_escaped(response.content.decode(), tags)


@pytest.mark.parametrize(
    "listing", ["screening:index", "awards:index", "hiring_reports:index"]
)
def test_a_search_for_markup_is_echoed_escaped(client, world, listing):
    login_verified(client, world.staff)
    response = client.get(reverse(listing), {"q": XSS})
    assert response.status_code == 200
    html = response.content.decode()
    assert not [marker for marker in LIVE_MARKUP if marker in html]
    assert escape(XSS) in html


def test_the_site_history_report_opens_for_an_administrator(client, world):
    administrator = UserFactory(is_staff=True, is_superuser=True)
    login_verified(client, administrator)
    response = client.get("/admin/reports/site-history/")
    assert response.status_code == 200
    assert_escaped(response.content.decode(), [])


# Formula injection in every export ---------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _is_number(value) -> bool:
    if isinstance(value, int | float | Decimal):
        return True
    try:
        return Decimal(value).is_finite()
    except (ArithmeticError, ValueError, TypeError):
        return False


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def exported_rows(response, export_format: str) -> list[list]:
    """The cells of a CSV or XLSX download; XLSX formula cells fail here."""
    assert response.status_code == 200
    if export_format == "csv":
        return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(_body(response)))
    rows = []
    for row in workbook.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"formula cell {cell.coordinate}"
        rows.append([cell.value for cell in row])
    return rows


def _same_text(value) -> str:
    # XML turns a carriage return into a line feed; compare them as one.
    return str(value).replace("\r", "\n")


def assert_formula_safe(rows, *, expected=FORMULAS, numeric=()) -> None:
    """No text cell starts a formula; each hostile text is there, neutralised; the
    named columns hold numbers."""
    header, body = rows[0], rows[1:]
    assert body, "the export has no rows"
    for row in body:
        for value in row:
            if isinstance(value, str) and not _is_number(value):
                assert not value.startswith(TRIGGERS), f"formula cell: {value!r}"
    cells = {_same_text(value) for row in body for value in row if value is not None}
    for text in expected:
        assert _same_text("'" + text) in cells, f"{text!r} is missing or altered"
    for name in numeric:
        column = header.index(name)
        assert all(_is_number(row[column]) for row in body), f"{name} is not numeric"


def _formula_applications():
    form = ApplicationFormFactory(funding_round=FundingRoundFactory(title=FORMULAS[0]))
    return [
        ApplicationFactory(
            form=form,
            status="submitted",
            organization=OrganizationFactory(public_name=text),
        )
        for text in FORMULAS
    ]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_application_listing_export_is_formula_safe(
    client, program_staff, export_format
):
    _formula_applications()
    login_verified(client, program_staff)
    response = exported(client, reverse("screening:index"), {"export": export_format})
    assert_formula_safe(
        exported_rows(response, export_format), numeric=["Amount requested"]
    )


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_bulk_export_of_selected_applications_is_formula_safe(
    client, program_staff, export_format
):
    applications = _formula_applications()
    login_verified(client, program_staff)
    query = "&".join(f"id={application.pk}" for application in applications)
    response = exported(
        client,
        f"/admin/bulk/applications/application/export_selected/?{query}",
        post={"export_format": export_format},
    )
    assert_formula_safe(
        exported_rows(response, export_format), numeric=["Amount requested"]
    )


def _accepted_award(program_staff, organization, funding_round, **values):
    today = timezone.localdate()
    owner = UserFactory(email_confirmed_at=timezone.now())
    MembershipFactory(organization=organization, user=owner, role="owner")
    award = grant_services.create_award(
        actor=program_staff,
        organization=organization,
        funding_round=funding_round,
        amount=Decimal("20000.00"),
        public_title=values.get("public_title", "Peer support circles"),
        public_summary=values.get("public_summary", "Weekly peer support."),
        starts_on=today,
        ends_on=today + timedelta(days=364),
    )
    grant_services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")
    return award


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_ledger_export_is_formula_safe(
    client, program_staff, finance_officer, export_format
):
    funding_round = FundingRoundFactory(title=FORMULAS[0])
    award = _accepted_award(program_staff, OrganizationFactory(), funding_round)
    for index, reason in enumerate(FORMULAS):
        # Up and down in turn, so the ledger holds negative amounts too.
        amount = Decimal("21000.00") if index % 2 == 0 else Decimal("20000.00")
        grant_services.amend_award(
            actor=program_staff, award=award, amount=amount, reason=reason
        )
    login_verified(client, finance_officer)
    response = exported(client, reverse("ledger:index"), {"export": export_format})
    rows = exported_rows(response, export_format)
    # A memo is the reason with its outer blanks trimmed ("\t=1" is kept as "=1").
    memos = {text.strip() for text in FORMULAS}
    assert_formula_safe(rows, expected=memos, numeric=["Amount (USD)"])
    amounts = [Decimal(str(row[rows[0].index("Amount (USD)")])) for row in rows[1:]]
    assert min(amounts) < 0


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_stipend_export_is_formula_safe(
    client, program_staff, finance_officer, export_format
):
    for text in FORMULAS:
        grant_services.record_stipend(
            actor=program_staff,
            panelist=UserFactory(roles=[roles.PANELISTS]),
            funding_round=FundingRoundFactory(title=text),
            hours=Decimal("3.00"),
            rate=Decimal("40.00"),
            reviews=2,
            flat_per_review=None,
        )
    login_verified(client, finance_officer)
    response = exported(client, reverse("stipends:index"), {"export": export_format})
    assert_formula_safe(exported_rows(response, export_format))


@pytest.mark.parametrize(
    ("url", "numeric"),
    [
        ("/open-data/360giving.csv", ["Amount Awarded", "Amount Disbursed"]),
        ("/open-data/grants-candid.csv", ["Amount"]),
    ],
)
def test_the_open_data_csv_files_are_formula_safe(client, program_staff, url, numeric):
    funding_round = FundingRoundFactory(budget=Decimal("900000.00"))
    for text in FORMULAS:
        _accepted_award(
            program_staff,
            OrganizationFactory(public_name=text, city=text[:100]),
            funding_round,
            public_title=text,
            public_summary=text,
        )
    response = client.get(url)
    assert_formula_safe(exported_rows(response, "csv"), numeric=numeric)


# Header injection in every field that becomes an address or a header ----------------

INJECTIONS = [
    "x@evil.test\r\nBcc: y@evil.test",
    "x@evil.test\nBcc: y@evil.test",
    "x@evil.test%0d%0aBcc:y@evil.test",
    "Bcc: y@evil.test",
]


def assert_no_injected_header(outbox, *, allowed: set[str]) -> None:
    """Every message goes only to allowed addresses, with one-line headers and no
    Bcc header or recipient smuggled in."""
    for message in outbox:
        assert set(message.recipients()) <= allowed, message.recipients()
        assert "y@evil.test" not in " ".join(message.recipients())
        assert "\r" not in message.subject
        assert "\n" not in message.subject
        headers = message.message()
        assert headers["Bcc"] is None
        for name in ("To", "Cc", "Reply-To", "From"):
            value = headers[name] or ""
            assert "y@evil.test" not in value, (name, value)
        # Text may appear in the subject, but only on its one line.
        assert "\n" not in str(headers["Subject"]).replace("\n ", " ")


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_sign_up_address_cannot_carry_a_header(
    client, value, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {
                "first_name": "Amina",
                "email": value,
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not User.objects.filter(email__icontains="evil.test").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_sign_up_name_cannot_add_a_header_or_recipient(
    client, value, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:signup"),
            {
                "first_name": value,
                "email": "new.person@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code in (200, 302)
    assert_no_injected_header(mail.outbox, allowed={"new.person@example.org"})


@pytest.mark.parametrize("value", INJECTIONS)
@pytest.mark.parametrize(
    ("url_name", "field"),
    [
        ("accounts:password_reset", "email"),
        ("accounts:resend_confirmation", "email"),
    ],
)
def test_an_address_asked_for_a_link_cannot_carry_a_header(
    client, url_name, field, value, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(url_name), {field: value})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors[field]
    assert_no_injected_header(mail.outbox, allowed=set())


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_new_email_address_cannot_carry_a_header(
    client, value, django_capture_on_commit_callbacks
):
    person = UserFactory(password=PASSWORD, email_confirmed_at=timezone.now())
    client.force_login(person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:change_email"),
            {"current_password": PASSWORD, "new_email": value},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["new_email"]
    person.refresh_from_db()
    assert "evil" not in person.email
    assert mail.outbox == []


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_organization_invitation_address_cannot_carry_a_header(
    client, applicant, value, django_capture_on_commit_callbacks
):
    organization = OrganizationFactory(owner=applicant)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grants:member_invite", args=[organization.pk]),
            {"email": value, "role": "editor"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_panel_invitation_address_cannot_carry_a_header(
    client, program_staff, value, django_capture_on_commit_callbacks
):
    panel = PanelFactory()
    login_verified(client, program_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("panels:invite", args=[panel.pk]),
            {"email": value, "role": "panelist", "stipend_rate": "40.00"},
        )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not PanelInvitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_organization_name_in_an_invitation_subject_stays_on_one_line(
    applicant, value, django_capture_on_commit_callbacks
):
    # The form refuses line breaks in names; the subject guards on its own too.
    organization = OrganizationFactory(owner=applicant, public_name=f"Circle {value}")
    with django_capture_on_commit_callbacks(execute=True):
        grant_services.invite_member(
            actor=applicant,
            organization=organization,
            email="colleague@example.org",
            role="editor",
        )
    assert len(mail.outbox) == 1
    assert_no_injected_header(mail.outbox, allowed={"colleague@example.org"})


@pytest.mark.parametrize("value", INJECTIONS)
def test_an_organization_name_with_a_line_break_is_refused(client, applicant, value):
    organization = OrganizationFactory(owner=applicant)
    client.force_login(applicant)
    response = client.post(
        reverse("grants:organization_edit", args=[organization.pk]),
        {
            "legal_name": "Circle Inc.",
            "public_name": value,
            "address_line1": "1 Main St",
            "city": "Minneapolis",
            "state": "MN",
            "postal_code": "55401",
            "mission": "Peer support.",
            "contact_name": "Amina",
            "contact_email": value,
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "contact_email" in errors
    if "\n" in value:
        assert "public_name" in errors
    organization.refresh_from_db()
    assert "evil" not in organization.public_name + organization.contact_email


# NUL characters and 1 MB strings in every form ---------------------------------------


@dataclass
class FormCase:
    """One text input: who posts where, the data, and what must stay unchanged."""

    role: str
    url: object  # world -> url
    data: object  # (world, hostile text) -> POST data
    state: object  # world -> a snapshot of what the form would write
    headers: dict | None = None


def _draft(world):
    """A draft of the applicant's in a fresh round, and its form's sections."""
    form = ApplicationFormFactory()
    application = app_services.start_application(
        actor=world.applicant,
        funding_round=form.funding_round,
        organization=world.organization,
    )
    return application, sections_from(live_raw_blocks(form))


def _draft_section_case(index, field_name=None):
    def url(world):
        application, sections = _draft(world)
        world.draft = application
        return reverse(
            "applications:section",
            kwargs={
                "public_id": application.public_id,
                "section_id": sections[index].id,
            },
        )

    def data(world, text):
        sections = sections_from(
            world.draft.form_snapshot
            or live_raw_blocks(world.draft.funding_round.application_form)
        )
        section = sections[index]
        if field_name == "budget":
            budget = next(f for f in section.fields if f.type == "budget_table")
            return {f"{budget.id}-item-0": text, f"{budget.id}-amount-0": "10"}
        if index == 0:
            return {"title": text}
        kinds = {"long": "long_text", "short": "short_text"}
        field = next(f for f in section.fields if f.type == kinds[field_name])
        return {field.id: text}

    def state(world):
        draft = getattr(world, "draft", None)
        if draft is None:
            return None
        draft = Application.objects.get(pk=draft.pk)
        return (draft.title, draft.answers, draft.section_versions)

    return url, data, state


def _admin_action(url_name, pk_of):
    return lambda world: reverse(url_name, args=[pk_of(world)])


FORM_CASES = {
    "section-title": FormCase("applicant", *_draft_section_case(0)),
    "section-long-text": FormCase("applicant", *_draft_section_case(1, "long")),
    "section-short-text": FormCase("applicant", *_draft_section_case(1, "short")),
    "section-budget-item": FormCase("applicant", *_draft_section_case(2, "budget")),
    "section-autosave": FormCase(
        "applicant", *_draft_section_case(1, "long"), headers={"X-Autosave": "1"}
    ),
    "organization-edit": FormCase(
        "applicant",
        lambda w: reverse("grants:organization_edit", args=[w.organization.pk]),
        lambda w, text: {
            "legal_name": "Circle Inc.",
            "public_name": text,
            "address_line1": "1 Main St",
            "city": "Minneapolis",
            "state": "MN",
            "postal_code": "55401",
            "mission": text,
            "contact_name": "Amina",
            "contact_email": "amina@example.org",
        },
        lambda w: (
            Organization.objects.filter(pk=w.organization.pk)
            .values("public_name", "mission")
            .get()
        ),
    ),
    "organization-invite": FormCase(
        "applicant",
        lambda w: reverse("grants:member_invite", args=[w.organization.pk]),
        lambda w, text: {"email": text, "role": "editor"},
        lambda w: Invitation.objects.count(),
    ),
    "withdraw-reason": FormCase(
        "applicant",
        lambda w: reverse("applications:withdraw", args=[w.second.public_id]),
        lambda w, text: {"reason": text},
        lambda w: Application.objects.get(pk=w.second.pk).status,
    ),
    "award-accept-signature": FormCase(
        "applicant",
        lambda w: reverse("grants:award_detail", args=[w.offered.pk]),
        lambda w, text: {
            "accept": "1",
            "accept-signer_name": text,
            "accept-agree": "on",
            "agreement": "x",
        },
        lambda w: Award.objects.values("status", "signer_name").get(pk=w.offered.pk),
    ),
    "award-decline-reason": FormCase(
        "applicant",
        lambda w: reverse("grants:award_detail", args=[w.offered.pk]),
        lambda w, text: {"decline": "1", "decline-reason": text},
        lambda w: Award.objects.values("status", "ended_reason").get(pk=w.offered.pk),
    ),
    "review-comments": FormCase(
        "panelist",
        lambda w: reverse("applications:review", args=[w.second.public_id]),
        lambda w, text: {
            "strengths": text,
            "concerns": text,
            "questions": text,
            "abstain_reason": text,
        },
        lambda w: list(
            Review.objects.filter(assignment__application=w.second).values(
                "strengths", "concerns", "questions", "abstain_reason", "updated_at"
            )
        ),
    ),
    "conflict-details": FormCase(
        "conflicted",
        lambda w: reverse("applications:review_conflict", args=[w.second.public_id]),
        lambda w, text: {"has_conflict": "yes", "reason": "other", "details": text},
        lambda w: (ConflictDeclaration.objects.count(), Assignment.objects.count()),
    ),
    "hours-activity": FormCase(
        "panelist",
        lambda w: reverse("applications:panel_detail", args=[w.panel.pk]),
        lambda w, text: {"worked_on": "2027-01-05", "hours": "1.5", "activity": text},
        lambda w: HoursEntry.objects.count(),
    ),
    "recommendation-rationale": FormCase(
        "chair",
        lambda w: reverse(
            "applications:panel_recommend", args=[w.panel.pk, w.second.public_id]
        ),
        lambda w, text: {"method": "consensus", "outcome": "fund", "rationale": text},
        lambda w: PanelRecommendation.objects.count(),
    ),
    "screening-status-reason": FormCase(
        "staff",
        _admin_action("screening:change_status", lambda w: w.second.pk),
        lambda w, text: {"to_status": "screening", "reason": text},
        lambda w: (StatusChange.objects.count(), w.second.status),
    ),
    "screening-information-request": FormCase(
        "staff",
        _admin_action("screening:request_information", lambda w: w.second.pk),
        lambda w, text: {"sections": [w.work_section], "message": text},
        lambda w: InformationRequest.objects.count(),
    ),
    "screening-internal-note": FormCase(
        "staff",
        _admin_action("screening:add_note", lambda w: w.second.pk),
        lambda w, text: {"text": text},
        lambda w: InternalNote.objects.count(),
    ),
    "decision-texts": FormCase(
        "staff",
        _admin_action("screening:record_decision", lambda w: w.second.pk),
        lambda w, text: {
            "outcome": "award",
            "amount": "1000",
            "feedback": text,
            "public_title": text,
            "public_summary": text,
            "conditions": text,
        },
        lambda w: (
            Award.objects.count(),
            Application.objects.get(pk=w.second.pk).status,
        ),
    ),
    "panel-content-note": FormCase(
        "staff",
        lambda w: reverse("panels:content_note", args=[w.panel.pk, w.second.pk]),
        lambda w, text: {"content_note": text},
        lambda w: Application.objects.get(pk=w.second.pk).content_note,
    ),
    "panel-invitation-address": FormCase(
        "staff",
        _admin_action("panels:invite", lambda w: w.panel.pk),
        lambda w, text: {"email": text, "role": "panelist", "stipend_rate": "40"},
        lambda w: PanelInvitation.objects.count(),
    ),
    "award-amend-reason": FormCase(
        "staff",
        _admin_action("awards:amend", lambda w: w.award.pk),
        lambda w, text: {"amount": "19000", "reason": text},
        lambda w: (
            Award.objects.get(pk=w.award.pk).amount,
            LedgerEntry.objects.count(),
        ),
    ),
    "award-rescind-reason": FormCase(
        "staff",
        _admin_action("awards:rescind", lambda w: w.offered.pk),
        lambda w, text: {"reason": text},
        lambda w: Award.objects.get(pk=w.offered.pk).status,
    ),
    "hiring-commitment-other-supports": FormCase(
        "staff",
        _admin_action("awards:commitment", lambda w: w.offered.pk),
        lambda w, text: {
            "entry_positions": "1",
            "professional_positions": "0",
            "leadership_positions": "0",
            "board_positions": "0",
            "wage_floor": "18.00",
            "target_date": "2027-06-30",
            "other_supports": text,
        },
        lambda w: HiringCommitment.objects.count(),
    ),
    "report-return-comment": FormCase(
        "staff",
        _admin_action("hiring_reports:return", lambda w: w.report.pk),
        lambda w, text: {"comment": text},
        lambda w: HiringReport.objects.values("status", "staff_comment").get(
            pk=w.report.pk
        ),
    ),
    "report-verify-comment": FormCase(
        "staff",
        _admin_action("hiring_reports:verify", lambda w: w.report.pk),
        lambda w, text: {"comment": text},
        lambda w: HiringReport.objects.values("status", "staff_comment").get(
            pk=w.report.pk
        ),
    ),
    "payment-sent-reference": FormCase(
        "finance",
        _admin_action("disbursements:mark_sent", lambda w: w.disbursement.pk),
        lambda w, text: {"reference": text},
        lambda w: Disbursement.objects.values("status", "reference").get(
            pk=w.disbursement.pk
        ),
    ),
    "payment-cancel-reason": FormCase(
        "finance",
        _admin_action("disbursements:cancel", lambda w: w.disbursement.pk),
        lambda w, text: {"reason": text},
        lambda w: Disbursement.objects.get(pk=w.disbursement.pk).status,
    ),
    "installment-condition": FormCase(
        "staff",
        _admin_action("awards:schedule", lambda w: w.offered.pk),
        lambda w, text: {
            "installments-TOTAL_FORMS": "1",
            "installments-INITIAL_FORMS": "0",
            "installments-MIN_NUM_FORMS": "0",
            "installments-MAX_NUM_FORMS": "1000",
            "installments-0-due_on": "2027-03-01",
            "installments-0-amount": "15000",
            "installments-0-condition": text,
            "installments-0-reports_required": "0",
        },
        lambda w: Installment.objects.count(),
    ),
}


def _has_errors(form) -> bool:
    formset = getattr(form, "formset", None)
    return bool(form.errors) or (
        formset is not None and (any(formset.errors) or bool(formset.non_form_errors()))
    )


@pytest.mark.parametrize("value", [NUL, HUGE], ids=["nul", "one-megabyte"])
@pytest.mark.parametrize("case", list(FORM_CASES), ids=list(FORM_CASES))
def test_hostile_text_in_a_form_gets_a_kind_answer_and_writes_nothing(
    client, world, case, value
):
    form_case = FORM_CASES[case]
    world.draft = None
    url = form_case.url(world)
    before = form_case.state(world)
    _sign_in(client, _reader(world, form_case.role), form_case.role)
    response = client.post(
        url, form_case.data(world, value), headers=form_case.headers or {}
    )
    assert response.status_code in (200, 400)
    if "application/json" in response["Content-Type"]:
        assert response.status_code == 400
        assert response.json()["saved"] is False
    elif response.status_code == 400:
        assert "We could not read what was sent" in response.content.decode()
    if response.status_code == 200:
        forms = [
            context_form
            for name in ("form", "accept_form", "decline_form")
            if (context_form := response.context.get(name)) is not None
        ]
        assert any(_has_errors(form) for form in forms), "no message for the person"
    assert form_case.state(world) == before


@pytest.mark.parametrize("value", [NUL, HUGE], ids=["nul", "one-megabyte"])
@pytest.mark.parametrize(
    ("url_name", "field"),
    [
        ("accounts:password_reset", "email"),
        ("accounts:resend_confirmation", "email"),
    ],
)
def test_hostile_text_in_an_account_address_writes_nothing(
    client, url_name, field, value
):
    users = User.objects.count()
    response = client.post(reverse(url_name), {field: value})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.context["form"].errors[field]
    assert User.objects.count() == users
    assert mail.outbox == []


@pytest.mark.parametrize("value", [NUL, HUGE], ids=["nul", "one-megabyte"])
def test_hostile_text_in_an_email_change_writes_nothing(client, value):
    person = UserFactory(password=PASSWORD, email_confirmed_at=timezone.now())
    client.force_login(person)
    response = client.post(
        reverse("accounts:change_email"),
        {"current_password": PASSWORD, "new_email": value},
    )
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.context["form"].errors["new_email"]
    person.refresh_from_db()
    assert person.email.endswith("@example.org")
    assert mail.outbox == []


@pytest.mark.parametrize("value", [NUL, HUGE], ids=["nul", "one-megabyte"])
def test_hostile_text_in_a_panel_account_writes_nothing(client, program_staff, value):
    invitation = app_services.invite_panel_member(
        actor=program_staff,
        panel=PanelFactory(),
        email="new.panelist@example.org",
        role="panelist",
        stipend_rate=Decimal("40.00"),
    )
    users = User.objects.count()
    response = client.post(
        reverse("applications:panel_invitation", args=[invitation.token]),
        {"first_name": value, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.context["form"].errors["first_name"]
    assert User.objects.count() == users


@pytest.mark.parametrize("field", ["password1", "password2"])
def test_a_one_megabyte_password_at_sign_up_writes_nothing(client, field):
    users = User.objects.count()
    data = {
        "first_name": "Amina",
        "email": "long.password@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data[field] = HUGE
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code in (200, 400)
    assert User.objects.count() == users
