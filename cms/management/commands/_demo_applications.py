"""Demo organizations and applications, written through the same services as users.

Kept apart from seed_demo.py (which holds the page copy) so each stays readable.
"""

from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services as application_services
from applications.schema import live_raw_blocks, sections_from
from grants.services import accept_invitation, create_organization, invite_member

BUDGET_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

FORM_FIELDS = [
    (
        "section",
        {
            "title": "Your work",
            "intro": "Tell us, in your own words, what you do and what the grant would change.",
        },
    ),
    (
        "help_text",
        {
            "text": "<p>Please do not include names or details of the people you serve. Panelists read every answer.</p>"
        },
    ),
    (
        "long_text",
        {
            "label": "What will you do with this grant?",
            "help_text": "Who it is for, what happens, and what changes for them.",
            "required": True,
            "identifying": False,
            "word_limit": 400,
        },
    ),
    (
        "long_text",
        {
            "label": "How do survivors lead or shape this work?",
            "help_text": "For example: survivors on staff, on the board, or paid to advise.",
            "required": True,
            "identifying": False,
            "word_limit": 300,
        },
    ),
    (
        "short_text",
        {
            "label": "Name of the person leading the project",
            "help_text": "",
            "required": True,
            "identifying": True,
            "max_length": 120,
        },
    ),
    (
        "number",
        {
            "label": "About how many people will the work reach in a year?",
            "help_text": "",
            "required": True,
            "identifying": False,
            "min_value": 1,
            "max_value": 100000,
        },
    ),
    (
        "choice",
        {
            "label": "Main kind of service",
            "help_text": "",
            "required": True,
            "identifying": False,
            "choices": [
                "Housing and shelter",
                "Legal help",
                "Health and healing",
                "Jobs and income",
                "Prevention and education",
            ],
        },
    ),
    (
        "multi_choice",
        {
            "label": "Languages you work in",
            "help_text": "",
            "required": False,
            "identifying": False,
            "choices": ["English", "Spanish", "Somali", "Hmong", "Oromo", "Other"],
        },
    ),
    (
        "yes_no",
        {
            "label": "Do you already employ people with lived experience of trafficking?",
            "help_text": "",
            "required": True,
            "identifying": False,
        },
    ),
    (
        "section",
        {
            "title": "Budget and documents",
            "intro": "A simple budget is fine. We do not need audited accounts.",
        },
    ),
    (
        "budget_table",
        {
            "label": "Budget for the grant",
            "help_text": "List the main costs. The total is worked out for you.",
            "required": True,
            "identifying": False,
            "max_rows": 15,
        },
    ),
    (
        "currency",
        {
            "label": "Other funding you have for this work (if any)",
            "help_text": "",
            "required": False,
            "identifying": False,
            "min_value": None,
            "max_value": None,
        },
    ),
    (
        "date",
        {
            "label": "When would the work start?",
            "help_text": "",
            "required": True,
            "identifying": False,
        },
    ),
    (
        "file",
        {
            "label": "Budget or financial statement",
            "help_text": "A recent budget or financial statement. Unregistered groups can upload a simple budget.",
            "required": True,
            "identifying": False,
            "allowed_types": ["pdf", "docx", "xlsx", "odt", "ods"],
            "max_size_mb": 10,
        },
    ),
    (
        "section",
        {
            "title": "Hiring survivors",
            "intro": "The City asks grantees to hire people with lived experience at every level. Tell us what you plan, as numbers only. If you are funded, the grants team confirms this with you.",
        },
    ),
    *[
        (
            "number",
            {
                "label": label,
                "help_text": "",
                "required": False,
                "identifying": False,
                "min_value": 0,
                "max_value": 500,
                "hiring": key,
            },
        )
        for label, key in [
            ("Entry-level positions you plan to fill", "entry_positions"),
            ("Professional positions you plan to fill", "professional_positions"),
            ("Leadership positions you plan to fill", "leadership_positions"),
            ("Board or advisory seats you plan to fill", "board_positions"),
        ]
    ],
    (
        "currency",
        {
            "label": "Lowest hourly wage you will pay in these positions",
            "help_text": "The Minneapolis minimum wage or more.",
            "required": False,
            "identifying": False,
            "min_value": None,
            "max_value": None,
            "hiring": "wage_floor",
        },
    ),
    (
        "date",
        {
            "label": "When do you plan to have these positions filled?",
            "help_text": "",
            "required": False,
            "identifying": False,
            "hiring": "target_date",
        },
    ),
    (
        "multi_choice",
        {
            "label": "Supports you will offer",
            "help_text": "",
            "required": False,
            "identifying": False,
            "choices": [
                "Flexible schedules",
                "Peer support",
                "Training and professional development",
                "Mentoring",
            ],
            "hiring": "supports",
        },
    ),
]

ELIGIBILITY = [
    (
        "question",
        {
            "question": "Does your work serve people who live or work in Minneapolis?",
            "ineligible_answer": "no",
            "message": "This round funds work with people in Minneapolis. The Minnesota Safe Harbor program funds work elsewhere in the state, and we would be glad to point you there.",
        },
    ),
    (
        "question",
        {
            "question": "Would the grant pay for law enforcement activity?",
            "ineligible_answer": "yes",
            "message": "This round funds community services and prevention, not law enforcement. Other City programs may fit that work.",
        },
    ),
]

ORGANIZATIONS = [
    {
        "owner": "applicant@demo.test",
        "legal_name": "Northside Healing Collective",
        "public_name": "Northside Healing Collective",
        "ein": "41-2345678",
        "address_line1": "2100 Plymouth Ave N",
        "postal_code": "55411",
        "mission": "Peer support, housing navigation and healing circles led by survivors of trafficking.",
        "survivor_led": True,
        "contact_name": "Amina",
    },
    {
        "owner": "applicant2@demo.test",
        "legal_name": "Lake Street Worker Center",
        "public_name": "Lake Street Worker Center",
        "ein": "",
        "address_line1": "1500 E Lake St",
        "postal_code": "55407",
        "mission": "Know-your-rights education and case support for workers facing wage theft and labor trafficking.",
        "survivor_led": False,
        "contact_name": "Jorge",
    },
    {
        "owner": "applicant2@demo.test",
        "legal_name": "Cedar-Riverside Youth Circle",
        "public_name": "Cedar-Riverside Youth Circle",
        "ein": "",
        "address_line1": "420 Cedar Ave S",
        "postal_code": "55454",
        "mission": "Prevention and mentoring for young people, in Somali and English.",
        "survivor_led": True,
        "contact_name": "Hodan",
    },
]


def _answers(sections, *, lead, people, service):
    work, budget = sections[1], sections[2]
    by_label = {f.label: f.id for s in sections for f in s.fields}
    return {
        work.id: {
            by_label[
                "What will you do with this grant?"
            ]: "Weekly peer support circles and one-to-one housing navigation for adults leaving exploitation.",
            by_label[
                "How do survivors lead or shape this work?"
            ]: "Two of our four staff have lived experience, and a paid survivor advisory group sets our priorities each year.",
            by_label["Name of the person leading the project"]: lead,
            by_label["About how many people will the work reach in a year?"]: people,
            by_label["Main kind of service"]: service,
            by_label["Languages you work in"]: ["English", "Somali"],
            by_label[
                "Do you already employ people with lived experience of trafficking?"
            ]: "yes",
        },
        budget.id: {
            by_label["Budget for the grant"]: {
                "rows": [
                    {"item": "Peer support staff (part time)", "amount": "28000.00"},
                    {"item": "Emergency housing help", "amount": "9000.00"},
                    {"item": "Interpretation", "amount": "3000.00"},
                ],
                "total": "40000.00",
            },
            by_label["When would the work start?"]: "2027-04-01",
        },
        sections[3].id: {
            by_label["Entry-level positions you plan to fill"]: 2,
            by_label["Professional positions you plan to fill"]: 1,
            by_label["Leadership positions you plan to fill"]: 1,
            by_label["Board or advisory seats you plan to fill"]: 2,
            by_label["Lowest hourly wage you will pay in these positions"]: "18.00",
            by_label["When do you plan to have these positions filled?"]: "2027-10-01",
            by_label["Supports you will offer"]: ["Flexible schedules", "Peer support"],
        },
        "file_field": by_label["Budget or financial statement"],
    }


def _fill(actor, application, sections, *, title, amount, **kwargs):
    answers = _answers(sections, **kwargs)
    file_field = answers.pop("file_field")
    application_services.save_section(
        actor=actor,
        application=application,
        section_id="about",
        answers={"title": title, "amount_requested": Decimal(amount)},
        version=None,
    )
    for section_id, values in answers.items():
        files = {}
        if section_id == sections[2].id:
            files = {
                file_field: SimpleUploadedFile(
                    "budget-2027.pdf", BUDGET_PDF, "application/pdf"
                )
            }
        application_services.save_section(
            actor=actor,
            application=application,
            section_id=section_id,
            answers=values,
            version=None,
            files=files,
        )
    application.refresh_from_db()
    return application


def seed_applications(*, users: dict, rounds: dict, staff) -> int:
    """Organizations for both demo applicants and applications in each status."""
    now = timezone.now()
    for user in users.values():
        if user.email_confirmed_at is None:
            user.email_confirmed_at = now
            user.save(update_fields=["email_confirmed_at"])
    forms = {}
    for prefix, funding_round in rounds.items():
        forms[prefix] = application_services.create_application_form(
            actor=staff,
            funding_round=funding_round,
            fields=FORM_FIELDS,
            eligibility=ELIGIBILITY,
        )
    organizations = []
    for values in ORGANIZATIONS:
        values = dict(values)
        owner = users[values.pop("owner")]
        organizations.append(
            create_organization(
                actor=owner,
                city="Minneapolis",
                state="MN",
                contact_email=owner.email,
                contact_phone="",
                **values,
            )
        )
    northside, worker_center, youth_circle = organizations
    applicant, applicant2 = users["applicant@demo.test"], users["applicant2@demo.test"]
    invitation = invite_member(
        actor=applicant2,
        organization=worker_center,
        email=applicant.email,
        role="editor",
    )
    accept_invitation(actor=applicant, token=invitation.token)

    open_round, closed_round = rounds["R3"], rounds["R2"]
    open_sections = sections_from(live_raw_blocks(forms["R3"]))
    closed_sections = sections_from(live_raw_blocks(forms["R2"]))
    count = 0

    # Open round: a draft in progress and a submitted application.
    draft = application_services.start_application(
        actor=applicant, funding_round=open_round, organization=northside
    )
    application_services.save_section(
        actor=applicant,
        application=draft,
        section_id="about",
        answers={
            "title": "Healing circles and housing navigation",
            "amount_requested": Decimal("45000"),
        },
        version=None,
    )
    submitted = application_services.start_application(
        actor=applicant2, funding_round=open_round, organization=worker_center
    )
    _fill(
        applicant2,
        submitted,
        open_sections,
        title="Wage theft and labor trafficking outreach",
        amount="38000",
        lead="Jorge",
        people=400,
        service="Legal help",
    )
    application_services.submit_application(actor=applicant2, application=submitted)
    count += 2

    # Closed round: applications that went through screening, submitted before it closed.
    before_deadline = closed_round.closes_at - timedelta(days=2)
    outcomes = [
        (northside, applicant, "Survivor-led healing circles", "42000", "eligible"),
        (worker_center, applicant2, "Workers' rights clinics", "30000", "more_info"),
        (
            youth_circle,
            applicant2,
            "Youth mentoring in Somali and English",
            "25000",
            "ineligible",
        ),
    ]
    for organization, actor, title, amount, outcome in outcomes:
        application = application_services.start_application(
            actor=actor,
            funding_round=closed_round,
            organization=organization,
            moment=before_deadline,
        )
        _fill(
            actor,
            application,
            closed_sections,
            title=title,
            amount=amount,
            lead="Program lead",
            people=120,
            service="Health and healing",
        )
        application_services.submit_application(
            actor=actor, application=application, moment=before_deadline
        )
        application_services.change_status(
            actor=staff, application=application, to_status="screening"
        )
        if outcome == "more_info":
            application_services.request_information(
                actor=staff,
                application=application,
                sections=[closed_sections[2].id],
                message="Could you upload last year's budget as well? A simple one is fine.",
            )
        else:
            application_services.change_status(
                actor=staff,
                application=application,
                to_status=outcome,
                reason="Meets the round's criteria."
                if outcome == "eligible"
                else "Serves people outside Minneapolis.",
            )
        count += 1
    application_services.add_internal_note(
        actor=staff,
        application=submitted,
        text="Strong partnerships with the Labor Standards office.",
    )
    return count
