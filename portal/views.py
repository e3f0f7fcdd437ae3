"""Project-level endpoints: readiness and robots."""

import logging

from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("Health check: database unreachable", exc_info=True)
        return False


def _storage_ok() -> bool:
    try:
        default_storage.exists("healthz/probe")
        return True
    except Exception:
        logger.warning("Health check: storage unreachable", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request):
    """200 when the database and file storage answer, 503 otherwise."""
    checks = {
        "database": "ok" if _database_ok() else "unavailable",
        "storage": "ok" if _storage_ok() else "unavailable",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status=200 if healthy else 503,
    )


@require_GET
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /portal/",
        "Disallow: /exit/",
        "Disallow: /search/",
        "Disallow: /apply/",
        f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
