"""Shared fixtures. Tests run fast on embedded defaults; with DATABASE_URL/REDIS_URL the same suite runs on
PostgreSQL and Redis (CI). Tests marked `postgres` or `redis` fail in CI when the part is missing and skip, with
the reason, on a developer machine that lacks it.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from tests.factories import ProductFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = []
    if item.get_closest_marker("postgres") and not settings.IS_POSTGRES:
        missing.append("PostgreSQL (set DATABASE_URL=postgres://...)")
    if item.get_closest_marker("redis") and not settings.REDIS_URL:
        missing.append("Redis (set REDIS_URL=redis://...)")
    if missing:
        reason = "needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(f"{reason}: CI must provide it")
        pytest.skip(reason)


def _clear_cache() -> None:
    """Empty this run's cache. On Redis only this run's keys go (by prefix), not other runs' or the broker's."""
    from django.core.cache import cache

    from common.lease import forget_local_leases
    from shop.selectors import forget_local_catalogue_version

    forget_local_catalogue_version()  # the process-local copies go with the shared cache
    forget_local_leases()  # leases held in this process's memory when there is no Redis
    if not settings.REDIS_URL:
        cache.clear()
        return
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = list(client.scan_iter(f"{settings.REDIS_PREFIX}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _isolated_media_and_cache(settings, tmp_path):
    """Uploads go to a temporary folder; the cache starts empty (throttles, cached lists); English."""
    from django.utils import translation

    settings.MEDIA_ROOT = tmp_path / "media"
    _clear_cache()
    # A request that switched language leaves it active in this thread; every test starts in English.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    _clear_cache()
    translation.deactivate()


@pytest.fixture
def user(db):
    return UserFactory(username="shopper1")


@pytest.fixture
def other_user(db):
    return UserFactory(username="shopper2")


@pytest.fixture
def moderator(db):
    from django.contrib.auth.models import Group

    moderator = UserFactory(username="mod1", is_staff=True)
    group, _ = Group.objects.get_or_create(name="moderators")
    moderator.groups.add(group)
    return moderator


@pytest.fixture
def product(db):
    return ProductFactory(stock=10)


@pytest.fixture
def shopper_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def shopper_api(api_client, user):
    api_client.force_authenticate(user)
    return api_client
