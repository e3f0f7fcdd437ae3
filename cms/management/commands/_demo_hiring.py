"""The demo's survivor hiring: last year's round with grants well under way.

Five accepted awards from a 2025 round, each with a confirmed hiring commitment (one
without), quarterly progress reports in every state (verified, sent and waiting,
returned with comments, due soon, overdue), people served, and first payments made.
Written through the same services grantees, program staff and finance use.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from grants import services
from grants.models import Fund, FundingRound, HiringReport, Organization

CHICAGO = ZoneInfo("America/Chicago")
STAFF = "staff@demo.test"

NEW_ORGANIZATIONS = [
    {
        "legal_name": "Phillips Community Wellness Inc.",
        "public_name": "Phillips Community Wellness",
        "ein": "41-3456789",
        "address_line1": "2400 Park Avenue",
        "postal_code": "55404",
        "mission": "Health and healing for people who have survived exploitation.",
        "survivor_led": False,
        "contact_name": "Grace Thao",
    },
    {
        "legal_name": "East African Women's Network",
        "public_name": "East African Women's Network",
        "ein": "",
        "address_line1": "1500 South 6th Street",
        "postal_code": "55454",
        "mission": "Peer support and job pathways led by women with lived experience.",
        "survivor_led": True,
        "contact_name": "Hodan Ali",
    },
]

# For each organization: the award, its commitment (None: outcomes only), and what
# each past quarter's report holds. A report is (hiring counts, people served, state).
GRANTS = [
    {
        "organization": "Northside Healing Collective",
        "owner": "applicant@demo.test",
        "title": "Peer advocates in North Minneapolis",
        "summary": (
            "Survivor peer advocates offer advocacy, accompaniment and healing "
            "groups in North Minneapolis, and the collective hires survivors into "
            "paid advocate and leadership roles."
        ),
        "amount": "60000.00",
        "commitment": {"entry": 4, "professional": 2, "leadership": 1, "board": 2},
        "supports": ["flexible_schedules", "peer_support", "training"],
        "reports": [
            ((2, 0, 0, 1, 0, 0, 2), {"case_management": 18, "health_healing": 12}, "v"),
            ((1, 1, 0, 1, 2, 0, 2), {"case_management": 22, "health_healing": 15}, "v"),
            ((0, 0, 1, 0, 3, 0, 1), {"case_management": 25, "legal": 6}, "v"),
            ((0, 1, 0, 0, 4, 3, 1), {"case_management": 20, "health_healing": 19}, "v"),
        ],
    },
    {
        "organization": "Lake Street Worker Center",
        "owner": "applicant2@demo.test",
        "title": "Know-your-rights outreach for workers",
        "summary": (
            "Outreach and legal help for workers facing labor trafficking along "
            "Lake Street, with survivor organizers on staff."
        ),
        "amount": "45000.00",
        "commitment": {"entry": 3, "professional": 1, "leadership": 1, "board": 0},
        "supports": ["flexible_schedules", "paid_time_off", "mentoring"],
        "reports": [
            ((1, 0, 0, 0, 0, 0, 1), {"outreach": 140, "legal": 9}, "v"),
            ((1, 1, 0, 0, 1, 0, 2), {"outreach": 160, "legal": 11}, "v"),
            ((0, 0, 1, 0, 2, 0, 1), {"outreach": 120, "legal": 7}, "v"),
            ((1, 0, 0, 0, 2, 1, 1), {"outreach": 95, "legal": 8}, "r"),
        ],
    },
    {
        "organization": "Cedar-Riverside Youth Circle",
        "owner": "applicant2@demo.test",
        "title": "Youth mentoring and prevention circles",
        "summary": (
            "Prevention circles and mentoring for young people in Cedar-Riverside, "
            "led by young adults with lived experience."
        ),
        "amount": "35000.00",
        "commitment": {"entry": 3, "professional": 0, "leadership": 1, "board": 1},
        "supports": ["peer_support", "training", "transport_childcare"],
        "reports": [
            ((2, 0, 0, 1, 0, 0, 2), {"youth": 34, "outreach": 60}, "v"),
            ((0, 0, 1, 0, 2, 0, 1), {"youth": 41, "outreach": 48}, "v"),
            ((1, 0, 0, 0, 3, 0, 1), {"youth": 38}, "v"),
            ((0, 0, 0, 0, 3, 2, 0), {"youth": 45, "outreach": 30}, "s"),
        ],
    },
    {
        "organization": "Phillips Community Wellness",
        "owner": "admin@demo.test",
        "title": "Trauma-informed health clinic hours",
        "summary": (
            "Evening clinic hours with trauma-informed care for survivors, with "
            "transport help and interpreters."
        ),
        "amount": "50000.00",
        "commitment": None,
        "supports": [],
        "reports": [
            ((), {"health_healing": 52}, "v"),
            ((), {"health_healing": 61, "case_management": 14}, "v"),
            ((), {"health_healing": 58, "case_management": 17}, "v"),
        ],
    },
    {
        "organization": "East African Women's Network",
        "owner": "admin@demo.test",
        "title": "Peer support and job pathways",
        "summary": (
            "Peer support groups and paid job pathways for East African women who "
            "have survived exploitation."
        ),
        "amount": "40000.00",
        "commitment": {"entry": 5, "professional": 1, "leadership": 0, "board": 2},
        "supports": ["peer_support", "training", "transport_childcare", "mentoring"],
        "reports": [
            ((2, 0, 0, 1, 0, 0, 2), {"employment": 16, "case_management": 10}, "v"),
            ((2, 0, 0, 0, 2, 0, 2), {"employment": 21, "case_management": 12}, "v"),
            ((1, 1, 0, 0, 4, 0, 2), {"employment": 18}, "v"),
        ],
    },
]
HIRING_NAMES = [
    "entry_filled",
    "professional_filled",
    "leadership_filled",
    "board_filled",
    "retained_6_months",
    "retained_12_months",
    "at_or_above_wage_floor",
]
BARRIERS = (
    "Some new staff needed time off for court dates and housing appointments; "
    "flexible schedules helped."
)
SUPPORT = "We would welcome training on trauma-informed supervision for managers."


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=CHICAGO)


def _round(staff, today) -> FundingRound:
    return services.create_funding_round(
        actor=staff,
        fund=Fund.objects.get(slug="survivor-services"),
        title="2025 Survivor Services Grants",
        reference_prefix="R1",
        budget=Decimal("400000.00"),
        min_award=Decimal("10000.00"),
        max_award=Decimal("75000.00"),
        opens_at=_at(today - timedelta(days=560), 9),
        closes_at=_at(today - timedelta(days=500), 17),
        status=FundingRound.Status.PUBLISHED,
    )


def _organizations(users) -> dict:
    owner = users["admin@demo.test"]
    for values in NEW_ORGANIZATIONS:
        services.create_organization(
            actor=owner,
            city="Minneapolis",
            state="MN",
            contact_email=owner.email,
            contact_phone="",
            **values,
        )
    return {o.public_name: o for o in Organization.objects.all()}


def _report(owner, staff, report, figures, served, state) -> None:
    counts = dict(zip(HIRING_NAMES, figures, strict=False))
    narrative = {"barriers": BARRIERS if report.number % 2 else ""}
    if state == "s":
        narrative["support_needed"] = SUPPORT
    services.submit_report(
        actor=owner, report=report, counts=counts, served=served, narrative=narrative
    )
    if state == "v":
        services.verify_report(actor=staff, report=report)
    elif state == "r":
        services.return_report(
            actor=staff,
            report=report,
            comment=(
                "Thank you. The people served look lower than last quarter: could "
                "you check the outreach count? If it is right, just send it again."
            ),
        )


def seed_hiring(*, users: dict) -> int:
    """Awards from last year's round with commitments, reports and payments."""
    staff = users[STAFF]
    finance, finance2 = users["finance@demo.test"], users["finance2@demo.test"]
    today = timezone.localdate()
    funding_round = _round(staff, today)
    organizations = _organizations(users)
    starts_on = today - timedelta(days=400)
    count = 0
    for grant in GRANTS:
        owner = users[grant["owner"]]
        award = services.create_award(
            actor=staff,
            organization=organizations[grant["organization"]],
            funding_round=funding_round,
            amount=Decimal(grant["amount"]),
            public_title=grant["title"],
            public_summary=grant["summary"],
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=729),
            conditions="Quarterly progress reports on survivor hiring.",
        )
        services.accept_award(actor=owner, award=award, signer_name=owner.first_name)
        if grant["commitment"]:
            levels = grant["commitment"]
            services.record_commitment(
                actor=staff,
                award=award,
                entry_positions=levels["entry"],
                professional_positions=levels["professional"],
                leadership_positions=levels["leadership"],
                board_positions=levels["board"],
                wage_floor=Decimal("18.50"),
                target_date=starts_on + timedelta(days=540),
                supports=grant["supports"],
                other_supports="",
            )
        half = (award.amount / 2).quantize(Decimal("0.01"))
        first, _second = services.set_schedule(
            actor=staff,
            award=award,
            installments=[
                {"due_on": starts_on, "amount": half, "condition": "Agreement signed"},
                {
                    "due_on": starts_on + timedelta(days=365),
                    "amount": award.amount - half,
                    "condition": "Four progress reports verified",
                    "reports_required": 4,
                },
            ],
        )
        payment = services.request_disbursement(
            actor=finance, installment=first, method="manual_ach"
        )
        services.approve_disbursement(actor=finance2, disbursement=payment)
        services.mark_sent(actor=finance, disbursement=payment, reference="ACH 2025")
        services.mark_paid(actor=finance, disbursement=payment, paid_on=starts_on)
        reports = list(award.hiring_reports.order_by("number"))
        for report, (figures, served, state) in zip(
            reports, grant["reports"], strict=False
        ):
            _report(owner, staff, report, figures, served, state)
        count += 1
    _as_if_accepted_long_ago(funding_round)
    return count


def _as_if_accepted_long_ago(funding_round) -> None:
    """The demo's grants were really accepted over a year ago, when their reports fell
    due 30 days after each quarter. Accepting them today gave every past quarter
    30 days from today instead (a grant accepted late is never overdue at once);
    put the calendar back as it was, so some reports are overdue as in real life."""
    for report in HiringReport.objects.filter(
        award__funding_round=funding_round
    ).exclude(status=HiringReport.Status.RETURNED):
        due_on = report.period_end + timedelta(days=30)
        HiringReport.objects.filter(pk=report.pk).update(due_on=due_on)
