"""A lease in Redis: one holder at a time across every process and host, for as long as it keeps renewing.

`SET key token NX PX ttl` takes it; renewing and releasing check the token first (one Lua script each), so a
holder that stalled past its lease can neither extend nor drop the lease someone else has taken since. While
Redis cannot be reached nobody holds it: the calls answer False (fail closed) instead of falling back to
process memory, so two processes never both believe they hold it. The beat scheduler (`common.beat`) uses it
so that periodic tasks fire once cluster-wide; a long job (a training run) can use it as a heartbeat lock:
take it with a short `seconds` and renew it while working, so a dead holder's lease lapses in `seconds`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import redis
from django.conf import settings
from redis.exceptions import RedisError

__all__ = ["Lease"]

logger = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


def _client(url: str) -> Any:
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


class Lease:
    """A named lease held for `seconds` after each successful `acquire`/`renew` (see the module docstring)."""

    def __init__(self, name: str, *, seconds: float, url: str | None = None) -> None:
        self.url = url or settings.REDIS_URL
        if not self.url:
            raise ValueError("a Lease needs Redis (REDIS_URL)")
        self.key = f"{settings.REDIS_PREFIX}:lease:{name}"
        self.ttl_ms = max(1, int(seconds * 1000))
        self.token = uuid.uuid4().hex
        self.held = False
        self._redis = _client(self.url)

    def acquire(self) -> bool:
        """Take the lease if it is free, or renew it if this holder has it. False while Redis is down."""
        try:
            if self._redis.set(self.key, self.token, nx=True, px=self.ttl_ms):
                self.held = True
            else:
                self.held = bool(self._redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))
        except RedisError as exc:
            logger.warning("lease %s: Redis unavailable (%s); not held", self.key, exc)
            self.held = False
        return self.held

    def renew(self) -> bool:
        """Extend the lease; False (and no longer held) when it lapsed, was taken, or Redis is down."""
        try:
            self.held = bool(self._redis.eval(_RENEW, 1, self.key, self.token, self.ttl_ms))
        except RedisError as exc:
            logger.warning("lease %s: Redis unavailable (%s); lease given up", self.key, exc)
            self.held = False
        return self.held

    def release(self) -> None:
        try:
            self._redis.eval(_RELEASE, 1, self.key, self.token)
        except RedisError as exc:
            logger.warning("lease %s: could not release (%s); it lapses by itself", self.key, exc)
        self.held = False

    def holder(self) -> str | None:
        """The token of whoever holds the lease now (None when free or unknown)."""
        try:
            value = self._redis.get(self.key)
        except RedisError:
            return None
        return value.decode() if isinstance(value, bytes) else value
