"""One scheduler however many beats run: Celery beat fires periodic tasks only while it holds a lease.

Every beat process (`celery -A config beat`, scheduler `common.beat.LeaderScheduler`, set in settings) tries
to take the `celery-beat` lease (`common.lease.Lease`, BEAT_LEASE_SECONDS) on each tick. The holder fires its
due entries and renews the lease; the others only wait, ticking at most every third of the lease so one takes
over within one lease period after the holder dies. A beat whose renewal fails (the lease lapsed and another
took it, or Redis is unreachable) stops firing at once. Without Redis (the embedded defaults: one process,
eager tasks) there is nothing to share and the one beat always fires. Periodic tasks must still be idempotent:
at a handover the new holder may fire an entry the old one fired moments before.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.beat import PersistentScheduler
from django.conf import settings

from common.lease import Lease

__all__ = ["LeaderScheduler", "LeaseMixin"]

logger = logging.getLogger(__name__)


class LeaseMixin:
    """Gates a Celery `Scheduler.tick` on holding the beat lease."""

    lease: Lease | None
    max_interval: Any

    def setup_lease(self) -> None:
        seconds = float(getattr(settings, "BEAT_LEASE_SECONDS", 30))
        self.lease = Lease("celery-beat", seconds=seconds) if settings.REDIS_URL else None
        # Renew well inside the lease, and let a standby notice a dead holder within one lease period.
        self.max_interval = min(self.max_interval, seconds / 3)

    def is_leader(self) -> bool:
        if self.lease is None:
            return True
        was_held = self.lease.held
        held = self.lease.renew() if was_held else self.lease.acquire()
        if held and not was_held:
            logger.info("beat: took the scheduler lease; firing periodic tasks")
        elif was_held and not held:
            logger.warning("beat: lost the scheduler lease; no longer firing periodic tasks")
        return held

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self.is_leader():
            return self.max_interval
        return super().tick(*args, **kwargs)  # type: ignore[misc]

    def close(self) -> None:
        if self.lease is not None and self.lease.held:
            self.lease.release()
        super().close()  # type: ignore[misc]


class LeaderScheduler(LeaseMixin, PersistentScheduler):
    """Celery's default (shelve-backed) scheduler, firing only while it holds the beat lease."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_lease()
