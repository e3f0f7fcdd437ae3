"""Published awards as open data: 360Giving Data Standard 1.4 and a Candid-style CSV.

Only accepted awards appear (accepted, active or closed); offers, declined and
rescinded awards never do. Only what is public already goes out: the award's public
title and summary, the organization's public name, EIN, city and ZIP code, amounts and
dates. Never a person, a panelist or a report's narrative.

Street addresses are never published: many survivor services keep their location
confidential. City, state and ZIP code are.
"""

import csv
import io
from collections import defaultdict
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from grants import public_cache
from grants.exports import neutralise_formula
from grants.models import LedgerEntry
from grants.public import FUNDED, funded_awards

SCHEMA_VERSION = "1.4"
CURRENCY = "USD"


def recipient_id(organization) -> str:
    """org-id.guide identifier: US-EIN when known, else one under our 360G prefix."""
    digits = (organization.ein or "").replace("-", "")
    if len(digits) == 9 and digits.isdigit():
        return f"US-EIN-{digits}"
    return f"{settings.PORTAL_OPEN_DATA_PREFIX}-org-{organization.pk}"


def public_zip(postal_code: str) -> str:
    """The 5-digit ZIP code only: a ZIP+4 can point at a single building."""
    return (postal_code or "")[:5]


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _date_modified(award):
    moments = [award.awarded_at, award.accepted_at, award.ended_at, award.last_entry_at]
    return max(moment for moment in moments if moment is not None)


def _amount(value):
    # JSON numbers: whole dollars as integers, cents as two-decimal numbers. A float
    # of a two-decimal amount prints back exactly (shortest repr); it is only written.
    if value == value.to_integral_value():
        return int(value)
    return float(value)  # nosemgrep: no-float-for-money


def grant_record(award) -> dict:
    """One award as a 360Giving grant."""
    organization = award.organization
    fund = award.funding_round.fund
    recipient = {
        "id": recipient_id(organization),
        "name": organization.public_name,
        "addressLocality": organization.city,
        "addressRegion": organization.state,
        "postalCode": public_zip(organization.postal_code),
        "addressCountry": "US",
    }
    return {
        "id": award.identifier,
        "title": award.public_title,
        "description": award.public_summary,
        "currency": CURRENCY,
        "amountAwarded": _amount(award.amount),
        "amountDisbursed": _amount(award.disbursed),
        "awardDate": timezone.localtime(award.awarded_at).date().isoformat(),
        "plannedDates": [
            {
                "startDate": award.starts_on.isoformat(),
                "endDate": award.ends_on.isoformat(),
            }
        ],
        "recipientOrganization": [recipient],
        "fundingOrganization": [
            {
                "id": settings.PORTAL_FUNDER_ORG_ID,
                "name": settings.PORTAL_FUNDER_NAME,
            }
        ],
        "grantProgramme": [
            {
                "code": fund.framework_goal,
                "title": fund.name,
            }
        ],
        "dateModified": _iso(_date_modified(award)),
        "dataSource": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/funded/",
    }


def _build_package() -> dict:
    grants = [grant_record(award) for award in funded_awards()]
    modified = [grant["dateModified"] for grant in grants]
    package = {
        "version": SCHEMA_VERSION,
        "title": f"{settings.PORTAL_FUNDER_NAME}: survivor-led anti-trafficking grants",
        "description": (
            "Grants awarded by the anti-trafficking programme, published in the "
            "360Giving Data Standard."
        ),
        "license": settings.PORTAL_OPEN_DATA_LICENSE,
        "publisher": {
            "name": settings.PORTAL_OPEN_DATA_PUBLISHER_NAME,
            "identifier": settings.PORTAL_FUNDER_ORG_ID,
            "website": settings.PORTAL_OPEN_DATA_PUBLISHER_URL,
        },
        "modified": max(modified) if modified else _iso(timezone.now()),
        "grants": grants,
    }
    return package


def package() -> dict:
    """Every published award as a 360Giving data package (cached)."""
    return public_cache.get_or_build("360giving", _build_package)


CSV_COLUMNS = [
    ("Identifier", lambda g: g["id"]),
    ("Title", lambda g: g["title"]),
    ("Description", lambda g: g["description"]),
    ("Currency", lambda g: g["currency"]),
    ("Amount Awarded", lambda g: g["amountAwarded"]),
    ("Amount Disbursed", lambda g: g["amountDisbursed"]),
    ("Award Date", lambda g: g["awardDate"]),
    ("Planned Dates:Start Date", lambda g: g["plannedDates"][0]["startDate"]),
    ("Planned Dates:End Date", lambda g: g["plannedDates"][0]["endDate"]),
    ("Recipient Org:Identifier", lambda g: g["recipientOrganization"][0]["id"]),
    ("Recipient Org:Name", lambda g: g["recipientOrganization"][0]["name"]),
    ("Recipient Org:City", lambda g: g["recipientOrganization"][0]["addressLocality"]),
    ("Recipient Org:Region", lambda g: g["recipientOrganization"][0]["addressRegion"]),
    (
        "Recipient Org:Postal Code",
        lambda g: g["recipientOrganization"][0]["postalCode"],
    ),
    (
        "Recipient Org:Country",
        lambda g: g["recipientOrganization"][0]["addressCountry"],
    ),
    ("Funding Org:Identifier", lambda g: g["fundingOrganization"][0]["id"]),
    ("Funding Org:Name", lambda g: g["fundingOrganization"][0]["name"]),
    ("Grant Programme:Code", lambda g: g["grantProgramme"][0]["code"]),
    ("Grant Programme:Title", lambda g: g["grantProgramme"][0]["title"]),
    ("Last modified", lambda g: g["dateModified"]),
    ("Data Source", lambda g: g["dataSource"]),
]


def safe_cell(value) -> str:
    """Text a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    # A negative amount is a number, not a formula.
    return text if _is_number(text) else neutralise_formula(text)


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except InvalidOperation:
        return False


def _csv(header: list[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def grants_csv() -> str:
    """The 360Giving package flattened with the standard's column titles (cached)."""

    def build():
        grants = package()["grants"]
        return _csv(
            [title for title, _get in CSV_COLUMNS],
            ([get(grant) for _title, get in CSV_COLUMNS] for grant in grants),
        )

    return public_cache.get_or_build("360giving-csv", build)


# Candid-style CSV ------------------------------------------------------------------

CANDID_HEADER = [
    "Grant ID",
    "Funder Name",
    "Recipient Name",
    "Recipient EIN",
    "Recipient City",
    "Recipient State",
    "Recipient Postal Code",
    "Amount",
    "Amount Type",
    "Fiscal Year",
    "Grant Start Date",
    "Grant End Date",
    "Program Area",
    "Description",
]


def fiscal_year(moment_or_date) -> int:
    """The fiscal year a date falls in, named by the calendar year it ends in."""
    day = (
        timezone.localtime(moment_or_date).date()
        if isinstance(moment_or_date, datetime)
        else moment_or_date
    )
    start_month = settings.PORTAL_FISCAL_YEAR_START_MONTH
    if start_month == 1:
        return day.year
    return day.year + 1 if day.month >= start_month else day.year


def _paid_by_fiscal_year() -> dict:
    paid = defaultdict(lambda: defaultdict(int))
    entries = LedgerEntry.objects.filter(
        award__status__in=FUNDED, account=LedgerEntry.Account.PAID
    ).values_list("award_id", "created_at", "disbursement__paid_on", "amount")
    for award_id, created_at, paid_on, amount in entries:
        # The day the money arrived when finance recorded it, else the entry's day.
        paid[award_id][fiscal_year(paid_on or created_at)] += amount
    return paid


def candid_csv() -> str:
    """One "Authorized" row per award (the year it was awarded) and one "Paid" row
    per fiscal year money left the city for it (cached)."""

    def build():
        awards = list(funded_awards())
        paid = _paid_by_fiscal_year()
        rows = []
        for award in awards:
            organization = award.organization
            base = [
                award.identifier,
                settings.PORTAL_FUNDER_NAME,
                organization.public_name,
                organization.ein,
                organization.city,
                organization.state,
                public_zip(organization.postal_code),
            ]
            tail = [
                award.starts_on.isoformat(),
                award.ends_on.isoformat(),
                award.funding_round.fund.name,
                award.public_summary,
            ]
            rows.append(
                [
                    *base,
                    f"{award.amount:.2f}",
                    "Authorized",
                    fiscal_year(award.awarded_at),
                    *tail,
                ]
            )
            for year, amount in sorted(paid[award.pk].items()):
                if amount:
                    rows.append([*base, f"{amount:.2f}", "Paid", year, *tail])
        return _csv(CANDID_HEADER, rows)

    return public_cache.get_or_build("candid-csv", build)
