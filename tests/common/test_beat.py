"""One scheduler: with two beats on one Redis only the lease holder fires periodic tasks; a holder that loses
its lease stops firing and another takes over; with Redis unreachable nobody fires."""

from __future__ import annotations

import socket

import pytest
import redis
from celery import Celery
from celery.beat import Scheduler
from celery.schedules import schedstate, schedule
from django.conf import settings
from kombu import Connection, Producer

from common.beat import LeaseMixin
from common.lease import Lease

pytestmark = [pytest.mark.redis]


class AlwaysDue(schedule):
    """Due on every tick: the test is about who fires, never about time."""

    def __init__(self) -> None:
        super().__init__(run_every=60)

    def is_due(self, last_run_at):
        return schedstate(True, 0.01)


class RecordingScheduler(LeaseMixin, Scheduler):
    # Replaces celery's lazy producer: an in-memory connection that is never opened, since apply_entry
    # records instead of publishing.
    producer = Producer(Connection("memory://"), auto_declare=False)

    def __init__(self, *args, **kwargs):
        self.fired: list[str] = []
        super().__init__(*args, **kwargs)
        self.setup_lease()

    def apply_entry(self, entry, producer=None):
        self.fired.append(entry.name)


def _beat(app: Celery) -> RecordingScheduler:
    return RecordingScheduler(app, lazy=False)


@pytest.fixture
def beat_app():
    app = Celery("beat-test", set_as_current=False)
    app.conf.beat_schedule = {"sweep": {"task": "sweep", "schedule": AlwaysDue()}}
    app.conf.result_expires = None
    yield app
    redis.Redis.from_url(settings.REDIS_URL).delete(f"{settings.REDIS_PREFIX}:lease:celery-beat")


def test_only_the_lease_holder_fires(beat_app):
    first, second = _beat(beat_app), _beat(beat_app)

    for _ in range(3):
        first.tick()
        second.tick()

    assert first.fired == ["sweep", "sweep", "sweep"]
    assert second.fired == []


def test_a_beat_that_loses_its_lease_stops_firing_and_another_takes_over(beat_app):
    first, second = _beat(beat_app), _beat(beat_app)
    first.tick()
    # The lease lapses (first stalled past it) and the standby takes it.
    redis.Redis.from_url(settings.REDIS_URL).delete(first.lease.key)
    second.tick()

    first.tick()
    first.tick()
    second.tick()

    assert first.fired == ["sweep"]
    assert second.fired == ["sweep", "sweep"]


def test_closing_the_holder_hands_the_lease_over_at_once(beat_app):
    first, second = _beat(beat_app), _beat(beat_app)
    first.tick()
    first.close()

    second.tick()

    assert second.fired == ["sweep"]


def test_standby_checks_at_least_three_times_per_lease(beat_app, settings):
    settings.BEAT_LEASE_SECONDS = 9
    standby_wait = _beat(beat_app)
    assert standby_wait.max_interval == 3


def test_nobody_fires_while_redis_is_unreachable(beat_app):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    beat = _beat(beat_app)
    beat.lease = Lease("celery-beat", seconds=30, url=f"redis://127.0.0.1:{port}/0")

    beat.tick()

    assert beat.fired == []
