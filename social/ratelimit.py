"""A small cache-based rate limiter for posting, commenting, following and reporting.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` ("30/hour" style), so pages and the API share one
setting and one counter per user and action. Fixed windows in the cache (Redis in production): cheap, and good
enough to stop floods; like DRF throttling it is best effort, not a security boundary. Callers (views, API
views) call `rate_limit_hit` before the service; pages turn `RateLimited` into a form error, the API into 429.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _

__all__ = ["RateLimited", "parse_rate", "rate_limit_hit"]

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    """Too many actions of one kind in the current window."""

    def __init__(self, *, scope: str, retry_after: int) -> None:
        self.scope = scope
        self.retry_after = retry_after
        self.message = _("You are doing that too often. Try again in %(seconds)s seconds.") % {
            "seconds": retry_after
        }
        super().__init__(self.message)


def parse_rate(rate: str) -> tuple[int, int]:
    """'30/hour' -> (30, 3600). The period may be s, sec, m, min, h, hour, d, day."""
    count, _sep, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[0].lower()]


def rate_limit_hit(*, scope: str, key: int | str) -> None:
    """Count one action for `key` (usually the user id) in `scope`; raise RateLimited over the limit."""
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    rate = rates.get(scope)
    if not rate:
        return
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    cache.add(cache_key, 0, timeout=period + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 5)
        count = 1
    if count > limit:
        raise RateLimited(scope=scope, retry_after=(window + 1) * period - now)
