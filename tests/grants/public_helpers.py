"""Set-up for the public-output tests (open data and the /funded/ page): funded
awards and verified reports through the services, and readers for what the public
gets back (JSON, CSV, the figures on the page)."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

from bs4 import BeautifulSoup
from django.utils import timezone
from wagtail.models import Site

from grants import services
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganizationFactory,
    PanelMembershipFactory,
    UserFactory,
)
from tests.grants.money_helpers import finance_user, make_round, program_user

JSON_URL = "/open-data/360giving.json"
CSV_URL = "/open-data/360giving.csv"
CANDID_URL = "/open-data/grants-candid.csv"
OPEN_DATA_URLS = [JSON_URL, CSV_URL, CANDID_URL]


def owner_of(**organization):
    """The owner of a new organization (email confirmed, so they may report)."""
    user = MembershipFactory(
        role="owner", **{f"organization__{k}": v for k, v in organization.items()}
    ).user
    user.email_confirmed_at = timezone.now()
    user.save(update_fields=["email_confirmed_at"])
    return user


def offered(
    program_staff,
    *,
    owner=None,
    amount="30000.00",
    title="Peer support circles",
    summary="Weekly peer support circles led by survivors.",
    started_days_ago=100,
    funding_round=None,
):
    """An award offered to ``owner``'s organization, running a year from
    ``started_days_ago``. Returns (award, owner)."""
    owner = owner or owner_of()
    starts = timezone.localdate() - timedelta(days=started_days_ago)
    award = services.create_award(
        actor=program_staff,
        organization=owner.memberships.get().organization,
        funding_round=funding_round or make_round(),
        amount=Decimal(amount),
        public_title=title,
        public_summary=summary,
        starts_on=starts,
        ends_on=starts + timedelta(days=364),
    )
    return award, owner


def funded(program_staff, *, signer="Amina Yusuf", **values):
    """An accepted award (see ``offered`` for the values). Returns (award, owner)."""
    award, owner = offered(program_staff, **values)
    services.accept_award(actor=owner, award=award, signer_name=signer)
    award.refresh_from_db()
    return award, owner


def installments(program_staff, award, *amounts):
    """Schedule the award as installments of these amounts (default: all at once),
    due a month apart from today; returns them in order."""
    parts = [Decimal(a) for a in amounts] or [award.amount]
    return services.set_schedule(
        actor=program_staff,
        award=award,
        installments=[
            {"due_on": timezone.localdate() + timedelta(days=30 * n), "amount": part}
            for n, part in enumerate(parts)
        ],
    )


def send_payment(requester, approver, installment):
    """Request, approve and send: the money has left (a PAID ledger entry)."""
    payment = services.request_disbursement(
        actor=requester, installment=installment, method="manual_ach"
    )
    services.approve_disbursement(actor=approver, disbursement=payment)
    services.mark_sent(actor=requester, disbursement=payment, reference="ACH 0042")
    payment.refresh_from_db()
    return payment


def pay_installment(requester, approver, installment, *, paid_on=None):
    """Send a payment and mark it paid on ``paid_on`` (default today)."""
    payment = send_payment(requester, approver, installment)
    services.mark_paid(
        actor=requester,
        disbursement=payment,
        paid_on=paid_on or timezone.localdate(),
    )
    payment.refresh_from_db()
    return payment


POSITIONS = ("entry", "professional", "leadership", "board")


def commit_positions(program_staff, award, **positions):
    """Confirm a hiring commitment of the given positions per level (default 0)."""
    return services.record_commitment(
        actor=program_staff,
        award=award,
        **{f"{level}_positions": positions.get(level, 0) for level in POSITIONS},
        wage_floor=Decimal("18.50"),
        target_date=award.ends_on,
        supports=[],
        other_supports="",
    )


def send_report(owner, award, *, served=None, narrative=None, number=1, **counts):
    """The grantee sends report ``number`` with these counts (0 unless given)."""
    return services.submit_report(
        actor=owner,
        report=award.hiring_reports.get(number=number),
        counts=counts,
        served=served or {},
        narrative=narrative or {},
    )


def reported(program_staff, *, positions=None, verify=True, served=None, **counts):
    """A funded award whose first report is sent, and verified unless told not to.

    ``positions`` ({level: count}) is the hiring commitment; when it is not given
    and the report has hiring counts, 10 positions per level are committed. Counts
    are report fields (entry_filled, ..., retained_6_months); ``served`` is
    {service type: people}. Returns the report.
    """
    award, owner = funded(program_staff)
    if positions is None and any(counts.values()):
        positions = dict.fromkeys(POSITIONS, 10)
    if positions:
        commit_positions(program_staff, award, **positions)
    report = send_report(owner, award, served=served, **counts)
    if verify:
        report = services.verify_report(actor=program_staff, report=report)
    return report


def award_with_personal_data(markers: dict):
    """A funded, paid award whose people, organization, application and verified
    report hold the given marker strings wherever personal data could hide."""
    staff = program_user(email=markers["staff email"])
    organization = OrganizationFactory(
        contact_name=markers["contact name"],
        contact_email=markers["contact email"],
        contact_phone=markers["contact phone"],
        address_line1=markers["street address"],
        address_line2=markers["address line 2"],
        owner=UserFactory(email=markers["grantee email"]),
    )
    owner = organization.memberships.get().user
    owner.email_confirmed_at = timezone.now()
    owner.save(update_fields=["email_confirmed_at"])
    award, _owner = funded(staff, owner=owner, signer=markers["signer"])
    PanelMembershipFactory(
        panel__funding_round=award.funding_round,
        user=UserFactory(email=markers["panelist email"]),
    )
    ApplicationFactory(
        form__funding_round=award.funding_round,
        organization=organization,
        status="awarded",
        answers={"lead": markers["application answer"]},
        award=award,
    )
    # One position per level committed and two filled: the explanation is needed.
    commit_positions(staff, award, entry=1, professional=1)
    report = send_report(
        owner,
        award,
        entry_filled=2,
        narrative={
            "barriers": markers["barriers"],
            "support_needed": markers["support needed"],
            "over_commitment_explanation": markers["over commitment"],
        },
    )
    services.verify_report(actor=staff, report=report, comment=markers["staff comment"])
    requester = finance_user(email=markers["finance email"])
    pay_installment(requester, finance_user(), installments(staff, award)[0])
    return award


# Reading what the public gets --------------------------------------------------------


def grants_by_id(client) -> dict:
    """The grants in /open-data/360giving.json by identifier."""
    response = client.get(JSON_URL)
    assert response.status_code == 200
    return {grant["id"]: grant for grant in response.json()["grants"]}


def published_ids(client) -> dict[str, set]:
    """The award identifiers each of the three files lists."""
    return {
        JSON_URL: set(grants_by_id(client)),
        CSV_URL: {row["Identifier"] for row in csv_rows(client.get(CSV_URL))},
        CANDID_URL: {row["Grant ID"] for row in csv_rows(client.get(CANDID_URL))},
    }


def last_fiscal_year_start(today: date, start_month: int) -> date:
    """The first day of the fiscal year ``today`` falls in."""
    year = today.year if today.month >= start_month else today.year - 1
    return date(year, start_month, 1)


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def csv_header(response) -> list[str]:
    return next(csv.reader(io.StringIO(response.content.decode())))


def add_funded_page(title="What we funded", slug="funded"):
    """An AwardedGrantsPage under the default site's root page."""
    from cms.models import AwardedGrantsPage

    root = Site.objects.get(is_default_site=True).root_page
    page = AwardedGrantsPage(title=title, slug=slug, intro="Grants we awarded.")
    root.add_child(instance=page)
    page.save_revision().publish()
    return page


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content.decode(), "html.parser")


def hiring_section(page_soup):
    return page_soup.find("section", attrs={"aria-labelledby": "hiring-title"})


def table_by_caption(section, caption: str):
    for table in section.find_all("table"):
        if table.caption and table.caption.get_text(strip=True) == caption:
            return table
    raise AssertionError(f"no table captioned {caption!r}")


def table_columns(table) -> list[dict]:
    """Each data column of a table as {row label: cell text}."""
    columns: list[dict] = []
    for row in table.tbody.find_all("tr"):
        label = row.th.get_text(strip=True)
        for index, cell in enumerate(row.find_all("td")):
            if len(columns) <= index:
                columns.append({})
            columns[index][label] = cell.get_text(" ", strip=True)
    return columns


def summary_figures(section) -> dict:
    """The standalone figures (retention, wages) as {label: text}."""
    listing = section.find("dl", class_="summary-list")
    return {
        dt.get_text(strip=True): dt.find_next_sibling("dd").get_text(" ", strip=True)
        for dt in listing.find_all("dt")
    }
