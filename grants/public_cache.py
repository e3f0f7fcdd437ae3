"""The cache behind public figures (/funded/ and open data).

Figures are cached for PORTAL_PUBLIC_FIGURES_CACHE_SECONDS; every service that changes
what the public sees calls ``clear`` once its transaction commits, so the shared cache
(Redis in production) never serves figures older than the last change for long.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from portal import page_cache

VERSION_KEY = "portal:public-figures:version"


def _version() -> int:
    return cache.get_or_set(VERSION_KEY, 1, timeout=None)


def get_or_build(name: str, build):
    """The cached value for name, built by ``build()`` when missing or stale."""
    key = f"portal:public-figures:{_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.PORTAL_PUBLIC_FIGURES_CACHE_SECONDS)
    return value


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
    page_cache.bump()  # public pages show these figures and rounds too


def clear() -> None:
    """Forget cached public figures once the current transaction commits."""
    transaction.on_commit(_bump)
