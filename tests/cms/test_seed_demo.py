"""`manage.py seed_demo`: the demo `make run` starts with, and its safety catch."""

from datetime import time, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.utils import timezone, translation
from wagtail.models import Locale, Page, Revision, Site

from cms.models import (
    FundingOpportunityPage,
    HomePage,
    NavigationSettings,
    ResourcePage,
    SafetySettings,
)
from grants.models import Fund, FundingRound
from portal import roles

pytestmark = pytest.mark.django_db

PASSWORD = "demo-portal-2026"
CHICAGO = ZoneInfo("America/Chicago")
DEMO_ACCOUNTS = {
    "applicant@demo.test": {roles.APPLICANTS},
    "applicant2@demo.test": {roles.APPLICANTS},
    "panelist@demo.test": {roles.PANELISTS},
    "panelist2@demo.test": {roles.PANELISTS},
    "chair@demo.test": {roles.PANEL_CHAIRS, roles.PANELISTS},
    "staff@demo.test": {roles.PROGRAM_STAFF},
    "finance@demo.test": {roles.FINANCE_STAFF},
    "finance2@demo.test": {roles.FINANCE_STAFF},
    "comms@demo.test": {roles.COMMUNICATIONS_STAFF},
    "admin@demo.test": set(),
}
PUBLIC_ADDRESSES = [
    "/",
    "/funding/",
    "/funding/survivor-services-2027/",
    "/help/",
    "/safety/",
    "/es/",
    "/es/funding/",
    "/es/safety/",
]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict:
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "users": get_user_model().objects.count(),
        "funds": Fund.objects.count(),
        "rounds": FundingRound.objects.count(),
        "sites": Site.objects.count(),
    }


@pytest.fixture(autouse=True)
def _forget_language():
    """Requests to /es/ leave Spanish active in this thread; later tests expect none."""
    yield
    translation.deactivate()


@pytest.fixture
def seeded():
    return seed("--force-for-tests")


def test_refuses_without_debug_and_writes_nothing(settings):
    settings.DEBUG = False
    before = row_counts()

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo", stdout=StringIO())

    assert row_counts() == before
    assert not HomePage.objects.exists()
    assert not get_user_model().objects.filter(email__endswith="@demo.test").exists()


def test_runs_with_debug_on_and_prints_accounts_and_address(settings):
    settings.DEBUG = True

    output = seed()

    assert HomePage.objects.count() == 2  # English and Spanish
    assert PASSWORD in output
    assert "http://127.0.0.1:8000" in output
    for email in DEMO_ACCOUNTS:
        assert email in output


def test_site_root_is_the_home_page_and_the_welcome_page_is_gone(seeded):
    site = Site.objects.get(is_default_site=True)

    assert isinstance(site.root_page.specific, HomePage)
    assert site.root_page.locale.language_code == "en"
    plain_pages = Page.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page"
    )
    assert list(plain_pages.values_list("depth", flat=True)) == [1]  # only the root


def test_public_addresses_answer(seeded, client):
    statuses = {path: client.get(path).status_code for path in PUBLIC_ADDRESSES}

    assert statuses == dict.fromkeys(PUBLIC_ADDRESSES, 200)
    assert "Browsing safely" in client.get("/safety/").content.decode()
    assert "Navegar de forma segura" in client.get("/es/safety/").content.decode()


def test_spanish_tree_mirrors_english_with_same_slugs_and_rounds(seeded):
    english = Page.objects.filter(locale__language_code="en", depth__gt=1)
    spanish = Page.objects.filter(locale__language_code="es")

    assert spanish.count() == english.count()
    assert not spanish.not_live().exists()
    assert set(spanish.filter(depth__gt=2).values_list("url_path", flat=True)) == {
        path.replace("/home/", "/home-es/", 1)
        for path in english.filter(depth__gt=2).values_list("url_path", flat=True)
    }
    for page in FundingOpportunityPage.objects.filter(locale__language_code="es"):
        source = page.get_translation(Locale.get_default()).specific
        assert page.funding_round_id == source.funding_round_id
        assert page.title != source.title  # written in Spanish, not copied
    assert ResourcePage.objects.filter(locale__language_code="en").count() >= 6
    assert (
        Page.objects.get(locale__language_code="es", url_path="/home-es/safety/").title
        == "Navegar de forma segura"
    )


def test_every_demo_account_has_its_role_and_the_password(seeded):
    User = get_user_model()

    for email, groups in DEMO_ACCOUNTS.items():
        user = User.objects.get(email=email)
        assert set(user.groups.values_list("name", flat=True)) == groups, email
        request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1")
        assert authenticate(request, username=email, password=PASSWORD) == user, email
        assert user.first_name, email
    admin = User.objects.get(email="admin@demo.test")
    assert admin.is_superuser
    staff_emails = {
        "staff@demo.test",
        "finance@demo.test",
        "finance2@demo.test",
        "comms@demo.test",
        "admin@demo.test",
    }
    assert (
        set(User.objects.filter(is_staff=True).values_list("email", flat=True))
        == staff_emails
    )


def test_one_open_and_one_closed_round_with_deadlines_at_five_in_minneapolis(
    seeded,
):
    open_round = FundingRound.objects.get(reference_prefix="R3")
    closed_round = FundingRound.objects.get(reference_prefix="R2")

    assert open_round.fund.framework_goal == "2.7"
    assert closed_round.fund.framework_goal == "5.4"
    assert open_round.is_open()
    assert closed_round.phase() == FundingRound.Phase.CLOSED
    for funding_round in (open_round, closed_round):
        assert funding_round.closes_at.astimezone(CHICAGO).time() == time(17)
    assert open_round.closes_at.astimezone(CHICAGO).date() == (
        timezone.localdate() + timedelta(days=45)
    )


def test_site_settings_link_the_header_and_footer_pages(seeded):
    site = Site.objects.get(is_default_site=True)
    navigation = NavigationSettings.for_site(site)

    header = [link.value["page"].slug for link in navigation.header_links]
    footer = [link.value["page"].slug for link in navigation.footer_links]
    assert header == ["funding", "help", "about", "funded", "news"]
    assert footer == ["safety", "privacy", "about"]
    assert SafetySettings.objects.filter(site=site).get().hotline_phone == (
        "1-888-373-7888"
    )


def test_second_run_changes_nothing(seeded):
    before = row_counts()

    output = seed("--force-for-tests")

    assert row_counts() == before
    assert "already" in output
