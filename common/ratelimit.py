"""A small cache-based rate limiter for posting, commenting, following and reporting.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` ("30/hour" style), so pages and the API share one
setting and one counter per user and action. Fixed windows in the cache (Redis in production): cheap, and good
enough to stop floods; like DRF throttling it is best effort, not a security boundary. Callers (views, API
views) call `rate_limit_hit` before the service; pages turn `RateLimited` into a form error, the API into 429.
`window_count` is the counter underneath, shared with the support chat's per-message limit: on Redis it costs one
round trip (Django's `add` + `incr` cost three: SET NX, EXISTS, INCR).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["RateLimited", "parse_rate", "rate_limit_hit", "window_count"]

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
    count = window_count(f"ratelimit:{scope}:{key}:{window}", timeout=period + 5)
    if count > limit:
        raise RateLimited(scope=scope, retry_after=(window + 1) * period - now)


def window_count(key: str, *, timeout: int) -> int:
    """Add one to the counter `key` in the default cache (created with `timeout` seconds to live) and return the
    new count. On Redis one pipelined round trip: `SET key 0 EX timeout NX` then `INCR key`. Other caches (locmem
    in tests), and a fail-soft Redis cache while Redis is down, take the portable `add` + `incr`."""
    backend = caches["default"]
    if isinstance(backend, RedisCache) and getattr(backend, "redis_available", True):
        full_key = backend.make_and_validate_key(key)
        try:
            pipe = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
            pipe.set(full_key, 0, ex=timeout, nx=True)
            pipe.incr(full_key)
            return int(pipe.execute()[1])
        except (RedisConnectionError, RedisTimeoutError, OSError):
            pass  # Redis went away: the cache's own calls below notice it (and fail soft if they can).
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1
