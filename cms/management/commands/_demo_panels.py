"""The demo review panel: people, a rubric, assignments, scores, a meeting's work.

Everything goes through the same services people use, in the order they would use
them, so the demo shows exactly what the product does.
"""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applications import services
from applications.models import Application, Assignment, Criterion, Rubric
from applications.schema import live_raw_blocks, sections_from
from cms.management.commands._demo_applications import _fill
from grants.services import create_organization

CHAIR = "chair@demo.test"
PANELIST = "panelist@demo.test"
PANELIST2 = "panelist2@demo.test"

MORE_ORGANIZATIONS = [
    (
        "applicant@demo.test",
        "Phillips Community Healing Project",
        "55404",
        "2400 Bloomington Ave",
        "Community healing and violence interruption led by neighbors.",
        "Safe spaces for young women in Phillips",
        "36000",
    ),
    (
        "applicant2@demo.test",
        "East Lake Peer Network",
        "55406",
        "3000 E Lake St",
        "Survivor peer mentors who walk alongside people leaving exploitation.",
        "Peer mentors for people leaving exploitation",
        "48000",
    ),
    (
        "applicant2@demo.test",
        "Hmong Family Strength Circle",
        "55411",
        "1100 N Washington Ave",
        "Family healing circles and prevention education in Hmong and English.",
        "Family circles in Hmong and English",
        "22000",
    ),
]

CRITERIA = [
    (
        "Survivor leadership",
        "Do people with lived experience lead or shape the work, and are they paid?",
        "3",
        [
            "Survivors are not involved.",
            "Survivors are consulted now and then.",
            "Survivors advise the work regularly and are paid.",
            "Survivors hold staff or board roles that shape the work.",
            "Survivors lead the work and decide its direction.",
        ],
    ),
    (
        "Need and reach",
        "Does the work reach people in Minneapolis who are most at risk?",
        "2",
        [
            "The need is not described.",
            "The need is general, not tied to Minneapolis.",
            "The need is clear; reach is modest.",
            "The need is clear and the reach is good.",
            "A clear, local need, with strong reach to people most at risk.",
        ],
    ),
    (
        "Plan and budget",
        "Is the plan realistic, and does the budget match it?",
        "2",
        [
            "No plan or budget.",
            "The plan or budget has large gaps.",
            "A workable plan with some gaps.",
            "A clear plan and a budget that fits it.",
            "A clear, realistic plan with a budget that fits it exactly.",
        ],
    ),
    (
        "Safety and trauma-informed practice",
        "Does the work protect participants' safety, privacy and choice?",
        "1",
        [
            "Safety is not considered.",
            "Some safety steps, not trauma-informed.",
            "Basic safety and privacy practices.",
            "Trauma-informed practice throughout.",
            "Trauma-informed, survivor-defined safety at every step.",
        ],
    ),
]

# Scores per reviewer and application title: (criteria scores, recommendation).
SCORES = {
    "Survivor-led healing circles": ([5, 4, 4, 5], "fund"),
    "Safe spaces for young women in Phillips": ([3, 4, 3, 4], "fund_with_changes"),
    "Peer mentors for people leaving exploitation": ([5, 5, 4, 4], "fund"),
    "Family circles in Hmong and English": ([4, 3, 2, 4], "fund_with_changes"),
}
# Reviewers see things differently: a strict and a generous reviewer.
LEANING = {PANELIST: 0, PANELIST2: -1, CHAIR: 1}


def _clamp(value: int) -> int:
    return max(1, min(5, value))


def _more_eligible_applications(*, users, funding_round, staff) -> list:
    sections = sections_from(live_raw_blocks(funding_round.application_form))
    before_deadline = funding_round.closes_at - timedelta(days=3)
    applications = []
    for owner, name, postal, street, mission, title, amount in MORE_ORGANIZATIONS:
        actor = users[owner]
        organization = create_organization(
            actor=actor,
            legal_name=name,
            public_name=name,
            ein="",
            address_line1=street,
            city="Minneapolis",
            state="MN",
            postal_code=postal,
            mission=mission,
            survivor_led=True,
            contact_name=actor.first_name,
            contact_email=actor.email,
            contact_phone="",
        )
        application = services.start_application(
            actor=actor,
            funding_round=funding_round,
            organization=organization,
            moment=before_deadline,
        )
        _fill(
            actor,
            application,
            sections,
            title=title,
            amount=amount,
            lead=f"{actor.first_name} at {name}",
            people=150,
            service="Health and healing",
        )
        services.submit_application(
            actor=actor, application=application, moment=before_deadline
        )
        services.change_status(
            actor=staff, application=application, to_status="screening"
        )
        services.change_status(
            actor=staff,
            application=application,
            to_status="eligible",
            reason="Meets the round's criteria.",
        )
        applications.append(application)
    return applications


def _rubric(*, staff, funding_round) -> Rubric:
    rubric = Rubric(
        funding_round=funding_round,
        scale_max=5,
        instructions=(
            "Score what the application says, not what you imagine. If you are unsure "
            "between two scores, choose the lower one and say why in your comments."
        ),
    )
    rubric.criteria = [
        Criterion(
            sort_order=order,
            title=title,
            guidance=guidance,
            weight=Decimal(weight),
            level_descriptions="\n".join(levels),
        )
        for order, (title, guidance, weight, levels) in enumerate(CRITERIA)
    ]
    return services.save_rubric(actor=staff, rubric=rubric)


def _review(user, assignment, rubric, *, submit=True):
    title = Application.objects.get(pk=assignment.application_id).title
    base, recommendation = SCORES.get(title, ([3, 3, 3, 3], "fund_with_changes"))
    lean = LEANING.get(user.email, 0)
    criteria = list(rubric.criteria.all())
    scores = {c.pk: _clamp(v + lean) for c, v in zip(criteria, base, strict=True)}
    if not submit:
        scores.pop(criteria[-1].pk)
    services.declare_conflict(actor=user, assignment=assignment, has_conflict=False)
    services.save_review(
        actor=user,
        assignment=assignment,
        scores=scores,
        recommendation=recommendation if submit else "",
        strengths="Clear leadership by people with lived experience.",
        concerns="The timeline for hiring looks tight." if lean < 0 else "",
        questions="How will participants be paid for their time?" if lean > 0 else "",
        submit=submit,
    )


def seed_panel(*, users: dict, rounds: dict, staff, onboarding_page=None) -> int:
    """A blind panel on the closed round with reviews in every state; returns count."""
    funding_round = rounds["R2"]
    _more_eligible_applications(users=users, funding_round=funding_round, staff=staff)
    panel = services.create_panel(
        actor=staff,
        funding_round=funding_round,
        name="2026 Violence Prevention review panel",
        blind_review=True,
        reviewers_per_application=2,
        reviews_due_on=timezone.localdate() + timedelta(days=14),
        flat_stipend_per_review=None,
        onboarding_page=onboarding_page,
        onboarding_document=None,
    )
    rubric = _rubric(staff=staff, funding_round=funding_round)
    rates = {
        CHAIR: Decimal("45.00"),
        PANELIST: Decimal("40.00"),
        PANELIST2: Decimal("40.00"),
    }
    for email, rate in rates.items():
        invitation = services.invite_panel_member(
            actor=staff,
            panel=panel,
            email=email,
            role="chair" if email == CHAIR else "panelist",
            stipend_rate=rate,
        )
        services.accept_panel_invitation(actor=users[email], token=invitation.token)

    services.apply_assignment_plan(actor=staff, panel=panel)
    # DeShawn knows one organization well: he declares it, and a re-run fills the gap.
    first = Assignment.objects.filter(panel=panel, panelist=users[PANELIST2]).first()
    services.declare_conflict(
        actor=users[PANELIST2],
        assignment=first,
        has_conflict=True,
        reason="close",
        details="I volunteered there last year.",
    )
    services.apply_assignment_plan(actor=staff, panel=panel)

    peer = Application.objects.get(title="Peer mentors for people leaving exploitation")
    services.set_content_note(
        actor=staff,
        application=peer,
        content_note="Describes sexual exploitation and violence in “Your work”.",
    )

    # Rosa and DeShawn have finished; Mai has two left, one a saved draft.
    for email in (CHAIR, PANELIST2):
        for assignment in Assignment.objects.filter(panel=panel, panelist=users[email]):
            _review(users[email], assignment, rubric)
    mai_assignments = list(
        Assignment.objects.filter(panel=panel, panelist=users[PANELIST]).order_by("pk")
    )
    for assignment in mai_assignments[:-2]:
        _review(users[PANELIST], assignment, rubric)
    if len(mai_assignments) >= 2:
        _review(users[PANELIST], mai_assignments[-2], rubric, submit=False)

    today = timezone.localdate()
    for email, hours in ((CHAIR, "6.5"), (PANELIST, "3"), (PANELIST2, "4.5")):
        seat = panel.members.get(user=users[email])
        services.log_hours(
            actor=users[email],
            membership=seat,
            worked_on=today - timedelta(days=2),
            hours=Decimal(hours),
            activity="Reading and scoring applications",
        )
    services.log_hours(
        actor=users[CHAIR],
        membership=panel.members.get(user=users[CHAIR]),
        worked_on=today - timedelta(days=1),
        hours=Decimal("2"),
        activity="Panel meeting",
    )

    # The meeting: the chair records a recommendation, staff decide on it.
    healing = Application.objects.get(title="Survivor-led healing circles")
    services.record_recommendation(
        actor=users[CHAIR],
        application=healing,
        method="consensus",
        outcome="fund",
        rationale="Survivors lead this work, and the plan and budget are realistic.",
    )
    services.record_recommendation(
        actor=users[CHAIR],
        application=peer,
        method="vote",
        outcome="fund",
        votes_for=2,
        votes_against=0,
        votes_abstaining=1,
        rationale="Strong peer model; one member abstained as they know the staff.",
    )
    today = timezone.localdate()
    services.record_decision(
        actor=staff,
        application=healing,
        outcome="award",
        amount=Decimal("40000"),
        award_details={
            "public_title": "Survivor-led healing circles on the Northside",
            "public_summary": (
                "Weekly healing circles and peer support, led by survivors of "
                "trafficking, for adults in North Minneapolis."
            ),
            "starts_on": today + timedelta(days=30),
            "ends_on": today + timedelta(days=395),
            "conditions": "Quarterly progress reports on survivor hiring.",
        },
    )
    services.send_stipends_to_finance(actor=staff, panel=panel)
    return len(MORE_ORGANIZATIONS)
