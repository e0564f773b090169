"""A Redis cache that keeps the site up while Redis is down.

Django's `RedisCache` raises `redis.exceptions.ConnectionError` from every call when Redis cannot be reached, and
the navigation's context processor reads the cache on every page, so a Redis outage turned every page into a 500.
`FailSoftRedisCache` catches connection and timeout errors, logs one warning, and serves from this process's own
memory (a `LocMemCache`) until Redis answers again; it tries Redis again at most every `retry_after` seconds
(OPTIONS, default 5) so that a dead server does not cost a connection attempt per call.

While Redis is down each process therefore has its own cache: pages render from local entries. That is fine
for cached values and wrong for anything shared between processes, so those never use this fallback: rate
limits (`common.ratelimit.window_count`, also behind the support chat's per-message limit) count in the
database while `redis_available` is False (and fail closed if that fails too), and locks and leases use
`common.lease.Lease` (in Redis whenever REDIS_URL is set; not held while Redis is down). A lock taken with `cache.add` here would only exclude this process during an outage: do not write one.
(Websockets need the Redis channel layer and are closed during an outage, so the chat's socket cap has nothing
to count then.) Writes made during the outage (invalidations included) never reach Redis; entries there
expire by their own timeouts. The local copy is emptied when Redis is back, so a later outage never starts
from stale entries.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What "Redis is unreachable" looks like through redis-py (BusyLoadingError, a Redis still loading its data
# after a restart, is a ConnectionError too). Other errors (a wrong type, a full memory) still raise.
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Outage:
    """Whether Redis is down, shared by every thread's cache instance for one location (Django builds one
    backend object per thread)."""

    def __init__(self) -> None:
        self.down = False
        self.retry_at = 0.0
        self.lock = threading.Lock()


_outages: dict[str, _Outage] = {}
_outages_lock = threading.Lock()


def _outage_for(name: str) -> _Outage:
    with _outages_lock:
        return _outages.setdefault(name, _Outage())


class SharedClientRedisCacheClient(RedisCacheClient):
    """One connection pool and one `redis.Redis` per process and server, whatever the number of cache objects.

    Django keeps cache objects in a context-local: under ASGI every request gets a new `RedisCache`, so the
    stock client opened a new pool, a new TCP connection and a health-check round trip for each request. It
    also built a new `redis.Redis` (copying ~170 response callbacks, ~0.2 ms) for every single cache call. A
    `redis.Redis` is safe to share between threads (it borrows connections from its pool), and redis-py resets
    a pool inherited through fork, so one per process is kept and reused."""

    _shared_clients: dict[tuple, Any] = {}
    _shared_lock = threading.Lock()

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        # RedisCacheClient's private attributes, which django-stubs does not declare.
        base: Any = self
        index = base._get_connection_pool_index(write)
        identity = (base._servers[index], repr(sorted(base._pool_options.items())))
        client = self._shared_clients.get(identity)
        if client is None:
            with self._shared_lock:
                client = self._shared_clients.get(identity)
                if client is None:
                    pool = base._pool_class.from_url(base._servers[index], **base._pool_options)
                    client = base._client(connection_pool=pool)
                    self._shared_clients[identity] = client
        return client


class FailSoftRedisCache(RedisCache):
    """`RedisCache` that falls back to process memory while Redis is unreachable (see the module docstring)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("retry_after", 5.0))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = SharedClientRedisCacheClient
        # LocMemCache instances with one name share one store, so all threads of the process share it.
        name = f"failsoft:{server}:{params.get('KEY_PREFIX', '')}"
        self._local = LocMemCache(
            name,
            {"TIMEOUT": params.get("TIMEOUT", 300), "KEY_PREFIX": params.get("KEY_PREFIX", "")},
        )
        self._outage = _outage_for(name)

    @property
    def redis_available(self) -> bool:
        """False while this process is serving from its local fallback."""
        return not self._outage.down

    def _call(self, name: str, *args: Any) -> Any:
        outage = self._outage
        if not outage.down or time.monotonic() >= outage.retry_at:
            try:
                result = getattr(RedisCache, name)(self, *args)
            except UNAVAILABLE as exc:
                self._mark_down(exc)
            else:
                if outage.down:
                    self._mark_up()
                return result
        return getattr(self._local, name)(*args)

    def _mark_down(self, exc: BaseException) -> None:
        outage = self._outage
        with outage.lock:
            outage.retry_at = time.monotonic() + self.retry_after
            if outage.down:
                logger.debug("cache: Redis still unavailable (%s)", exc)
                return
            outage.down = True
        logger.warning(
            "cache: Redis unavailable (%s); serving from process memory, retrying every %.0f s",
            exc,
            self.retry_after,
        )

    def _mark_up(self) -> None:
        outage = self._outage
        with outage.lock:
            if not outage.down:
                return
            outage.down = False
            outage.retry_at = 0.0
            self._local.clear()
        logger.warning("cache: Redis is back; the process-memory fallback was emptied")

    # Every public operation RedisCache implements; BaseCache builds the rest (get_or_set, decr, the async
    # variants, versions) on top of these, so they fail soft too.
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
