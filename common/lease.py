"""A lease: one holder at a time, for as long as it keeps renewing; the one home of this rule.

A `Lease` is named, carries a token (its holder's identity: random, or a task id so that a redelivered task
takes its own lease back) and lasts `seconds` after each successful `acquire`/`renew`. Renewing and releasing
check the token first, so a holder that stalled past its lease can neither extend nor drop a lease someone else
has taken since. Where it is held depends on the settings:

- with `REDIS_URL` (every deployment with more than one process) in Redis, atomically: one Lua script each to
  take, renew and release. While Redis cannot be reached nobody holds it: the calls answer False (fail closed)
  instead of falling back to process memory, so two processes never both believe they hold it;
- without it (the embedded defaults: one process, SQLite, eager Celery, locmem cache) in this process's memory,
  under a lock, with the same semantics. That is correct there because the one process is the whole deployment:
  every would-be holder (the eager task, the management command, the test) asks the same table.

The beat scheduler (`common.beat`) renews its lease on each tick. A long job (a training run) holds it as a
heartbeat (`HeartbeatLease`, `lease_held`): a short `seconds`, renewed by a daemon thread every `renew_every`
for as long as the work runs, however long that is, and released at the end. A holder killed outright stops
renewing, so its lease lapses within `seconds`. The heartbeat takes back a lease that vanished (the key expired
during a stall or Redis lost it) if nobody else took it; when another holder has it, or no renewal succeeded
for a whole lease period (Redis unreachable: someone may have held it meanwhile), the heartbeat is `lost` for
good and the work must not write its result.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, Protocol

import redis
from django.conf import settings
from redis.exceptions import RedisError

__all__ = ["HeartbeatLease", "Lease", "forget_local_leases", "lease_held"]

logger = logging.getLogger(__name__)

# Take it when free, or extend it when this token holds it (the same token may take it again).
_ACQUIRE = """
local current = redis.call('get', KEYS[1])
if not current then return redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) and 1 or 0 end
if current == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class _Store(Protocol):
    """Where leases are held. Each call is atomic; a Redis store raises `RedisError` while unreachable."""

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool: ...
    def renew(self, key: str, token: str, ttl_ms: int) -> bool: ...
    def release(self, key: str, token: str) -> None: ...
    def holder(self, key: str) -> str | None: ...


@functools.lru_cache(maxsize=8)
def _client(url: str) -> Any:
    # One client (and connection pool) per URL per process; redis-py pools are thread- and fork-safe.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)


class _RedisStore:
    def __init__(self, url: str) -> None:
        self._redis = _client(url)

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        return bool(self._redis.eval(_ACQUIRE, 1, key, token, ttl_ms))

    def renew(self, key: str, token: str, ttl_ms: int) -> bool:
        return bool(self._redis.eval(_RENEW, 1, key, token, ttl_ms))

    def release(self, key: str, token: str) -> None:
        self._redis.eval(_RELEASE, 1, key, token)

    def holder(self, key: str) -> str | None:
        value = self._redis.get(key)
        return value.decode() if isinstance(value, bytes) else value


class _LocalStore:
    """Leases in this process's memory (see the module docstring for why that is enough without Redis)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, tuple[str, float]] = {}  # key -> (token, monotonic expiry)

    def _current(self, key: str) -> str | None:
        entry = self._held.get(key)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            del self._held[key]
            return None
        return entry[0]

    def acquire(self, key: str, token: str, ttl_ms: int) -> bool:
        with self._lock:
            if self._current(key) not in (None, token):
                return False
            self._held[key] = (token, time.monotonic() + ttl_ms / 1000)
            return True

    def renew(self, key: str, token: str, ttl_ms: int) -> bool:
        with self._lock:
            if self._current(key) != token:
                return False
            self._held[key] = (token, time.monotonic() + ttl_ms / 1000)
            return True

    def release(self, key: str, token: str) -> None:
        with self._lock:
            if self._current(key) == token:
                del self._held[key]

    def holder(self, key: str) -> str | None:
        with self._lock:
            return self._current(key)

    def clear(self) -> None:
        with self._lock:
            self._held.clear()


_LOCAL = _LocalStore()


def forget_local_leases() -> None:
    """Drop every process-local lease (tests start from a clean process, as they do with an empty cache)."""
    _LOCAL.clear()


class Lease:
    """A named lease held for `seconds` after each successful `acquire`/`renew` (see the module docstring).

    `url` picks a Redis explicitly; by default `settings.REDIS_URL`, and this process's memory without it.
    """

    def __init__(
        self, name: str, *, seconds: float, token: str | None = None, url: str | None = None
    ) -> None:
        self.name = name
        self.url = settings.REDIS_URL if url is None else url
        self.key = f"{settings.REDIS_PREFIX}:lease:{name}"
        self.seconds = float(seconds)
        self.ttl_ms = max(1, int(seconds * 1000))
        self.token = token or uuid.uuid4().hex
        self.held = False
        self._store: _Store = _RedisStore(self.url) if self.url else _LOCAL

    def _attempt(self, what: str, call: Callable[[], bool]) -> bool | None:
        """The store's answer, or None while Redis is unreachable."""
        try:
            return call()
        except RedisError as exc:
            logger.warning("lease %s: Redis unavailable on %s (%s); not held", self.key, what, exc)
            return None

    def _take(self) -> bool | None:
        taken = self._attempt(
            "acquire", lambda: self._store.acquire(self.key, self.token, self.ttl_ms)
        )
        self.held = bool(taken)
        return taken

    def acquire(self) -> bool:
        """Take the lease if it is free, or renew it if this token holds it (a redelivered task with the same
        token takes its lease back). False while someone else holds it or Redis is down."""
        return bool(self._take())

    def renew(self) -> bool:
        """Extend the lease; False (and no longer held) when it lapsed, was taken, or Redis is down."""
        renewed = self._attempt(
            "renew", lambda: self._store.renew(self.key, self.token, self.ttl_ms)
        )
        self.held = bool(renewed)
        return self.held

    def release(self) -> None:
        """Drop the lease if this token still holds it; never someone else's. Never raises."""
        try:
            self._store.release(self.key, self.token)
        except RedisError as exc:
            logger.warning("lease %s: could not release (%s); it lapses by itself", self.key, exc)
        self.held = False

    def holder(self) -> str | None:
        """The token of whoever holds the lease now (None when free or unknown)."""
        try:
            return self._store.holder(self.key)
        except RedisError:
            return None

    def heartbeat(self, *, renew_every: float) -> HeartbeatLease:
        """This lease renewed in the background every `renew_every` seconds once started."""
        return HeartbeatLease(self, renew_every=renew_every)


class HeartbeatLease:
    """A held `Lease` that a daemon thread renews until `stop()`/`release()`; usable as a context manager.

    `lost` turns true, and stays true, when another holder has the lease or no renewal succeeded for a whole
    lease period; the work must then not write its result. `renew_every` belongs well inside the lease
    (the training's: 15 s in 60 s), so a renewal that fails once is retried before the lease lapses.
    """

    def __init__(self, lease: Lease, *, renew_every: float) -> None:
        self.lease = lease
        self.renew_every = float(renew_every)
        self._lost = False
        self._renewed_at = time.monotonic()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def lost(self) -> bool:
        # Also checked here, not only by the thread: a starved thread must not make a lapsed lease look held.
        if not self._lost and time.monotonic() - self._renewed_at >= self.lease.seconds:
            logger.error("lease %s: not renewed for a whole lease period; lost", self.lease.key)
            self._lost = True
        return self._lost

    def start(self) -> None:
        """Start renewing (the lease is expected to be held: `Lease.acquire` succeeded just now)."""
        self._renewed_at = time.monotonic()
        self._thread = threading.Thread(
            target=self._beat, name=f"lease-{self.lease.name}", daemon=True
        )
        self._thread.start()

    def _beat(self) -> None:
        while not self._stopped.wait(self.renew_every):
            if self.lost:
                return
            # acquire, not renew: a lease that vanished while nobody else took it is taken back.
            renewed = self.lease._take()
            if renewed is None:
                continue  # Redis unreachable: try again at the next beat, until a lease period has passed
            if not renewed:
                logger.error("lease %s: taken over by another holder", self.lease.key)
                self._lost = True
                return
            self._renewed_at = time.monotonic()

    def stop(self) -> None:
        """Stop renewing; the lease stays until it lapses or is released."""
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=max(1.0, self.renew_every))

    def release(self) -> None:
        """Stop renewing and drop the lease; the token check leaves a lease another holder took alone."""
        self.stop()
        self.lease.release()

    def __enter__(self) -> HeartbeatLease:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


@contextmanager
def lease_held(
    name: str, *, seconds: float, renew_every: float, token: str | None = None
) -> Iterator[HeartbeatLease | None]:
    """The lease for the duration of the block (None when someone else holds it), renewed in the background
    and released at the end, whatever happens inside. The same `token` takes its own lease back."""
    lease = Lease(name, seconds=seconds, token=token)
    if not lease.acquire():
        yield None
        return
    with lease.heartbeat(renew_every=renew_every) as heartbeat:
        yield heartbeat
