"""Every page type renders with demo content; rounds drive what funding pages say."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import (
    AwardedGrantsPage,
    FundingOpportunityIndexPage,
    FundingOpportunityPage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    ResourceIndexPage,
    ResourcePage,
    StandardPage,
)

pytestmark = pytest.mark.django_db

PAGE_TYPES = [
    HomePage,
    StandardPage,
    ResourceIndexPage,
    ResourcePage,
    FundingOpportunityIndexPage,
    FundingOpportunityPage,
    NewsIndexPage,
    NewsPage,
    AwardedGrantsPage,
]


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda t: t.__name__)
def test_each_page_type_renders_with_demo_content(client, demo_site, page_type):
    page = page_type.objects.live().filter(locale__language_code="en").first()
    assert page is not None, f"the demo has no {page_type.__name__}"
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert page.title in html
    assert 'class="quick-exit"' in html
    assert "1-888-373-7888" in html
    assert '<meta name="description" content="' in html


@pytest.mark.parametrize(
    "path",
    ["/", "/funding/", "/help/", "/safety/", "/funded/", "/news/", "/about/"],
)
def test_public_addresses_answer_in_english_and_spanish(client, demo_site, path):
    assert client.get(path).status_code == 200
    spanish = client.get(f"/es{path}")
    assert spanish.status_code == 200
    assert '<html lang="es"' in spanish.content.decode()


def test_somali_and_hmong_prefixes_serve_the_site_with_their_language(
    client, demo_site
):
    for code in ("so", "hmn"):
        response = client.get(f"/{code}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{code}"' in html
        # No translated content yet: the English page says so with its canonical URL.
        root_url = Site.objects.get(is_default_site=True).root_url
        assert f'<link rel="canonical" href="{root_url}/">' in html


def test_open_round_page_shows_an_enabled_apply_link(client, demo_site):
    page = FundingOpportunityPage.objects.get(
        slug="survivor-services-2027", locale__language_code="en"
    )
    assert page.funding_round.is_open()
    html = client.get(page.url).content.decode()
    assert f'href="/apply/{page.funding_round.pk}/"' in html
    assert "disabled" not in html.split('id="apply"')[1].split("</div>")[0]
    assert "Central Time" in html
    assert '<span class="tag tag--open">Open for applications</span>' in html


def test_closed_round_page_disables_apply_with_a_clear_message(client, demo_site):
    page = FundingOpportunityPage.objects.get(
        slug="violence-prevention-2026", locale__language_code="en"
    )
    assert not page.funding_round.is_open()
    html = client.get(page.url).content.decode()
    apply_box = html.split('id="apply"')[1].split("</div>")[0]
    assert "disabled" in apply_box
    assert "no longer taking applications" in apply_box
    assert "/apply/" not in apply_box
    assert '<span class="tag tag--closed">Closed</span>' in html


def test_round_dates_drive_the_page_not_the_page_text(client, demo_site):
    page = FundingOpportunityPage.objects.get(
        slug="survivor-services-2027", locale__language_code="en"
    )
    funding_round = page.funding_round
    funding_round.closes_at = timezone.now() - timedelta(minutes=1)
    funding_round.save()
    html = client.get(page.url).content.decode()
    assert "no longer taking applications" in html


def test_funding_index_lists_open_and_past_rounds(client, demo_site):
    html = client.get("/funding/").content.decode()
    assert html.index("Open now") < html.index("2027 Survivor Services Grants")
    assert html.index("Past rounds") < html.index(
        "2026 Community Violence Prevention and Healing Grants"
    )


def test_spanish_funding_page_reads_the_same_round(client, demo_site):
    english = FundingOpportunityPage.objects.get(
        slug="survivor-services-2027", locale__language_code="en"
    )
    spanish = english.get_translation(
        english.locale.__class__.objects.get(language_code="es")
    )
    assert spanish.live
    assert spanish.funding_round_id == english.funding_round_id
    html = client.get("/es/funding/survivor-services-2027/").content.decode()
    assert "Salir de esta página" in html


def test_language_switcher_keeps_the_current_page(client, demo_site):
    html = client.get("/funding/survivor-services-2027/").content.decode()
    assert 'href="/es/funding/survivor-services-2027/" lang="es"' in html
    spanish = client.get("/es/funding/survivor-services-2027/").content.decode()
    assert 'href="/funding/survivor-services-2027/" lang="en"' in spanish


def test_help_index_filters_by_category(client, demo_site):
    response = client.get("/help/?category=hotline")
    resources = list(response.context["resources"])
    assert resources
    assert {r.category for r in resources} == {ResourcePage.Category.HOTLINE}
    unknown = client.get("/help/?category=<script>")
    assert unknown.status_code == 200
    assert unknown.context["current_category"] == ""


def test_site_root_is_the_home_page(demo_site):
    site = Site.objects.get(is_default_site=True)
    assert isinstance(site.root_page.specific, HomePage)
    assert (
        not Page.objects.filter(depth=2)
        .exclude(pk=site.root_page.pk)
        .exclude(locale__language_code="es")
        .exists()
    )


def test_sitemap_lists_public_pages(client, demo_site):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    root_url = Site.objects.get(is_default_site=True).root_url
    assert f"<loc>{root_url}/funding/survivor-services-2027/</loc>" in body
    assert "/es/funding/" in body


def test_unknown_page_and_unknown_language_get_the_friendly_404(client, demo_site):
    for path in ("/no-such-page/", "/fr/", "/xx/funding/", "/es/no-existe/"):
        response = client.get(path)
        assert response.status_code == 404, path
        html = response.content.decode()
        assert "We could not find that page" in html or "No pudimos encontrar" in html
        assert 'class="quick-exit"' in html
        assert "Traceback" not in html


def test_server_error_page_has_the_safety_header_and_no_details(client):
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert 'class="quick-exit"' in html
    assert "1-888-373-7888" in html
    assert "Something went wrong on our side" in html
