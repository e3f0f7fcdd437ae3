"""Open data: /open-data/360giving.json, /open-data/360giving.csv and
/open-data/grants-candid.csv publish accepted awards only, valid 360Giving 1.4,
money from the ledger, and nothing about any person."""

import copy
import json
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from grants import services
from grants.models import Award, LedgerEntry
from tests.grants.money_helpers import finance_user
from tests.grants.public_helpers import (
    CANDID_URL,
    CSV_URL,
    JSON_URL,
    OPEN_DATA_URLS,
    award_with_personal_data,
    csv_header,
    csv_rows,
    funded,
    grants_by_id,
    installments,
    last_fiscal_year_start,
    offered,
    owner_of,
    pay_installment,
    published_ids,
    send_payment,
)

pytestmark = pytest.mark.django_db

SCHEMA_DIR = Path(settings.BASE_DIR).parent / "shared" / "data" / "360giving"


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    """Public output is cached (LocMem in tests): no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def finance_pair(db):
    """Two finance officers: one requests and records, the other approves."""
    return finance_user(), finance_user()


# 360Giving schema ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def package_validator():
    """A validator for the 360Giving 1.4.3 package schema, with its grant schema
    registered under its own $id and under the URL the package schema points at."""
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"360Giving schemas not found in {SCHEMA_DIR}")
    if "date-time" not in FormatChecker().checkers:
        # Without a date-time checker, a plain date matches both branches of the
        # schema's oneOf for awardDate, so every valid file would fail.
        pytest.skip("jsonschema cannot check date-time here (rfc3339-validator)")
    package_schema = json.loads(
        (SCHEMA_DIR / "360-giving-package-schema.json").read_text()
    )
    grant_schema = json.loads((SCHEMA_DIR / "360-giving-schema.json").read_text())
    grant = DRAFT202012.create_resource(grant_schema)
    referenced = package_schema["properties"]["grants"]["items"]["$ref"]
    registry = Registry().with_resources(
        [(grant_schema["$id"], grant), (referenced, grant)]
    )
    return Draft202012Validator(
        package_schema, registry=registry, format_checker=FormatChecker()
    )


def test_json_validates_against_the_360giving_schema(
    client, package_validator, program_staff, finance_pair
):
    with_ein, _owner = funded(program_staff, amount="30000.00")
    without_ein, _owner = funded(program_staff, owner=owner_of(ein=""))
    services.amend_award(
        actor=program_staff,
        award=without_ein,
        amount=Decimal("25000.50"),
        reason="Budget revised",
    )
    pay_installment(*finance_pair, installments(program_staff, with_ein)[0])

    data = client.get(JSON_URL).json()

    assert len(data["grants"]) == 2
    errors = [error.message for error in package_validator.iter_errors(data)]
    assert errors == []


def test_the_schema_check_catches_a_broken_file(
    client, package_validator, program_staff
):
    funded(program_staff)
    broken = copy.deepcopy(client.get(JSON_URL).json())
    grant = broken["grants"][0]
    del grant["currency"]
    grant["amountAwarded"] = "lots"
    grant["awardDate"] = "last Tuesday"
    broken["version"] = "one"

    errors = list(package_validator.iter_errors(broken))

    failed = {error.json_path for error in errors}
    assert {
        "$.grants[0]",
        "$.grants[0].amountAwarded",
        "$.grants[0].awardDate",
        "$.version",
    } <= failed
    # The missing currency shows up under the grant's oneOf (organization/individual).
    reasons = [sub.message for error in errors for sub in error.context]
    assert "'currency' is a required property" in reasons


# Field mapping ------------------------------------------------------------------------


def test_a_grant_carries_the_awards_public_fields(client, program_staff):
    owner = owner_of(ein="41-1234567", public_name="Northside Healing Collective")
    award, _owner = funded(
        program_staff,
        owner=owner,
        title="Survivor-led housing navigation",
        summary="Housing navigators with lived experience.",
    )
    services.amend_award(
        actor=program_staff,
        award=award,
        amount=Decimal("32000.50"),
        reason="Added a second navigator",
    )
    award.refresh_from_db()

    grant = grants_by_id(client)[f"{settings.PORTAL_OPEN_DATA_PREFIX}-{award.pk}"]

    fund = award.funding_round.fund
    assert grant["title"] == "Survivor-led housing navigation"
    assert grant["description"] == "Housing navigators with lived experience."
    assert grant["currency"] == "USD"
    assert grant["amountAwarded"] == 32000.5
    assert grant["amountDisbursed"] == 0
    assert grant["awardDate"] == timezone.localtime(award.awarded_at).date().isoformat()
    assert grant["plannedDates"] == [
        {"startDate": award.starts_on.isoformat(), "endDate": award.ends_on.isoformat()}
    ]
    (recipient,) = grant["recipientOrganization"]
    assert recipient["id"] == "US-EIN-411234567"
    assert recipient["name"] == "Northside Healing Collective"
    assert grant["fundingOrganization"] == [
        {"id": settings.PORTAL_FUNDER_ORG_ID, "name": settings.PORTAL_FUNDER_NAME}
    ]
    assert grant["grantProgramme"] == [
        {"code": fund.framework_goal, "title": fund.name}
    ]


def test_identifiers_follow_the_configured_prefix(client, settings, program_staff):
    settings.PORTAL_OPEN_DATA_PREFIX = "360G-testcity"
    award, owner = funded(program_staff, owner=owner_of(ein=""))
    organization = owner.memberships.get().organization

    grants = grants_by_id(client)

    assert list(grants) == [f"360G-testcity-{award.pk}"]
    recipient = grants[f"360G-testcity-{award.pk}"]["recipientOrganization"][0]
    assert recipient["id"] == f"360G-testcity-org-{organization.pk}"


def test_amount_disbursed_is_money_paid_net_of_failed_and_reversed_payments(
    client, program_staff, finance_pair
):
    requester, approver = finance_pair
    award, _owner = funded(program_staff, amount="30000.00")
    paid, bounced, reversed_ = installments(
        program_staff, award, "10000.00", "10000.00", "10000.00"
    )
    pay_installment(requester, approver, paid)
    services.mark_failed(
        actor=requester,
        disbursement=send_payment(requester, approver, bounced),
        reason="Account closed",
    )
    services.mark_failed(
        actor=requester,
        disbursement=pay_installment(requester, approver, reversed_),
        reason="Returned by the bank",
        reversed_payment=True,
    )

    grant = grants_by_id(client)[award.identifier]
    (row,) = csv_rows(client.get(CSV_URL))

    assert grant["amountAwarded"] == 30000
    assert grant["amountDisbursed"] == 10000
    assert row["Amount Disbursed"] == "10000"


def test_date_modified_moves_on_when_money_is_paid(
    client, program_staff, finance_pair, django_capture_on_commit_callbacks
):
    award, _owner = funded(program_staff)
    (installment,) = installments(program_staff, award)
    before = grants_by_id(client)[award.identifier]["dateModified"]
    time.sleep(1.05 - time.time() % 1)  # dateModified is to the second

    with django_capture_on_commit_callbacks(execute=True):
        payment = pay_installment(*finance_pair, installment)

    after = grants_by_id(client)[award.identifier]["dateModified"]
    entry = LedgerEntry.objects.get(disbursement=payment)
    assert after > before
    assert after == timezone.localtime(entry.created_at).isoformat(timespec="seconds")


# What is published --------------------------------------------------------------------


def test_only_accepted_awards_are_published(client, program_staff):
    accepted, _owner = funded(program_staff)
    still_offered, _owner = offered(program_staff)
    declined, owner = offered(program_staff)
    services.decline_award(actor=owner, award=declined, reason="We merged")
    rescinded, _owner = offered(program_staff)
    services.rescind_award(
        actor=program_staff, award=rescinded, reason="Offer made in error"
    )

    for url, ids in published_ids(client).items():
        assert accepted.identifier in ids, url
        assert (
            not {
                still_offered.identifier,
                declined.identifier,
                rescinded.identifier,
            }
            & ids
        ), url


def test_an_award_rescinded_after_acceptance_disappears(
    client, program_staff, django_capture_on_commit_callbacks
):
    award, _owner = funded(program_staff)
    assert all(award.identifier in ids for ids in published_ids(client).values())

    with django_capture_on_commit_callbacks(execute=True):
        services.rescind_award(
            actor=program_staff, award=award, reason="Conditions not met"
        )

    assert Award.objects.get(pk=award.pk).status == Award.Status.RESCINDED
    for url, ids in published_ids(client).items():
        assert award.identifier not in ids, url


def test_a_fully_paid_award_rescinded_later_disappears_at_once(
    client, program_staff, finance_pair, django_capture_on_commit_callbacks
):
    award, _owner = funded(program_staff)
    with django_capture_on_commit_callbacks(execute=True):
        pay_installment(*finance_pair, installments(program_staff, award)[0])
    assert award.identifier in grants_by_id(client)

    with django_capture_on_commit_callbacks(execute=True):
        services.rescind_award(actor=program_staff, award=award, reason="Misuse")

    assert Award.objects.get(pk=award.pk).status == Award.Status.RESCINDED
    assert award.identifier not in grants_by_id(client)


# No personal data ---------------------------------------------------------------------

MARKERS = {
    "contact name": "Quennell Brightwater",
    "contact email": "qbrightwater-contact@markers.example.org",
    "contact phone": "612-555-0147",
    "street address": "4417 Zanzibar Lane",
    "address line 2": "Suite Kestrel 9",
    "grantee email": "grantee-zq7@markers.example.org",
    "signer": "Ottoline Fairweather",
    "staff email": "staff-zq7@markers.example.org",
    "finance email": "finance-zq7@markers.example.org",
    "panelist email": "panelist-zq7@markers.example.org",
    "barriers": "Transit strike slowed onboarding zq7barriers",
    "support needed": "Guidance on trauma-informed supervision zq7support",
    "over commitment": "A second entry-level opening appeared zq7over",
    "staff comment": "Figures match the payroll summary zq7comment",
    "application answer": "Our founder Marisol Quickfeather leads zq7answer",
}


def test_no_personal_data_is_published(client):
    award = award_with_personal_data(MARKERS)

    outputs = {url: client.get(url).content.decode() for url in OPEN_DATA_URLS}

    for url, text in outputs.items():
        assert award.organization.public_name in text, url  # the award is there
        leaked = [what for what, marker in MARKERS.items() if marker in text]
        assert leaked == [], url


# CSV files ----------------------------------------------------------------------------

STANDARD_COLUMNS = [
    "Identifier",
    "Title",
    "Description",
    "Currency",
    "Amount Awarded",
    "Award Date",
    "Recipient Org:Identifier",
    "Recipient Org:Name",
    "Funding Org:Identifier",
    "Funding Org:Name",
    "Grant Programme:Code",
    "Grant Programme:Title",
    "Last modified",
]


def test_csv_has_the_360giving_columns_and_a_row_per_published_award(
    client, program_staff
):
    first, _owner = funded(program_staff, amount="30000.00")
    second, _owner = funded(program_staff, amount="12500.50")
    offered(program_staff)

    response = client.get(CSV_URL)
    rows = {row["Identifier"]: row for row in csv_rows(response)}

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header = csv_header(response)
    assert [title for title in header if title in STANDARD_COLUMNS] == STANDARD_COLUMNS
    assert set(rows) == {first.identifier, second.identifier}
    row = rows[second.identifier]
    assert row["Title"] == second.public_title
    assert row["Currency"] == "USD"
    assert row["Amount Awarded"] == "12500.5"
    assert row["Funding Org:Name"] == settings.PORTAL_FUNDER_NAME
    assert row["Recipient Org:Name"] == second.organization.public_name


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, program_staff):
    award, _owner = funded(
        program_staff,
        title='=HYPERLINK("https://evil.example","Click")',
        summary="+SUM(A1:A9)",
    )

    (row,) = csv_rows(client.get(CSV_URL))
    (candid,) = [
        r for r in csv_rows(client.get(CANDID_URL)) if r["Amount Type"] == "Authorized"
    ]
    grant = grants_by_id(client)[award.identifier]

    assert row["Title"] == "'" + award.public_title
    assert row["Description"] == "'+SUM(A1:A9)"
    assert candid["Description"] == "'+SUM(A1:A9)"
    assert grant["title"] == award.public_title  # JSON is not a spreadsheet


def test_candid_csv_has_an_authorized_row_per_award_and_paid_rows_per_fiscal_year(
    client, settings, program_staff, finance_pair
):
    settings.PORTAL_FISCAL_YEAR_START_MONTH = 7
    award, _owner = funded(program_staff, amount="30000.00")
    other, _owner = funded(program_staff, amount="15000.00")
    first, second = installments(program_staff, award, "10000.00", "20000.00")
    new_year = last_fiscal_year_start(timezone.localdate(), 7)
    pay_installment(*finance_pair, first, paid_on=new_year - timedelta(days=1))
    pay_installment(*finance_pair, second, paid_on=new_year)

    rows = csv_rows(client.get(CANDID_URL))

    awarded_on = timezone.localtime(award.awarded_at).date()
    award_year = awarded_on.year + (1 if awarded_on.month >= 7 else 0)
    summary = {
        (row["Grant ID"], row["Amount Type"], row["Fiscal Year"], row["Amount"])
        for row in rows
    }
    assert summary == {
        (award.identifier, "Authorized", str(award_year), "30000.00"),
        (award.identifier, "Paid", str(new_year.year), "10000.00"),
        (award.identifier, "Paid", str(new_year.year + 1), "20000.00"),
        (other.identifier, "Authorized", str(award_year), "15000.00"),
    }
    row = next(r for r in rows if r["Grant ID"] == award.identifier)
    assert row["Funder Name"] == settings.PORTAL_FUNDER_NAME
    assert row["Recipient EIN"] == award.organization.ein
    assert row["Grant Start Date"] == award.starts_on.isoformat()
    assert row["Program Area"] == award.funding_round.fund.name


def test_candid_csv_follows_the_paid_on_date_once_a_payment_is_marked_paid(
    client, settings, program_staff, finance_pair, django_capture_on_commit_callbacks
):
    settings.PORTAL_FISCAL_YEAR_START_MONTH = 7
    requester, _approver = finance_pair
    award, _owner = funded(program_staff)
    with django_capture_on_commit_callbacks(execute=True):
        payment = send_payment(*finance_pair, installments(program_staff, award)[0])
    client.get(CANDID_URL)  # cached with the year the money left
    previous_year = last_fiscal_year_start(timezone.localdate(), 7).year

    with django_capture_on_commit_callbacks(execute=True):
        services.mark_paid(
            actor=requester, disbursement=payment, paid_on=date(previous_year, 6, 30)
        )

    paid = [r for r in csv_rows(client.get(CANDID_URL)) if r["Amount Type"] == "Paid"]
    assert [(r["Fiscal Year"], r["Amount"]) for r in paid] == [
        (str(previous_year), "30000.00")
    ]


# Cache --------------------------------------------------------------------------------


def test_files_show_a_newly_accepted_award_right_after_acceptance(
    client, program_staff, django_capture_on_commit_callbacks
):
    award, owner = offered(program_staff)
    assert all(not ids for ids in published_ids(client).values())

    with django_capture_on_commit_callbacks(execute=True):
        services.accept_award(actor=owner, award=award, signer_name="Amina Yusuf")

    for url, ids in published_ids(client).items():
        assert ids == {award.identifier}, url


def test_files_are_served_from_the_cache_until_a_change_commits(client, program_staff):
    award, _owner = funded(program_staff, title="Peer support circles")
    assert grants_by_id(client)[award.identifier]["title"] == "Peer support circles"

    Award.objects.filter(pk=award.pk).update(public_title="Changed behind its back")

    assert grants_by_id(client)[award.identifier]["title"] == "Peer support circles"
    cache.clear()
    assert grants_by_id(client)[award.identifier]["title"] == "Changed behind its back"


# The endpoints ------------------------------------------------------------------------


@pytest.mark.parametrize("url", OPEN_DATA_URLS)
def test_endpoints_are_public_get_only_and_set_no_cookie(client, program_staff, url):
    funded(program_staff)

    response = client.get(url)

    assert response.status_code == 200
    assert response.cookies == {}
    assert not response.has_header("Set-Cookie")
    assert not Session.objects.exists()
    assert "public" in response["Cache-Control"]
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_json_is_a_360giving_package(client, program_staff):
    funded(program_staff)

    response = client.get(JSON_URL)
    data = response.json()

    assert response["Content-Type"] == "application/json"
    assert data["version"] == "1.4"
    assert data["license"] == settings.PORTAL_OPEN_DATA_LICENSE
    assert data["publisher"]["name"] == settings.PORTAL_OPEN_DATA_PUBLISHER_NAME
    assert data["modified"] == data["grants"][0]["dateModified"]
