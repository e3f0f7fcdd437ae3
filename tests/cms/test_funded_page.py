"""The public /funded/ page: accepted awards, programme totals, survivor-hiring and
people-served figures with small counts suppressed, and links to the open data."""

import re
from math import inf

import pytest
from django.core.cache import cache
from django.utils import translation
from django.utils.formats import date_format

from cms.models import AwardedGrantsPage
from grants import services
from grants.suppression import NOTE
from tests.grants.money_helpers import finance_user
from tests.grants.public_helpers import (
    OPEN_DATA_URLS,
    add_funded_page,
    commit_positions,
    funded,
    hiring_section,
    installments,
    offered,
    owner_of,
    pay_installment,
    reported,
    soup,
    summary_figures,
    table_by_caption,
    table_columns,
)

pytestmark = pytest.mark.django_db

FEWER = "fewer than 5"
NOT_SHOWN = "not shown"
LEVELS = ["Entry level", "Professional", "Leadership", "Board or advisory"]
ALL_LEVELS = "All levels"
ALL_SERVICES = "All services"
POSITIONS_TABLE = "Positions for people with lived experience"
SERVED_TABLE = "People served by grantees"


@pytest.fixture(autouse=True)
def _fresh_public_cache():
    """Public figures are cached (LocMem in tests): no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def page(db):
    """An AwardedGrantsPage at /funded/, on a site with no other content."""
    return add_funded_page()


def hiring_figures(client, page) -> dict:
    """The hiring section as {group: {row: text}} plus the standalone figures."""
    section = hiring_section(soup(client.get(page.url)))
    committed, filled = table_columns(table_by_caption(section, POSITIONS_TABLE))
    (served,) = table_columns(table_by_caption(section, SERVED_TABLE))
    return {
        "section": section,
        "committed": committed,
        "filled": filled,
        "served": served,
        "standalone": summary_figures(section),
    }


def reader_range(text: str) -> tuple:
    """What a reader knows about a figure from what the page prints."""
    if text == FEWER:
        return (1, 4)
    if text == NOT_SHOWN:
        return (5, inf)
    assert text.isdigit(), f"unexpected figure {text!r}"
    return (int(text), int(text))


def pinned_cells(column: dict, total_label: str) -> list[str]:
    """Hidden cells a reader can work out exactly from the shown figures and the
    total (by subtraction), knowing "fewer than 5" is 1-4 and "not shown" is 5+."""
    total_low, total_high = reader_range(column[total_label])
    cells = {label: reader_range(text) for label, text in column.items()}
    del cells[total_label]
    pinned = []
    for label, (low, high) in cells.items():
        if low == high:
            continue  # shown
        others = [r for other, r in cells.items() if other != label]
        others_low = sum(r[0] for r in others)
        others_high = sum(r[1] for r in others)
        least = max(low, total_low - others_high)
        most = min(high, total_high - others_low)
        if least == most:
            pinned.append(label)
    return pinned


def small_counts_shown(section) -> list[str]:
    """Every figure cell in the hiring section that prints a count from 1 to 4."""
    cells = section.find_all(["td", "dd"])
    return [
        cell.get_text(strip=True)
        for cell in cells
        if re.fullmatch(r"[1-4]", cell.get_text(strip=True))
    ]


# The list of grants and the money totals ----------------------------------------------


def test_lists_accepted_awards_with_their_public_details(client, page, program_staff):
    owner = owner_of(public_name="Northside Healing Collective")
    award, _owner = funded(
        program_staff,
        owner=owner,
        amount="30000.00",
        title="Survivor-led housing navigation",
        summary="Housing navigators with lived experience.",
    )

    html = soup(client.get(page.url))
    (item,) = html.select(".grant-list__item")

    assert item.h3.get_text(strip=True) == "Survivor-led housing navigation"
    assert "Housing navigators with lived experience." in item.get_text()
    meta = item.select_one(".grant-list__meta").get_text(" ", strip=True)
    with translation.override("en"):
        starts = date_format(award.starts_on, "DATE_FORMAT")
        ends = date_format(award.ends_on, "DATE_FORMAT")
    for part in (
        "Northside Healing Collective",
        "$30,000",
        award.funding_round.fund.name,
        starts,
        ends,
    ):
        assert part in meta


def test_omits_offered_declined_and_rescinded_awards(client, page, program_staff):
    funded(program_staff, title="Accepted healing circles")
    offered(program_staff, title="Offered outreach vans")
    declined, owner = offered(program_staff, title="Declined legal clinic")
    services.decline_award(actor=owner, award=declined, reason="We merged")
    rescinded, _owner = funded(program_staff, title="Rescinded youth drop-in")
    services.rescind_award(actor=program_staff, award=rescinded, reason="Closed")

    html = soup(client.get(page.url))

    titles = [h3.get_text(strip=True) for h3 in html.select(".grant-list__item h3")]
    assert titles == ["Accepted healing circles"]
    text = html.get_text()
    for title in ("Offered outreach vans", "Declined legal clinic", "Rescinded youth"):
        assert title not in text


def test_shows_programme_totals_of_grants_awarded_and_paid(client, page, program_staff):
    award, _owner = funded(program_staff, amount="30000.00")
    funded(program_staff, amount="12500.50")
    offered(program_staff, amount="9000.00")
    first, _second = installments(program_staff, award, "10000.00", "20000.00")
    pay_installment(finance_user(), finance_user(), first)

    html = soup(client.get(page.url))

    figures = {
        item.dt.get_text(strip=True): item.dd.get_text(strip=True)
        for item in html.select("dl.figures .figures__item")
    }
    assert figures == {"Grants": "2", "Awarded": "$42,500.50", "Paid so far": "$10,000"}
    by_fund = table_columns(table_by_caption(html, "Grants by fund"))
    assert by_fund == [
        {award.funding_round.fund.name: "2"},
        {award.funding_round.fund.name: "$42,500.50"},
    ]


def test_links_to_the_three_open_data_files_and_the_licence(client, page, settings):
    html = soup(client.get(page.url))

    section = html.find("section", attrs={"aria-labelledby": "open-data-title"})
    links = [a["href"] for a in section.find_all("a")]
    assert links == [*OPEN_DATA_URLS, settings.PORTAL_OPEN_DATA_LICENSE]
    assert f"Published by {settings.PORTAL_OPEN_DATA_PUBLISHER_NAME}." in (
        section.get_text(" ", strip=True)
    )
    for url in OPEN_DATA_URLS:
        assert client.get(url).status_code == 200


# Suppression of small counts ----------------------------------------------------------

# Each scenario: verified reports, one award each (positions committed per level, the
# report's counts), and what the page must print for some figures.
SCENARIOS = {
    "one small cell next to a shown total": (
        [
            {
                "positions": {"entry": 5, "professional": 10},
                "entry_filled": 1,
                "professional_filled": 10,
                "retained_6_months": 3,
                "at_or_above_wage_floor": 11,
            }
        ],
        {
            ("filled", "Entry level"): FEWER,
            ("filled", "Leadership"): "0",
            ("filled", "Board or advisory"): "0",
            ("committed", ALL_LEVELS): "15",
            ("standalone", "Still in post after 6 months"): FEWER,
            ("standalone", "Positions paid at or above the wage floor"): "11",
        },
    ),
    "people served 0, 1, 4, 5 and 6": (
        [
            {
                "served": {
                    "case_management": 1,
                    "legal": 4,
                    "health_healing": 5,
                    "employment": 6,
                }
            }
        ],
        {
            ("served", "Emergency shelter or housing"): "0",
            ("served", "Case management and advocacy"): FEWER,
            ("served", "Legal help"): FEWER,
            ("served", "Health, healing and mental health"): "5",
            ("served", "Employment and training"): "6",
            ("served", ALL_SERVICES): "16",
        },
    ),
    "two fours beside a large count": (
        [{"served": {"case_management": 4, "legal": 4, "outreach": 20}}],
        {
            ("served", "Case management and advocacy"): FEWER,
            ("served", "Legal help"): FEWER,
        },
    ),
    "a small total": (
        [{"positions": {"entry": 5}, "entry_filled": 2, "served": {"youth": 3}}],
        {("filled", "Entry level"): FEWER, ("served", "Youth programmes"): FEWER},
    ),
    "small counts from several reports add up": (
        [
            {
                "positions": {"entry": 5},
                "entry_filled": 3,
                "retained_6_months": 2,
                "served": {"legal": 2},
            },
            {"positions": {"entry": 5}, "entry_filled": 2, "served": {"legal": 2}},
            {
                "positions": {"professional": 6},
                "professional_filled": 6,
                "served": {"legal": 2},
            },
        ],
        {
            ("filled", "Entry level"): "5",
            ("filled", "Professional"): "6",
            ("filled", ALL_LEVELS): "11",
            ("served", "Legal help"): "6",
            ("standalone", "Still in post after 6 months"): FEWER,
        },
    ),
}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=list(SCENARIOS))
def test_public_figures_never_show_or_give_away_a_count_from_1_to_4(
    client, page, program_staff, scenario
):
    reports, expected = SCENARIOS[scenario]
    for counts in reports:
        reported(program_staff, **counts)

    figures = hiring_figures(client, page)

    section = figures["section"]
    assert small_counts_shown(section) == []
    assert FEWER in section.get_text()
    assert str(NOTE) in section.get_text(" ", strip=True)
    for (group, label), text in expected.items():
        assert figures[group][label] == text, (group, label)
    for group, total in (
        ("committed", ALL_LEVELS),
        ("filled", ALL_LEVELS),
        ("served", ALL_SERVICES),
    ):
        assert pinned_cells(figures[group], total) == [], group


def test_a_small_cell_is_not_left_derivable_from_the_total(client, page, program_staff):
    """Entry 1 + professional 10 + 0 + 0 with the total 11 shown would give away
    the 1: a second cell (or the total) must be hidden too."""
    reported(
        program_staff,
        positions={"entry": 5, "professional": 10},
        entry_filled=1,
        professional_filled=10,
    )

    filled = hiring_figures(client, page)["filled"]

    assert filled["Entry level"] == FEWER
    assert NOT_SHOWN in (filled["Professional"], filled[ALL_LEVELS])
    assert filled["Professional"] != "10" or filled[ALL_LEVELS] != "11"


def test_only_verified_reports_count(client, page, program_staff):
    reported(
        program_staff,
        positions={"entry": 10},
        entry_filled=6,
        served={"legal": 7},
    )
    reported(
        program_staff,
        positions={"entry": 10},
        entry_filled=8,
        served={"legal": 9},
        verify=False,
    )

    figures = hiring_figures(client, page)

    assert figures["filled"]["Entry level"] == "6"
    assert figures["filled"][ALL_LEVELS] == "6"
    assert figures["served"]["Legal help"] == "7"
    assert figures["committed"]["Entry level"] == "20"  # commitments are confirmed


def test_the_page_shows_new_figures_right_after_a_report_is_verified(
    client, page, program_staff, django_capture_on_commit_callbacks
):
    report = reported(
        program_staff, positions={"entry": 10}, entry_filled=7, verify=False
    )
    assert hiring_figures(client, page)["filled"]["Entry level"] == "0"

    with django_capture_on_commit_callbacks(execute=True):
        services.verify_report(actor=program_staff, report=report)

    figures = hiring_figures(client, page)
    assert figures["filled"]["Entry level"] == "7"
    assert figures["filled"][ALL_LEVELS] == "7"


def test_the_page_shows_a_new_commitment_right_after_it_is_recorded(
    client, page, program_staff, django_capture_on_commit_callbacks
):
    award, _owner = funded(program_staff)
    assert hiring_figures(client, page)["committed"][ALL_LEVELS] == "0"

    with django_capture_on_commit_callbacks(execute=True):
        commit_positions(
            program_staff, award, entry=6, professional=0, leadership=0, board=0
        )

    assert hiring_figures(client, page)["committed"][ALL_LEVELS] == "6"


# Languages ----------------------------------------------------------------------------


def test_the_spanish_page_renders(client, demo_site):
    spanish = AwardedGrantsPage.objects.live().filter(locale__language_code="es")
    if not spanish.exists():
        pytest.skip("the demo has no Spanish awarded-grants page")

    client.get("/funded/")  # the figures are cached by an English visit first
    response = client.get("/es/funded/")

    html = soup(response)
    assert html.html["lang"] == "es"
    served_table = hiring_section(html).find_all("table")[-1]  # captions translate
    (served,) = table_columns(served_table)
    assert "Ayuda legal" in served  # labels follow the visitor's language
    links = {a["href"] for a in html.find_all("a")}
    assert set(OPEN_DATA_URLS) <= links
