"""Blind review: a panelist reads the application without anything that names who sent it.

The page, its files and the selector behind them are all checked: the HTML carries none
of the organization's names, contacts, identifying answers or original file names, a
file marked identifying cannot be downloaded, and the blind query never asks the
database for the whole ``answers`` column.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications import selectors, services
from applications.models import Attachment
from tests.factories import (
    ApplicationFactory,
    ApplicationFormFactory,
    OrganizationFactory,
    PanelFactory,
    RubricFactory,
    application_form_blocks,
)
from tests.helpers import login_verified
from tests.panels.helpers import seat

pytestmark = pytest.mark.django_db

PUBLIC_NAME = "Zephyrine Riverbend Collective"
LEGAL_NAME = "Zephyrine Riverbend Legal Entity LLC"
CONTACT_NAME = "Octavia Brightwater-Nakamura"
CONTACT_EMAIL = "octavia.secret@zephyrine.example.org"
LEADER = "Marisol Quintanilla-Ferreira"
PLAN = "We run weekly peer healing circles in three neighborhoods."
ORIGINAL_FILE = "Northside-Collective-budget.pdf"
IDENTIFYING_FILE = "Quintanilla-signed-letter.pdf"
PDF_BYTES = b"%PDF-1.4 budget lines"

IDENTIFYING_FILE_BLOCK = (
    "file",
    {
        "label": "Letter signed by your director",
        "help_text": "",
        "required": False,
        "identifying": True,
        "allowed_types": ["pdf"],
        "max_size_mb": 2,
    },
)


def block_id(form, label):
    return next(
        block["id"]
        for block in form.fields.raw_data
        if block["value"].get("label") == label
    )


def make_attachment(application, field_id, name):
    attachment = Attachment(
        application=application,
        field_id=field_id,
        original_name=name,
        size=len(PDF_BYTES),
        content_type="application/pdf",
        sha256="0" * 64,
    )
    attachment.file.save(name, ContentFile(PDF_BYTES), save=False)
    attachment.save()
    return attachment


def build(program_staff, *, blind=True, identifying_file=False):
    """A panel, an application full of distinctive identifying details, one reviewer."""
    blocks = application_form_blocks()
    if identifying_file:
        blocks.append(IDENTIFYING_FILE_BLOCK)
    form = ApplicationFormFactory(fields=blocks)
    panel = PanelFactory(funding_round=form.funding_round, blind_review=blind)
    RubricFactory(funding_round=form.funding_round)
    organization = OrganizationFactory(
        public_name=PUBLIC_NAME,
        legal_name=LEGAL_NAME,
        contact_name=CONTACT_NAME,
        contact_email=CONTACT_EMAIL,
    )
    application = ApplicationFactory(
        form=form,
        organization=organization,
        answers={
            block_id(form, "What will you do with the grant?"): PLAN,
            block_id(form, "Who leads the work?"): LEADER,
            block_id(form, "Main service"): "Housing",
        },
    )
    budget = make_attachment(
        application, block_id(form, "Budget document"), ORIGINAL_FILE
    )
    letter = None
    if identifying_file:
        letter = make_attachment(
            application,
            block_id(form, "Letter signed by your director"),
            IDENTIFYING_FILE,
        )
    reviewer = seat(panel).user
    assignment = services.assign_reviewer(
        actor=program_staff, panel=panel, application=application, panelist=reviewer
    )
    return {
        "form": form,
        "panel": panel,
        "application": application,
        "reviewer": reviewer,
        "assignment": assignment,
        "budget": budget,
        "letter": letter,
    }


def declared(world):
    services.declare_conflict(
        actor=world["reviewer"], assignment=world["assignment"], has_conflict=False
    )
    return world


def review_url(application):
    return reverse("applications:review", kwargs={"public_id": application.public_id})


def file_url(application, attachment):
    return reverse(
        "applications:review_file",
        kwargs={"public_id": application.public_id, "attachment_id": attachment.pk},
    )


# The page -----------------------------------------------------------------------------


def test_blind_review_page_shows_no_identifying_detail_anywhere_in_the_html(
    client, program_staff
):
    world = declared(build(program_staff))
    login_verified(client, world["reviewer"])
    response = client.get(review_url(world["application"]))
    assert response.status_code == 200
    html = response.content.decode()
    for secret in [PUBLIC_NAME, LEGAL_NAME, CONTACT_NAME, CONTACT_EMAIL, LEADER]:
        assert secret not in html, secret
    assert ORIGINAL_FILE not in html
    assert "Northside-Collective" not in html
    assert world["application"].organization.ein not in html
    assert "Who leads the work?" not in html
    # What a reviewer needs is there: plain answers and a neutrally named file.
    assert PLAN in html
    assert "Housing" in html
    assert "Document 1" in html
    assert file_url(world["application"], world["budget"]) in html


def test_blind_review_file_downloads_under_a_neutral_name(client, program_staff):
    world = declared(build(program_staff))
    application = world["application"]
    login_verified(client, world["reviewer"])
    response = client.get(file_url(application, world["budget"]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{application.reference}-document-1.pdf" in disposition
    assert "Northside" not in disposition
    assert ORIGINAL_FILE not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_on_an_identifying_question_is_neither_listed_nor_downloadable(
    client, program_staff
):
    world = declared(build(program_staff, identifying_file=True))
    application = world["application"]
    login_verified(client, world["reviewer"])
    html = client.get(review_url(application)).content.decode()
    assert file_url(application, world["letter"]) not in html
    assert IDENTIFYING_FILE not in html
    assert "Letter signed by your director" not in html
    assert "Document 2" not in html
    assert client.get(file_url(application, world["letter"])).status_code == 404
    # The ordinary file is still there, numbered as if the hidden one did not exist.
    assert "Document 1" in html
    assert client.get(file_url(application, world["budget"])).status_code == 200


def test_non_blind_review_shows_the_organization(client, program_staff):
    world = declared(build(program_staff, blind=False))
    login_verified(client, world["reviewer"])
    html = client.get(review_url(world["application"])).content.decode()
    assert PUBLIC_NAME in html
    assert LEADER in html
    assert PLAN in html


def test_conflict_page_shows_only_the_public_name(client, program_staff):
    world = build(program_staff)
    login_verified(client, world["reviewer"])
    conflict_url = reverse(
        "applications:review_conflict",
        kwargs={"public_id": world["application"].public_id},
    )
    response = client.get(conflict_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert PUBLIC_NAME in html
    assert world["application"].reference in html
    for secret in [LEGAL_NAME, CONTACT_NAME, CONTACT_EMAIL, LEADER, PLAN]:
        assert secret not in html, secret
    assert ORIGINAL_FILE not in html
    assert file_url(world["application"], world["budget"]) not in html


# The selector -------------------------------------------------------------------------

# A reference to the answers column that is not the first argument of a key extraction:
# SQLite's JSON_EXTRACT/JSON_TYPE(col, '$."key"') or PostgreSQL's col -> 'key'.
ANSWERS_COLUMN = '"applications_application"."answers"'
KEY_EXTRACTIONS = [
    re.compile(re.escape(ANSWERS_COLUMN) + r"\s*,\s*'\$\.\"[^\"]+\"'"),
    re.compile(re.escape(ANSWERS_COLUMN) + r"\s*->>?\s*'[^']+'"),
]


def whole_answers_selected(sql: str) -> bool:
    for pattern in KEY_EXTRACTIONS:
        sql = pattern.sub("<key extraction>", sql)
    return ANSWERS_COLUMN in sql or re.search(r'(?<![\w.])"answers"', sql) is not None


def packet_queries(assignment):
    with CaptureQueriesContext(connection) as captured:
        packet = selectors.review_packet(assignment)
    return packet, [query["sql"] for query in captured.captured_queries]


def test_the_blind_selector_never_asks_the_database_for_hidden_answers(program_staff):
    world = build(program_staff, identifying_file=True)
    form = world["form"]
    hidden = block_id(form, "Who leads the work?")
    hidden_file = block_id(form, "Letter signed by your director")
    visible = block_id(form, "What will you do with the grant?")
    packet, queries = packet_queries(world["assignment"])
    assert queries
    joined = "\n".join(queries)
    # Visible answers are asked for one key at a time...
    assert visible in joined
    # ...hidden ones, the whole column, and the organization's details never are.
    assert hidden not in joined
    assert hidden_file not in joined
    assert not any(whole_answers_selected(sql) for sql in queries), joined
    for column in ["legal_name", "public_name", "contact_name", "contact_email"]:
        assert column not in joined, column
    # And the packet holds what the reviewer should read, nothing more.
    values = {
        row["field"].id: row["value"]
        for group in packet.sections
        for row in group["rows"]
    }
    assert values[visible] == PLAN
    assert hidden not in values
    assert packet.organization is None
    assert list(packet.files) == [block_id(form, "Budget document")]


def test_the_column_check_does_catch_a_whole_answers_select(program_staff):
    # The non-blind packet loads every answer: the check above must see that.
    world = build(program_staff, blind=False)
    packet, queries = packet_queries(world["assignment"])
    assert any(whole_answers_selected(sql) for sql in queries)
    assert packet.organization["organization__public_name"] == PUBLIC_NAME


@pytest.mark.parametrize("text", ["null", "true", "12.50"])
def test_blind_answers_read_exactly_as_the_applicant_wrote_them(program_staff, text):
    # Asking the database for one key at a time must not turn text into other values:
    # "null" would show as "Not answered", "true" as True, "12.50" as 12.5.
    world = build(program_staff)
    field_id = block_id(world["form"], "What will you do with the grant?")
    application = world["application"]
    application.answers[field_id] = text
    application.save(update_fields=["answers"])
    packet = selectors.review_packet(world["assignment"])
    values = {
        row["field"].id: row["value"]
        for group in packet.sections
        for row in group["rows"]
    }
    assert values[field_id] == text
