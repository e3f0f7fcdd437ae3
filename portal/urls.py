from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from cms.sitemaps import MultilingualSitemap
from portal import views as portal_views
from portal.wagtail_reports import formula_safe_report_urls

urlpatterns = [
    # Wagtail's reports at their usual addresses, with formula-safe exports.
    *formula_safe_report_urls(),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz/", portal_views.healthz, name="healthz"),
    path("robots.txt", portal_views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": MultilingualSitemap}},
        name="sitemap",
    ),
    path("exit/", cms_views.quick_exit, name="quick_exit"),
    path("stripe/webhook/", include("grants.webhooks")),
    path("open-data/", include("grants.open_data_urls")),
]

urlpatterns += i18n_patterns(
    path("search/", cms_views.search, name="search"),
    path("accounts/", include("portal.accounts.urls")),
    path("portal/organizations/", include("grants.urls")),
    path("portal/payments/", include("grants.payee_urls")),
    path("", include("applications.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "cms.views.page_not_found"
handler400 = "cms.views.bad_request"
