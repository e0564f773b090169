"""common/cache.py: while Redis cannot be reached the cache serves from process memory, so pages render, while rate
limits count in the database (never per process); when Redis answers again it takes over and the local copy is
dropped."""

from __future__ import annotations

import logging
import socket
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from redis.exceptions import ConnectionError as RedisConnectionError

from common.cache import FailSoftRedisCache
from common.ratelimit import RateLimited, rate_limit_hit


def _closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused, as with a stopped Redis."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cache(location: str, **options) -> FailSoftRedisCache:
    return FailSoftRedisCache(
        location,
        {
            "KEY_PREFIX": f"failsoft-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 0.5, **options},
        },
    )


def _warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "common.cache" and r.levelno >= 30]


def test_unreachable_redis_serves_from_process_memory_and_logs_once(caplog):
    down = _cache(f"redis://127.0.0.1:{_closed_port()}/0")
    with caplog.at_level(logging.INFO, logger="common.cache"):
        assert down.get("missing", "default") == "default"
        down.set("greeting", "hello", 60)
        assert down.get("greeting") == "hello"
        assert down.get_or_set("roots", lambda: ["a", "b"], 60) == ["a", "b"]
        assert down.add("counter", 0, 60) is True
        assert [down.incr("counter") for _ in range(3)] == [1, 2, 3]
        assert down.get_many(["greeting", "nope"]) == {"greeting": "hello"}
        down.delete("greeting")
        assert down.has_key("greeting") is False
    assert down.redis_available is False
    warnings = _warnings(caplog)
    assert len(warnings) == 1
    assert warnings[0].startswith("cache: Redis unavailable")


def test_every_thread_of_a_process_shares_the_fallback():
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    first = FailSoftRedisCache(location, {"KEY_PREFIX": "shared"})
    second = FailSoftRedisCache(location, {"KEY_PREFIX": "shared"})
    first.set("k", "v", 60)
    assert second.get("k") == "v"
    assert second.redis_available is False


def _redis_down_as_default_cache(settings) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "common.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "KEY_PREFIX": f"failsoft-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        },
    }


@pytest.mark.django_db
def test_rate_limits_still_count_while_redis_is_down(settings, caplog):
    """In the database, shared by every process, never in one process's memory (issue 18 item 5)."""
    from django.core.cache import caches

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"report": "2/hour"},
    }
    _redis_down_as_default_cache(settings)
    rate_limit_hit(scope="report", key=7)
    rate_limit_hit(scope="report", key=7)
    with pytest.raises(RateLimited):
        rate_limit_hit(scope="report", key=7)
    window = int(__import__("time").time()) // 3600
    assert caches["limits"].get(f"ratelimit:report:7:{window}") == 3
    # One "Redis unavailable" line for the outage, not one per hit.
    assert len(_warnings(caplog)) == 1


@pytest.mark.django_db
def test_pages_and_api_render_while_redis_is_down(client, settings, product):
    _redis_down_as_default_cache(settings)
    assert client.get("/").status_code == 200
    assert client.get("/products/").status_code == 200
    assert client.get(product.get_absolute_url()).status_code == 200
    assert client.get("/api/v1/products/").status_code == 200
    assert cache.redis_available is False


@pytest.mark.redis
def test_redis_takes_over_again_when_it_answers(monkeypatch, caplog):
    from redis.connection import AbstractConnection

    live = _cache(settings.REDIS_URL, retry_after=0)
    real_connect = AbstractConnection.connect

    def refuse(self):
        raise RedisConnectionError("Connection refused (simulated outage)")

    monkeypatch.setattr(AbstractConnection, "connect", refuse)
    with caplog.at_level(logging.INFO, logger="common.cache"):
        live.set("during", "outage", 60)
        assert live.get("during") == "outage"
        assert live.redis_available is False

        monkeypatch.setattr(AbstractConnection, "connect", real_connect)
        live.set("after", "back", 60)
        assert live.redis_available is True
        # Redis is the store again: what was written locally during the outage is gone.
        assert live.get("during") is None
        assert live.get("after") == "back"
        live.delete("after")
    assert [m.split(";")[0].split(" (")[0] for m in _warnings(caplog)] == [
        "cache: Redis unavailable",
        "cache: Redis is back",
    ]
