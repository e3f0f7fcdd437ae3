"""Program staff screen submitted applications in the Wagtail admin."""

import csv
import io
import itertools
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import assign_perm
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from applications.models import (
    Application,
    Attachment,
    InformationRequest,
    InternalNote,
    StatusChange,
)
from applications.schema import live_raw_blocks
from grants.models import Fund
from tests.factories import (
    ApplicationFormFactory,
    FundingRoundFactory,
    MembershipFactory,
    OrganizationFactory,
)
from tests.helpers import exported

pytestmark = pytest.mark.django_db

_references = itertools.count(1)
INDEX = "/admin/applications/"


def make_organization(**overrides):
    return OrganizationFactory(**{"survivor_led": False, **overrides})


def login(client, user):
    """Sign in with the second factor passed, as django-otp marks a verified session."""
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()


def make_application(form=None, **overrides):
    """A submitted application, written as submit_application leaves it."""
    form = form or ApplicationFormFactory()
    number = next(_references)
    values = {
        "funding_round": form.funding_round,
        "status": Application.Status.SUBMITTED,
        "title": f"Healing circles {number}",
        "amount_requested": Decimal("20000.00"),
        "reference": f"T1-{number:04d}",
        "submitted_at": timezone.now(),
        "form_snapshot": live_raw_blocks(form),
        "form_version": form.version,
    }
    values.update(overrides)
    if "organization" not in values:
        values["organization"] = make_organization(public_name=f"Org {number}")
    return Application.objects.create(**values)


def field_id(form, label):
    return next(
        b["id"] for b in form.fields.raw_data if b["value"].get("label") == label
    )


def section_id(form, title):
    return next(
        b["id"]
        for b in form.fields.raw_data
        if b["type"] == "section" and b["value"]["title"] == title
    )


def url(name, *args):
    return reverse(f"screening:{name}", args=args)


def listed(response):
    return sorted(a.reference for a in response.context["object_list"])


def nothing_written(before):
    return (StatusChange.objects.count(), InternalNote.objects.count()) == before


# Listing, filters, search ---------------------------------------------------------


def test_listing_shows_submitted_applications_and_never_drafts(client, program_staff):
    form = ApplicationFormFactory()
    submitted = make_application(form)
    screening = make_application(form, status=Application.Status.SCREENING)
    make_application(
        form, status=Application.Status.DRAFT, reference=None, submitted_at=None
    )
    # Withdrawn before ever being submitted: still a draft to staff.
    make_application(
        form, status=Application.Status.WITHDRAWN, reference=None, submitted_at=None
    )
    login(client, program_staff)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert listed(response) == sorted([submitted.reference, screening.reference])
    assert "Draft" not in " ".join(str(a) for a in response.context["object_list"])


def test_listing_ajax_results_are_limited_the_same_way(client, program_staff):
    form = ApplicationFormFactory()
    submitted = make_application(form)
    draft = make_application(
        form, status=Application.Status.DRAFT, reference=None, submitted_at=None
    )
    login(client, program_staff)
    response = client.get(url("index_results"))
    assert response.status_code == 200
    assert listed(response) == [submitted.reference]
    assert draft.title not in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "screening"}, ["screening"]),
        ({"survivor_led": "true"}, ["survivor"]),
        ({"survivor_led": "false"}, ["screening", "small", "large"]),
        ({"amount_min": "15000"}, ["screening", "survivor", "large"]),
        ({"amount_max": "15000"}, ["small"]),
        ({"amount_min": "15000", "amount_max": "30000"}, ["screening", "survivor"]),
        ({"q": "Survivor Circle"}, ["survivor"]),
        ({"q": "Roof repair"}, ["large"]),
    ],
)
def test_filters_and_search_narrow_the_listing(client, program_staff, query, expected):
    form = ApplicationFormFactory()
    rows = {
        "screening": make_application(form, status=Application.Status.SCREENING),
        "survivor": make_application(
            form,
            organization=make_organization(
                public_name="Survivor Circle", survivor_led=True
            ),
        ),
        "small": make_application(form, amount_requested=Decimal("12000.00")),
        "large": make_application(
            form, amount_requested=Decimal("45000.00"), title="Roof repair"
        ),
    }
    login(client, program_staff)
    response = client.get(INDEX, query)
    assert response.status_code == 200
    assert listed(response) == sorted(rows[name].reference for name in expected)


def test_round_and_fund_filters_keep_rounds_apart(client, program_staff):
    first = make_application()
    other_fund = Fund.objects.create(
        name="Housing", slug="housing", framework_goal=Fund.FrameworkGoal.choices[0][0]
    )
    other_round = FundingRoundFactory(fund=other_fund)
    second = make_application(ApplicationFormFactory(funding_round=other_round))
    login(client, program_staff)
    by_round = client.get(INDEX, {"funding_round": first.funding_round_id})
    by_fund = client.get(INDEX, {"fund": other_fund.pk})
    assert listed(by_round) == [first.reference]
    assert listed(by_fund) == [second.reference]


# Exports ------------------------------------------------------------------------------


def test_csv_export_has_the_rows_and_neutralises_formulas(client, program_staff):
    form = ApplicationFormFactory()
    hostile = make_application(
        form,
        title='=HYPERLINK("x")',
        organization=make_organization(public_name="@SUM(1+1)", survivor_led=True),
    )
    plain = make_application(form, status=Application.Status.SCREENING)
    make_application(
        form, status=Application.Status.DRAFT, reference=None, submitted_at=None
    )
    login(client, program_staff)
    response = exported(client, INDEX, {"export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "Reference",
        "Organization",
        "Funding round",
        "Status",
        "Amount requested",
        "Submitted at",
        "Survivor-led",
    ]
    by_reference = {row[0]: row for row in rows[1:]}
    assert set(by_reference) == {hostile.reference, plain.reference}
    assert by_reference[hostile.reference][1] == "'@SUM(1+1)"
    assert by_reference[hostile.reference][2] == form.funding_round.title
    assert by_reference[hostile.reference][3] == "Submitted"
    assert by_reference[hostile.reference][4] == "20000.00"
    assert by_reference[hostile.reference][6] == "Yes"
    assert by_reference[plain.reference][3] == "Being screened"
    entry = ModelLogEntry.objects.get(action="applications.export_applications")
    assert entry.user == program_staff
    assert entry.object_id == str(form.funding_round.pk)


def test_title_formula_is_neutralised_in_both_formats():
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    from applications.exports import ApplicationExportMixin

    class Exporter(ApplicationExportMixin, SpreadsheetExportMixin):
        list_export = ["reference", "title", "amount_requested"]

    application = make_application(title='=HYPERLINK("x")')
    exporter = Exporter()
    for export_format in ("csv", "xlsx"):
        row = exporter.to_row_dict(application)
        values = [
            exporter.preprocess_field_value(field, value, export_format)
            for field, value in row.items()
        ]
        assert values[1] == '\'=HYPERLINK("x")'
        assert values[0] == application.reference


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1", "@A1", "\tcmd", "\rcmd"],
)
def test_every_formula_trigger_is_prefixed(text):
    from grants.exports import neutralise_formula

    assert neutralise_formula(text) == "'" + text
    assert neutralise_formula("Plain " + text) == "Plain " + text


def test_xlsx_export_neutralises_formulas(client, program_staff):
    hostile = make_application(
        organization=make_organization(public_name='=HYPERLINK("x")')
    )
    login(client, program_staff)
    response = exported(client, INDEX, {"export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][0] == hostile.reference
    assert rows[1][1] == '\'=HYPERLINK("x")'
    assert rows[1][4] == 20000
    assert ModelLogEntry.objects.filter(
        action="applications.export_applications", user=program_staff
    ).exists()


def test_export_follows_the_filters(client, program_staff):
    form = ApplicationFormFactory()
    wanted = make_application(form, status=Application.Status.SCREENING)
    make_application(form)
    login(client, program_staff)
    response = exported(client, INDEX, {"export": "csv", "status": "screening"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [wanted.reference]


# Inspect ------------------------------------------------------------------------------


def test_inspect_shows_answers_by_section_escaped(client, program_staff):
    form = ApplicationFormFactory()
    plan = field_id(form, "What will you do with the grant?")
    languages = field_id(form, "Languages you work in")
    budget = field_id(form, "Budget")
    application = make_application(
        form,
        title="<script>alert('title')</script>",
        answers={
            plan: "<script>alert(1)</script> Peer circles",
            languages: ["English", "Somali"],
            budget: {
                "rows": [{"item": "<b>Rent</b>", "amount": "500"}],
                "total": "500",
            },
        },
    )
    login(client, program_staff)
    response = client.get(url("inspect", application.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Peer circles" in html
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html
    assert "&lt;b&gt;Rent&lt;/b&gt;" in html
    assert "<script>alert" not in html
    assert "English, Somali" in html
    assert html.index("Your organization&#x27;s work") < html.index("Peer circles")
    assert html.index("Peer circles") < html.index("Budget and documents")


def test_inspect_of_a_draft_is_not_found(client, program_staff):
    draft = make_application(
        status=Application.Status.DRAFT, reference=None, submitted_at=None
    )
    login(client, program_staff)
    assert client.get(url("inspect", draft.pk)).status_code == 404


def test_inspect_offers_only_legal_status_moves(client, program_staff):
    application = make_application(status=Application.Status.SCREENING)
    login(client, program_staff)
    form = client.get(url("inspect", application.pk)).context["status_form"]
    offered = [value for value, _label in form.fields["to_status"].widget.choices]
    assert offered == ["eligible", "ineligible"]


def test_inspect_shows_history_and_notes(client, program_staff):
    application = make_application()
    StatusChange.objects.create(
        application=application,
        from_status="draft",
        to_status="submitted",
        reason="<i>sent</i>",
    )
    InternalNote.objects.create(
        application=application, author=program_staff, text="<img src=x>"
    )
    login(client, program_staff)
    html = client.get(url("inspect", application.pk)).content.decode()
    assert "&lt;i&gt;sent&lt;/i&gt;" in html
    assert "&lt;img src=x&gt;" in html


# Screening actions --------------------------------------------------------------------


def test_program_staff_move_a_submitted_application_to_screening(client, program_staff):
    application = make_application()
    login(client, program_staff)
    response = client.post(
        url("change_status", application.pk),
        {"to_status": "screening", "reason": "Starting checks"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("inspect", application.pk)
    application.refresh_from_db()
    assert application.status == Application.Status.SCREENING
    change = StatusChange.objects.get(application=application)
    assert (change.from_status, change.to_status, change.reason) == (
        "submitted",
        "screening",
        "Starting checks",
    )
    assert change.actor == program_staff


def test_an_illegal_move_shows_the_error_and_writes_nothing(client, program_staff):
    application = make_application()
    login(client, program_staff)
    response = client.post(
        url("change_status", application.pk), {"to_status": "eligible", "reason": ""}
    )
    assert response.status_code == 200
    assert "cannot be moved to" in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not StatusChange.objects.exists()
    assert not ModelLogEntry.objects.filter(
        action="applications.change_status"
    ).exists()


def test_an_unknown_status_is_refused_by_the_form(client, program_staff):
    application = make_application()
    login(client, program_staff)
    response = client.post(url("change_status", application.pk), {"to_status": "draft"})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not StatusChange.objects.exists()


def test_request_information_reopens_only_the_chosen_sections(client, program_staff):
    form = ApplicationFormFactory()
    budget_section = section_id(form, "Budget and documents")
    application = make_application(form, status=Application.Status.SCREENING)
    login(client, program_staff)
    response = client.post(
        url("request_information", application.pk),
        {"sections": [budget_section], "message": "Please add your rent costs."},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.MORE_INFO
    assert application.reopened_sections == [budget_section]
    info = InformationRequest.objects.get(application=application)
    assert info.sections == [budget_section]
    assert info.message == "Please add your rent costs."


def test_request_information_needs_a_section_and_writes_nothing(client, program_staff):
    application = make_application(status=Application.Status.SCREENING)
    login(client, program_staff)
    response = client.post(
        url("request_information", application.pk), {"message": "More please"}
    )
    assert response.status_code == 200
    assert "Choose at least one section to reopen." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.SCREENING
    assert not InformationRequest.objects.exists()
    assert not StatusChange.objects.exists()


def test_request_information_refuses_a_section_not_in_the_form(client, program_staff):
    application = make_application(status=Application.Status.SCREENING)
    login(client, program_staff)
    response = client.post(
        url("request_information", application.pk),
        {"sections": ["not-a-section"], "message": "More please"},
    )
    assert response.status_code == 200
    assert not InformationRequest.objects.exists()


def test_internal_note_is_kept_and_never_shown_to_the_applicant(
    client, program_staff, applicant
):
    organization = make_organization()
    MembershipFactory(organization=organization, user=applicant, role="owner")
    application = make_application(organization=organization)
    login(client, program_staff)
    response = client.post(
        url("add_note", application.pk), {"text": "Check the 990 with finance"}
    )
    assert response.status_code == 302
    note = InternalNote.objects.get(application=application)
    assert (note.text, note.author) == ("Check the 990 with finance", program_staff)
    assert (
        "Check the 990 with finance"
        in client.get(url("inspect", application.pk)).content.decode()
    )

    login(client, applicant)
    for name in ("task_list", "check", "print"):
        page = client.get(reverse(f"applications:{name}", args=[application.public_id]))
        assert page.status_code == 200, name
        assert "Check the 990" not in page.content.decode()
    home = client.get(reverse("applications:portal_home"))
    assert "Check the 990" not in home.content.decode()


def test_an_empty_note_is_refused(client, program_staff):
    application = make_application()
    login(client, program_staff)
    response = client.post(url("add_note", application.pk), {"text": "  "})
    assert response.status_code == 200
    assert not InternalNote.objects.exists()


# Attachments --------------------------------------------------------------------------


def make_attachment(application, *, name="budget.pdf"):
    attachment = Attachment(
        application=application,
        field_id="budget-doc",
        original_name=name,
        size=13,
        content_type="application/pdf",
        sha256="0" * 64,
    )
    attachment.file.save(name, ContentFile(b"%PDF-1.4 test"), save=False)
    attachment.save()
    return attachment


def test_staff_download_an_attachment_safely_and_it_is_logged(client, program_staff):
    application = make_application()
    attachment = make_attachment(application)
    login(client, program_staff)
    response = client.get(url("download_attachment", application.pk, attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "budget.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert ModelLogEntry.objects.filter(
        action="applications.download_attachment",
        user=program_staff,
        object_id=str(application.pk),
    ).exists()


def test_inspect_links_the_attachment(client, program_staff):
    application = make_application()
    attachment = make_attachment(application, name="<b>plan</b>.pdf")
    login(client, program_staff)
    html = client.get(url("inspect", application.pk)).content.decode()
    assert url("download_attachment", application.pk, attachment.pk) in html
    assert "&lt;b&gt;plan&lt;/b&gt;.pdf" in html


def test_attachment_of_another_application_is_not_found(client, program_staff):
    application = make_application()
    other = make_application()
    attachment = make_attachment(other)
    login(client, program_staff)
    response = client.get(url("download_attachment", application.pk, attachment.pk))
    assert response.status_code == 404
    assert not ModelLogEntry.objects.filter(
        action="applications.download_attachment"
    ).exists()


# Bulk actions -------------------------------------------------------------------------


def bulk_url(action, *ids):
    query = "&".join(f"id={pk}" for pk in ids)
    return f"/admin/bulk/applications/application/{action}/?{query}"


def test_bulk_move_to_screening(client, program_staff):
    form = ApplicationFormFactory()
    first = make_application(form)
    second = make_application(form)
    eligible = make_application(form, status=Application.Status.ELIGIBLE)
    untouched = make_application(form)
    draft = make_application(
        form, status=Application.Status.DRAFT, reference=None, submitted_at=None
    )
    login(client, program_staff)
    target = bulk_url("move_to_screening", first.pk, second.pk, eligible.pk, draft.pk)
    confirm = client.get(target)
    assert confirm.status_code == 200
    assert draft.title not in confirm.content.decode()
    response = client.post(target, {"reason": "Round closed"})
    assert response.status_code == 302
    statuses = dict(Application.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "screening"
    assert statuses[eligible.pk] == "eligible"
    assert statuses[untouched.pk] == "submitted"
    assert statuses[draft.pk] == "draft"
    assert StatusChange.objects.count() == 2
    assert set(StatusChange.objects.values_list("reason", flat=True)) == {
        "Round closed"
    }


def test_bulk_action_on_drafts_only_is_not_found(client, program_staff):
    draft = make_application(
        status=Application.Status.DRAFT, reference=None, submitted_at=None
    )
    login(client, program_staff)
    response = client.post(bulk_url("move_to_screening", draft.pk), {"reason": ""})
    assert response.status_code == 404
    assert not StatusChange.objects.exists()


def test_bulk_select_all_follows_the_listing_filters(client, program_staff):
    form = ApplicationFormFactory()
    small = make_application(form, amount_requested=Decimal("11000.00"))
    large = make_application(form, amount_requested=Decimal("40000.00"))
    login(client, program_staff)
    response = client.post(
        "/admin/bulk/applications/application/move_to_screening/"
        "?id=all&amount_max=20000",
        {"reason": ""},
    )
    assert response.status_code == 302
    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.status, large.status) == ("screening", "submitted")


def test_bulk_export_of_selected_applications(client, program_staff):
    form = ApplicationFormFactory()
    chosen = make_application(form, title="-2+3")
    make_application(form)
    login(client, program_staff)
    response = exported(
        client, bulk_url("export_selected", chosen.pk), post={"export_format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows[1:]] == [chosen.reference]
    assert ModelLogEntry.objects.filter(
        action="applications.export_applications", user=program_staff
    ).exists()


# Everyone else is refused -------------------------------------------------------------

OTHER_ROLES = ["finance_officer", "comms_staff", "applicant", "panelist"]


def refused(response):
    """Wagtail sends staff without the permission to the dashboard, others to sign in."""
    if response.status_code == 302:
        location = response["Location"]
        return location == "/admin/" or location.startswith("/admin/login/")
    return response.status_code in (403, 404)


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_read_the_screening_area(client, request, role):
    user = request.getfixturevalue(role)
    application = make_application(title="Secret project title")
    attachment = make_attachment(application)
    login(client, user)
    targets = [
        INDEX,
        url("index_results"),
        INDEX + "?export=csv",
        INDEX + "?export=xlsx",
        url("inspect", application.pk),
        url("download_attachment", application.pk, attachment.pk),
        url("change_status", application.pk),
        url("request_information", application.pk),
        url("add_note", application.pk),
        bulk_url("move_to_screening", application.pk),
        bulk_url("export_selected", application.pk),
    ]
    for target in targets:
        response = client.get(target)
        assert refused(response), (role, target)
        body = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        assert b"Secret project title" not in body, (role, target)
        assert application.reference.encode() not in body, (role, target)
    assert not ModelLogEntry.objects.filter(
        action__in=[
            "applications.export_applications",
            "applications.download_attachment",
        ]
    ).exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_cannot_screen(client, request, role):
    user = request.getfixturevalue(role)
    form = ApplicationFormFactory()
    application = make_application(form, status=Application.Status.SCREENING)
    before = (StatusChange.objects.count(), InternalNote.objects.count())
    login(client, user)
    posts = [
        (url("change_status", application.pk), {"to_status": "eligible"}),
        (
            url("request_information", application.pk),
            {"sections": ["about"], "message": "More"},
        ),
        (url("add_note", application.pk), {"text": "Sneaky"}),
        (bulk_url("move_to_screening", application.pk), {"reason": ""}),
        (bulk_url("export_selected", application.pk), {"export_format": "csv"}),
    ]
    for target, data in posts:
        response = client.post(target, data)
        assert refused(response), (role, target)
        assert not response.streaming, (role, target)
    application.refresh_from_db()
    assert application.status == Application.Status.SCREENING
    assert nothing_written(before)
    assert not InformationRequest.objects.exists()
    assert not ModelLogEntry.objects.filter(action__startswith="applications.").exists()


def test_the_menu_shows_applications_to_program_staff_only(
    client, program_staff, finance_officer
):
    login(client, program_staff)
    assert INDEX in client.get("/admin/").content.decode()
    login(client, finance_officer)
    assert INDEX not in client.get("/admin/").content.decode()


def test_an_object_grant_opens_that_application_only(client, comms_staff):
    # Object grants come from services (e.g. assigning a reviewer); none exists for
    # staff yet, so the test writes the grant itself.
    granted = make_application(title="Granted project")
    other = make_application(title="Other project")
    assign_perm("applications.view_application", comms_staff, granted)
    login(client, comms_staff)
    assert client.get(url("inspect", granted.pk)).status_code == 200
    assert client.get(url("inspect", other.pk)).status_code == 404
    listing = client.get(INDEX)
    assert refused(listing)
    screen = client.post(url("change_status", granted.pk), {"to_status": "screening"})
    assert refused(screen)
    granted.refresh_from_db()
    assert granted.status == Application.Status.SUBMITTED
    assert not StatusChange.objects.exists()


def test_without_a_snapshot_the_live_form_is_shown(client, program_staff):
    form = ApplicationFormFactory()
    plan = field_id(form, "What will you do with the grant?")
    application = make_application(
        form, form_snapshot=None, answers={plan: "Peer circles"}
    )
    login(client, program_staff)
    html = client.get(url("inspect", application.pk)).content.decode()
    assert "What will you do with the grant?" in html
    assert "Peer circles" in html
