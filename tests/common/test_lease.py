"""The one lease (`common.lease`): one holder at a time, renewed and released only by its token, taken back by
the same token, held as a heartbeat for as long as the work runs. Every behaviour runs on both homes of a
lease: this process's memory (no REDIS_URL) and Redis (marked `redis`)."""

from __future__ import annotations

import socket
import time

import pytest
import redis

from common.lease import Lease, forget_local_leases, lease_held


@pytest.fixture(params=["local", pytest.param("redis", marks=pytest.mark.redis)])
def store(request, settings):
    """Where leases are held: "local" clears REDIS_URL; "redis" keeps the Redis the run was given."""
    if request.param == "local":
        settings.REDIS_URL = ""
    return request.param


def _lose(lease: Lease, store: str) -> None:
    """The store loses the key (eviction, a Redis restart) without anyone else taking it."""
    if store == "redis":
        redis.Redis.from_url(lease.url).delete(lease.key)
    else:
        forget_local_leases()


def _wait_until(condition, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_one_holder_at_a_time(store):
    mine, theirs = Lease("job", seconds=30), Lease("job", seconds=30)

    assert mine.acquire() is True
    assert theirs.acquire() is False
    assert mine.holder() == mine.token


def test_the_same_token_takes_its_lease_back(store):
    """A redelivered task keeps its id, so it takes back the lease its first attempt held."""
    assert Lease("job", seconds=30, token="task-1").acquire() is True

    assert Lease("job", seconds=30, token="task-1").acquire() is True
    assert Lease("job", seconds=30, token="task-2").acquire() is False


def test_only_the_holder_renews(store):
    mine, theirs = Lease("job", seconds=30), Lease("job", seconds=30)
    mine.acquire()

    assert theirs.renew() is False
    assert mine.renew() is True


def test_release_never_drops_someone_elses_lease(store):
    mine, theirs = Lease("job", seconds=30), Lease("job", seconds=30)
    mine.acquire()

    theirs.release()

    assert mine.holder() == mine.token


def test_a_released_lease_is_free_for_the_next_holder(store):
    mine, theirs = Lease("job", seconds=30), Lease("job", seconds=30)
    mine.acquire()

    mine.release()

    assert mine.held is False
    assert theirs.acquire() is True


def test_a_lapsed_lease_goes_to_the_next_holder_and_the_old_one_cannot_renew_it(store):
    mine, theirs = Lease("job", seconds=0.2), Lease("job", seconds=30)
    mine.acquire()
    time.sleep(0.3)  # the holder stalled past its lease

    assert theirs.acquire() is True
    assert mine.renew() is False
    assert mine.held is False
    assert mine.holder() == theirs.token


def test_the_heartbeat_keeps_the_lease_past_its_time_to_live(store):
    with lease_held("job", seconds=0.3, renew_every=0.05) as heartbeat:
        time.sleep(0.8)

        assert heartbeat is not None
        assert heartbeat.lost is False
        assert Lease("job", seconds=30).acquire() is False


def test_lease_held_yields_none_while_someone_else_holds_it(store):
    Lease("job", seconds=30, token="other").acquire()

    with lease_held("job", seconds=30, renew_every=10) as heartbeat:
        assert heartbeat is None
    assert Lease("job", seconds=30).holder() == "other"


def test_lease_held_releases_the_lease_whatever_happens_inside(store):
    with pytest.raises(RuntimeError), lease_held("job", seconds=30, renew_every=10):
        raise RuntimeError("the work crashed")

    assert Lease("job", seconds=30).acquire() is True


def test_lease_held_takes_back_its_own_lease_with_the_same_token(store):
    Lease("job", seconds=30, token="task-1").acquire()  # the killed first attempt

    with lease_held("job", seconds=30, renew_every=10, token="task-1") as heartbeat:
        assert heartbeat is not None


def test_the_heartbeat_takes_back_a_lease_the_store_lost(store):
    with lease_held("job", seconds=1, renew_every=0.05, token="mine") as heartbeat:
        assert heartbeat is not None
        _lose(heartbeat.lease, store)

        assert _wait_until(lambda: heartbeat.lease.holder() == "mine")
        assert heartbeat.lost is False
    assert Lease("job", seconds=30).holder() is None


def test_a_heartbeat_whose_lease_another_holder_took_is_lost_and_leaves_it_alone(store):
    mine = Lease("job", seconds=0.2)
    mine.acquire()
    time.sleep(0.3)  # stalled past the lease before the heartbeat started
    Lease("job", seconds=30, token="newer").acquire()
    heartbeat = mine.heartbeat(renew_every=0.05)

    heartbeat.start()
    assert _wait_until(lambda: heartbeat.lost)
    heartbeat.release()

    assert mine.holder() == "newer"


def test_a_heartbeat_not_renewed_for_a_whole_lease_period_is_lost(store):
    """Its process stalled (or Redis was unreachable) that long: someone may have held the lease meanwhile."""
    lease = Lease("job", seconds=0.2)
    lease.acquire()
    heartbeat = lease.heartbeat(renew_every=10)  # the renewing thread never gets to run
    heartbeat.start()
    time.sleep(0.3)

    assert heartbeat.lost is True
    heartbeat.release()


@pytest.mark.redis
def test_with_redis_unreachable_nobody_holds_the_lease():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    lease = Lease("job", seconds=30, url=f"redis://127.0.0.1:{port}/0")

    assert lease.acquire() is False
    assert lease.renew() is False
    lease.release()  # never raises: the lease lapses by itself
    assert lease.holder() is None
