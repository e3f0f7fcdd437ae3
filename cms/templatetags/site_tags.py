"""Template helpers of the public site: languages, localized links, money."""

from decimal import Decimal

from django import template
from django.conf import settings
from django.core.cache import cache
from django.urls import translate_url
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page, Site

from cms.models import NavigationSettings
from portal import page_cache

register = template.Library()


@register.filter
def usd(amount) -> str:
    """Format an amount as US dollars: $25,000 or $1,250.50."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    if value == value.to_integral_value():
        return f"${value:,.0f}"
    return f"${value:,.2f}"


@register.simple_tag(takes_context=True)
def localized_path(context, path: str) -> str:
    """The same path in the language being shown (/safety/ -> /es/safety/)."""
    language = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    return translate_url(path, language)


def _translation_url(page, locale, request):
    """URL of the nearest live translation of page (or an ancestor) in locale."""
    for candidate in [page, *reversed(page.get_ancestors().exclude(depth=1))]:
        translation = (
            candidate.get_translations(inclusive=True)
            .live()
            .filter(locale=locale)
            .first()
        )
        if translation is not None:
            return translation.get_url(request)
    return None


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to the current page in each language, keeping the page where we can."""
    request = context.get("request")
    page = context.get("page")
    current = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    # The same page's links stay the same until pages change: kept in the shared
    # cache by the public page cache's generation.
    page_id = page.pk if isinstance(page, Page) else None
    where = request.path if request else "/"  # never the query: keys stay few
    key = f"portal:languages:{page_cache.generation()}:{page_id}:{current}:{where}"
    links = cache.get(key)
    if links is None:
        links = _language_links(page, request, where, current)
        cache.set(key, links, 3600)
    return {"links": links}


def _language_links(page, request, where: str, current) -> list[dict]:
    locales = {locale.language_code: locale for locale in Locale.objects.all()}
    links = []
    for code, _name in settings.LANGUAGES:
        url = None
        locale = locales.get(code)
        if isinstance(page, Page) and locale is not None:
            url = _translation_url(page, locale, request)
        if url is None:
            # No translation of this page: the same address in that language shows
            # the interface in that language and the content in English.
            url = translate_url(where, code)
        info = get_language_info(code)
        links.append(
            {
                "code": code,
                "name": info["name_local"],
                "url": url,
                "current": code == current,
            }
        )
    return links


@register.inclusion_tag("includes/alternate_links.html", takes_context=True)
def alternate_links(context):
    """hreflang links to the live translations of the current page."""
    request = context.get("request")
    page = context.get("page")
    if not isinstance(page, Page):
        return {"alternates": [], "canonical": None}
    translations = page.get_translations(inclusive=True).live().select_related("locale")
    return {
        "canonical": page.get_full_url(request),
        "alternates": [
            {"code": t.locale.language_code, "url": t.get_full_url(request)}
            for t in translations
        ],
    }


@register.simple_tag(takes_context=True)
def site_navigation(context) -> dict:
    """The header and footer links in the language being shown, as titles and URLs.

    Kept in the shared cache until pages or site settings change (the public page
    cache's generation), so a page does not look up each linked page and its
    translation on every request.
    """
    request = context.get("request")
    if request is None:
        return {"header": [], "footer": []}
    site = Site.find_for_request(request)
    language = context.get("LANGUAGE_CODE") or settings.LANGUAGE_CODE
    key = f"portal:navigation:{page_cache.generation()}:{site.pk if site else 0}:{language}"
    links = cache.get(key)
    if links is None:
        navigation = NavigationSettings.for_request(request)
        links = {
            "header": _links(navigation.header_links, request),
            "footer": _links(navigation.footer_links, request),
        }
        cache.set(key, links, 3600)
    return links


def _links(blocks, request) -> list[dict]:
    links = []
    for block in blocks:
        page = block.value.get("page")
        if page is None:
            continue
        target = page.localized
        links.append(
            {
                "page_id": target.pk,
                "url": target.get_url(request),
                "label": block.value.get("label") or target.title,
            }
        )
    return links


@register.filter
def lookup(mapping, key):
    """mapping[key] in templates, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
