"""Per-owner cached values (`common.generations`): reused until the owner's next write, never stale after it."""

from __future__ import annotations

from django.core.cache import cache, caches

from common.generations import generation_bump, generation_cached


class Counter:
    def __init__(self, value: int) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.value


def test_a_value_is_computed_once_until_a_bump():
    count = Counter(3)

    assert generation_cached(scope="t:reuse", compute=count) == 3
    assert generation_cached(scope="t:reuse", compute=count) == 3
    assert count.calls == 1


def test_a_bump_makes_the_next_read_compute_again():
    count = Counter(3)
    generation_cached(scope="t:bump", compute=count)
    count.value = 4

    generation_bump("t:bump")

    assert generation_cached(scope="t:bump", compute=count) == 4


def test_a_late_store_from_before_the_bump_is_never_read():
    # A request counted the old rows, then the write committed and bumped, then that request stored its count.
    generation_cached(scope="t:race", compute=Counter(1))
    stale_token = cache.get("gen:t:race")
    generation_bump("t:race")
    cache.set(f"t:race:{stale_token}", 1)

    assert generation_cached(scope="t:race", compute=Counter(2)) == 2


def test_scopes_are_separate():
    generation_cached(scope="t:a", compute=Counter(1))

    assert generation_cached(scope="t:b", compute=Counter(2)) == 2


def test_without_a_shared_cache_every_read_computes(monkeypatch):
    # As FailSoftRedisCache says while Redis is down (the local-memory cache of a plain test run has no such
    # property: give it one).
    monkeypatch.setattr(
        type(caches["default"]), "redis_available", property(lambda self: False), raising=False
    )
    count = Counter(5)

    generation_cached(scope="t:down", compute=count)
    generation_cached(scope="t:down", compute=count)

    assert count.calls == 2
