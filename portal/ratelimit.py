"""Rate limits kept in the shared cache, so they hold across every web process.

Each limited action has a scope and a rate ("10/h": ten in an hour), counted per
client address or per account in fixed windows. Keys are hashed: no address or
account id is written to the cache in clear. A refused request gets a kind 429 page
that says when to try again.
"""

import hashlib
import re
import time
from functools import wraps

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/h' -> (10, 3600); '5/15m' -> (5, 900)."""
    match = RATE.match(rate.strip())
    if not match:
        raise ValueError(f"A rate looks like 10/h or 5/15m, not {rate!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * UNIT_SECONDS[unit]


def rate_for(scope: str) -> tuple[int, int]:
    return parse_rate(settings.PORTAL_RATE_LIMITS[scope])


def hit(scope: str, key: str) -> bool:
    """Count one attempt; True while the scope's limit for this key holds."""
    limit, period = rate_for(scope)
    window = int(time.time() // period)
    digest = hashlib.sha256(f"{scope}:{key}".encode()).hexdigest()[:32]
    cache_key = f"portal:ratelimit:{scope}:{window}:{digest}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        count = 1
    return count <= limit


def seconds_left(scope: str) -> int:
    _limit, period = rate_for(scope)
    return period - int(time.time()) % period


def client_address(request) -> str:
    return get_client_ip_address(request) or "unknown"


def key_for(request, by: str) -> str:
    if by == "user" and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_address(request)}"


def too_many_requests(request, scope: str):
    """The kind 429 page, with Retry-After."""
    wait = seconds_left(scope)
    response = render(
        request,
        "429.html",
        {"minutes": max(1, (wait + 59) // 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def allowed(request, scope: str, *, by: str = "ip") -> bool:
    return hit(scope, key_for(request, by))


def ratelimit(scope: str, *, by: str = "ip", methods=("POST",)):
    """Limit a view: requests with one of ``methods`` count towards ``scope``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and not allowed(request, scope, by=by):
                return too_many_requests(request, scope)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
