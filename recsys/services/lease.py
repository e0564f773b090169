"""A heartbeat lease in the shared cache: held while its holder lives, gone soon after it dies.

The holder takes the key with a short time-to-live (`ttl`, RECSYS_TRAIN_LEASE_SECONDS, 60 s) and a background
thread renews it every `renew_every` seconds (RECSYS_TRAIN_LEASE_RENEW_SECONDS, 15 s) for as long as the work
runs, however long that is; the key is deleted in `finally`. A holder killed outright (SIGKILL, a lost host)
stops renewing, so its lease expires within one time-to-live and the next holder can start: a killed training
no longer blocks retraining for the two hours of a fixed lock.

Renewal only extends the key while it still names this holder. When the key is missing (it expired during a
long stall, or a cache outage lost it) the holder takes it back if nobody else has; when another holder owns
it, the lease is lost: `Lease.lost` turns true and the work must not write its result. The same token may take
the lease again (a redelivered task keeps its id). Release deletes the key only while it names this holder and
was renewed recently enough not to have expired and been taken by someone else in between.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.cache import cache

__all__ = ["Lease", "lease_acquire", "lease_held", "lease_release", "lease_renew"]

logger = logging.getLogger(__name__)


def lease_acquire(*, key: str, token: str, ttl: int) -> bool:
    """Take the lease, or take it again with the same token (a redelivered task)."""
    if cache.add(key, token, timeout=ttl):
        return True
    if cache.get(key) == token:
        cache.set(key, token, timeout=ttl)
        return True
    return False


def lease_renew(*, key: str, token: str, ttl: int) -> bool:
    """Extend the lease by `ttl`; False when another holder owns it now."""
    current = cache.get(key)
    if current == token:
        # `touch` changes only the expiry: if the key changed hands in between, the other holder merely
        # keeps its lease a little longer.
        return bool(cache.touch(key, ttl)) or bool(cache.add(key, token, timeout=ttl))
    if current is None:
        return bool(cache.add(key, token, timeout=ttl))
    return False


def lease_release(*, key: str, token: str) -> None:
    if cache.get(key) == token:
        cache.delete(key)


@dataclass
class Lease:
    """A lease held by this process, renewed by a daemon thread until `stop()`."""

    key: str
    token: str
    ttl: int
    renew_every: float
    lost: bool = False
    renewed_at: float = field(default_factory=time.monotonic)
    _stopped: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._beat, name=f"lease-{self.key}", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stopped.wait(self.renew_every):
            try:
                renewed = lease_renew(key=self.key, token=self.token, ttl=self.ttl)
            except Exception:  # noqa: BLE001 - a cache hiccup: try again at the next beat
                logger.warning("lease %s: renewal failed, retrying", self.key, exc_info=True)
                continue
            if not renewed:
                logger.error("lease %s: taken over by another holder", self.key)
                self.lost = True
                return
            self.renewed_at = time.monotonic()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=max(1.0, self.renew_every))

    def release(self) -> None:
        """Stop renewing and delete the key, unless it may have expired and changed hands meanwhile."""
        self.stop()
        if self.lost or time.monotonic() - self.renewed_at >= self.ttl:
            return
        lease_release(key=self.key, token=self.token)


@contextmanager
def lease_held(*, key: str, token: str, ttl: int, renew_every: float) -> Iterator[Lease | None]:
    """The lease for the duration of the block (None when someone else holds it), renewed in the background
    and released at the end, whatever happens inside."""
    if not lease_acquire(key=key, token=token, ttl=ttl):
        yield None
        return
    lease = Lease(key=key, token=token, ttl=ttl, renew_every=renew_every)
    lease.start()
    try:
        yield lease
    finally:
        lease.release()
