"""A small cache-based rate limiter for posting, commenting, following and reporting.

Rates come from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` ("30/hour" style), so pages and the API share one
setting and one counter per user and action. Fixed windows in the cache (Redis in production): cheap, and good
enough to stop floods; like DRF throttling it is best effort, not a security boundary. Callers (views, API
views) call `rate_limit_hit` before the service; pages turn `RateLimited` into a form error, the API into 429.
`window_count` is the counter underneath, shared with the support chat's per-message limit: on Redis it costs one
round trip (Django's `add` + `incr` cost three: SET NX, EXISTS, INCR).

Never a per-process count. While Redis is unreachable the fail-soft cache serves from each process's memory,
where a counter would count per process (six server processes, six times the limit), so `window_count` counts in
the database instead (the `limits` cache: Django's database cache, table `socialshop_limits`, made by
`manage.py createcachetable`), which every process shares: slower and approximate under races (a read and a
write), fine for the minutes of an outage. If that fails too it answers `COUNT_UNAVAILABLE`: every caller sees
the limit exceeded and refuses (fail closed), and `rate_limit_hit` says why (429, "cannot be checked right now").
"""

from __future__ import annotations

import logging
import sys
import time
from typing import cast

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["COUNT_UNAVAILABLE", "RateLimited", "parse_rate", "rate_limit_hit", "window_count"]

logger = logging.getLogger(__name__)

# What `window_count` answers when no shared counter can be reached: above any limit (fail closed).
COUNT_UNAVAILABLE = sys.maxsize

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
UNAVAILABLE_RETRY_SECONDS = 30


class RateLimited(Exception):
    """Too many actions of one kind in the current window."""

    def __init__(self, *, scope: str, retry_after: int, unavailable: bool = False) -> None:
        self.scope = scope
        self.retry_after = retry_after
        if unavailable:
            self.message = _(
                "This action is limited and its limit cannot be checked right now. "
                "Try again in %(seconds)s seconds."
            ) % {"seconds": retry_after}
        else:
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
    rates = cast(dict[str, str], settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}))
    rate = rates.get(scope)
    if not rate:
        return
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    count = window_count(f"ratelimit:{scope}:{key}:{window}", timeout=period + 5)
    if count == COUNT_UNAVAILABLE:
        raise RateLimited(scope=scope, retry_after=UNAVAILABLE_RETRY_SECONDS, unavailable=True)
    if count > limit:
        raise RateLimited(scope=scope, retry_after=(window + 1) * period - now)


def window_count(key: str, *, timeout: int) -> int:
    """Add one to the counter `key` in the default cache (created with `timeout` seconds to live) and return the
    new count. On Redis one pipelined round trip: `SET key 0 EX timeout NX` then `INCR key`; while Redis is
    unreachable the database's `limits` cache, else `COUNT_UNAVAILABLE` (see the module docstring). Other caches
    (locmem: the embedded single-process default and the tests) take the portable `add` + `incr`."""
    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return _add_and_incr(cache, key, timeout)
    if getattr(backend, "redis_available", True):
        full_key = backend.make_and_validate_key(key)
        try:
            client = backend._cache.get_client(full_key, write=True)  # type: ignore[attr-defined]
            pipe = client.pipeline(transaction=False)
            pipe.set(full_key, 0, ex=timeout, nx=True)
            pipe.incr(full_key)
            return int(pipe.execute()[1])
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            # Redis went away: tell the fail-soft cache (so other callers skip it too).
            mark_down = getattr(backend, "_mark_down", None)
            if mark_down is not None:
                mark_down(exc)
    return _database_count(key, timeout)


def _add_and_incr(store: BaseCache, key: str, timeout: int) -> int:
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=timeout)
        return 1


def _database_count(key: str, timeout: int) -> int:
    """The shared fallback while Redis is down; `COUNT_UNAVAILABLE` when the database cannot count either."""
    if "limits" not in settings.CACHES:
        return COUNT_UNAVAILABLE
    try:
        # A savepoint: a failed query must not break the caller's transaction (PostgreSQL aborts it).
        with transaction.atomic():
            return _add_and_incr(caches["limits"], key, timeout)
    except DatabaseError as exc:
        logger.warning("ratelimit: neither Redis nor the database can count (%s); refusing", exc)
        return COUNT_UNAVAILABLE
