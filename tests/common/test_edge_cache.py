"""The anonymous page cache in front of Django (config/edge_cache.py), driven through the real ASGI handler."""

from __future__ import annotations

import re

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.asgi import get_asgi_application
from django.middleware.csrf import (  # type: ignore[attr-defined]  # private, so django-stubs omit it
    _does_token_match,  # Django's own check of a submitted token against the secret
)

from common.edge_cache import CSRF_PLACEHOLDER, CachedPage, EdgeCache, PageStore
from shop.selectors import catalogue_cache_version
from shop.services import catalogue_changed
from tests.factories import CategoryFactory, ProductFactory

db_in_threads = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(rb"[A-Za-z0-9]{64}")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def edge(clock: Clock) -> EdgeCache:
    return EdgeCache(
        get_asgi_application(),
        seconds=60,
        max_bytes=8 * 1024 * 1024,
        version_poll_seconds=0,
        version_reader=catalogue_cache_version,
        clock=clock,
    )


@pytest.fixture
def catalogue(db):
    category = CategoryFactory(name="Lamps", slug="lamps")
    return [ProductFactory(category=category, name=f"Desk lamp {n}") for n in range(3)]


async def _get(app, path: str, *, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")]
        + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        message = await communicator.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    await communicator.wait(1)
    response_headers: dict[str, list[bytes]] = {}
    for name, value in start["headers"]:
        response_headers.setdefault(name.decode().lower(), []).append(value)
    return start["status"], response_headers, body


def _cache_state(headers: dict) -> bytes | None:
    return headers.get("x-cache", [None])[0]


@db_in_threads
async def test_second_anonymous_request_is_served_from_the_edge(edge, catalogue):
    status, headers, first = await _get(edge, "/products/?sort=price_asc")
    assert (status, _cache_state(headers)) == (200, b"MISS")
    status, headers, second = await _get(edge, "/products/?sort=price_asc")
    assert (status, _cache_state(headers)) == (200, b"HIT")
    assert b"Desk lamp 0" in second
    assert ANY_TOKEN.sub(b"", first) == ANY_TOKEN.sub(b"", second)


@db_in_threads
async def test_cached_page_carries_a_token_for_the_visitors_own_csrf_cookie(edge, catalogue):
    await _get(edge, "/products/")
    secret = "a" * 16 + "B" * 16
    _, headers, body = await _get(edge, "/products/", headers={"cookie": f"csrftoken={secret}"})
    assert _cache_state(headers) == b"HIT"
    assert CSRF_PLACEHOLDER.encode() not in body
    tokens = TOKEN.findall(body)
    assert tokens
    assert all(_does_token_match(token.decode(), secret) for token in tokens)
    assert "set-cookie" not in headers


@db_in_threads
async def test_visitor_without_csrf_cookie_gets_one_matching_the_page(edge, catalogue):
    await _get(edge, "/products/")
    _, headers, body = await _get(edge, "/products/")
    cookie = headers["set-cookie"][0].decode()
    secret = re.match(r"csrftoken=([A-Za-z0-9]{32});", cookie).group(1)
    assert _does_token_match(TOKEN.search(body).group(1).decode(), secret)


@db_in_threads
async def test_requests_with_a_session_cookie_bypass_the_edge(edge, catalogue):
    await _get(edge, "/products/")
    _, headers, _ = await _get(edge, "/products/", headers={"cookie": "sessionid=abc"})
    assert _cache_state(headers) is None


@db_in_threads
async def test_catalogue_change_serves_a_fresh_page(edge, catalogue):
    await _get(edge, "/products/")
    await _get(edge, "/products/")
    catalogue_changed()
    _, headers, _ = await _get(edge, "/products/")
    assert _cache_state(headers) == b"MISS"


@db_in_threads
async def test_entries_expire(edge, catalogue, clock):
    await _get(edge, "/products/")
    clock.now += 61
    _, headers, _ = await _get(edge, "/products/")
    assert _cache_state(headers) == b"MISS"


@db_in_threads
async def test_each_language_has_its_own_page(edge, catalogue):
    await _get(edge, "/products/", headers={"accept-language": "en"})
    _, headers, body = await _get(edge, "/products/", headers={"accept-language": "zh-hans"})
    assert _cache_state(headers) == b"MISS"
    assert b'lang="zh-hans"' in body


@db_in_threads
async def test_htmx_fragment_and_full_page_are_separate_entries(edge, catalogue):
    _, _, page = await _get(edge, "/products/")
    _, headers, fragment = await _get(edge, "/products/", headers={"hx-request": "true"})
    assert _cache_state(headers) == b"MISS"
    assert b"<html" in page
    assert b"<html" not in fragment


@db_in_threads
async def test_views_that_did_not_opt_in_pass_straight_through(edge, catalogue):
    product = catalogue[0]
    _, headers, body = await _get(edge, f"/product/{product.slug}/")
    assert _cache_state(headers) is None
    assert CSRF_PLACEHOLDER.encode() not in body


@db_in_threads
async def test_error_page_of_a_cacheable_view_is_neither_stored_nor_left_with_the_placeholder(
    edge, catalogue
):
    status, headers, body = await _get(edge, "/category/no-such-category/")
    assert status == 404
    assert CSRF_PLACEHOLDER.encode() not in body
    status, headers, _ = await _get(edge, "/category/no-such-category/")
    assert _cache_state(headers) != b"HIT"


@db_in_threads
async def test_bad_filters_answer_400_and_are_not_stored(edge, catalogue):
    status, _, body = await _get(edge, "/products/?price_min=abc")
    assert status == 400
    assert CSRF_PLACEHOLDER.encode() not in body
    _, headers, _ = await _get(edge, "/products/?price_min=abc")
    assert _cache_state(headers) == b"MISS"


@db_in_threads
async def test_unreadable_catalogue_version_bypasses_the_cache(catalogue, clock):
    def broken() -> int:
        raise ConnectionError("cache down")

    edge = EdgeCache(
        get_asgi_application(), seconds=60, max_bytes=1 << 20, version_reader=broken, clock=clock
    )
    status, headers, body = await _get(edge, "/products/")
    assert (status, _cache_state(headers)) == (200, None)
    assert b"Desk lamp" in body


def _page(size: int, expires_at: float = 100.0) -> CachedPage:
    return CachedPage(expires_at=expires_at, status=200, headers=[], body=b"x" * size)


def test_store_evicts_least_recently_used_pages_beyond_its_byte_budget():
    store = PageStore(max_bytes=3 * 1300)
    for key in ("a", "b", "c"):
        store.put(key, _page(1000))
    store.get("a", now=0)
    store.put("d", _page(1000))
    assert store.get("b", now=0) is None
    assert store.get("a", now=0) is not None
    assert store.bytes <= store.max_bytes


def test_store_drops_expired_pages():
    store = PageStore(max_bytes=1 << 20)
    store.put("a", _page(10, expires_at=5.0))
    assert store.get("a", now=4.0) is not None
    assert store.get("a", now=5.0) is None
    assert len(store) == 0


@db_in_threads
async def test_static_files_are_served_without_the_edge(edge):
    status, headers, body = await _get(edge, "/static/css/site.css")
    assert status == 200
    assert _cache_state(headers) is None
    assert body


@pytest.mark.redis
def test_redis_cache_objects_share_one_client_and_pool():
    # Under ASGI each request gets its own cache object; they must not each open a connection pool.
    from django.core.cache import caches

    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    assert first._cache.get_client() is second._cache.get_client()
    first.set("edge-test:client", 1)
    assert second.get("edge-test:client") == 1


@pytest.fixture
def mugs(db):
    category = CategoryFactory(name="Mugs", slug="mugs")
    return [ProductFactory(category=category, name=f"Mug {n:02d}", price=10 + n) for n in range(30)]


def _render_without_edge(path: str) -> bytes:
    from django.db import connections
    from django.test import Client

    try:
        return Client().get(path).content
    finally:
        connections.close_all()  # this runs in a worker thread whose connection would outlive the test


@db_in_threads
async def test_pages_of_one_filter_set_reuse_the_page_around_the_results(edge, mugs):
    from asgiref.sync import sync_to_async

    from shop.views.catalog import SHELL_PATH_MARKER, SHELL_RESULTS_MARKER

    await _get(edge, "/products/?sort=price_asc&page=1")
    status, _, shell_page = await _get(edge, "/products/?sort=price_asc&page=2")
    assert status == 200
    assert b"Mug 29" in shell_page
    assert b"Mug 00" not in shell_page
    assert b'value="/products/?sort=price_asc&amp;page=2"' in shell_page
    assert SHELL_RESULTS_MARKER.encode() not in shell_page
    assert SHELL_PATH_MARKER.encode() not in shell_page
    rendered = await sync_to_async(_render_without_edge)("/products/?sort=price_asc&page=2")
    assert ANY_TOKEN.sub(b"", shell_page) == ANY_TOKEN.sub(b"", rendered)


def test_new_csrf_cookie_matches_the_one_djangos_middleware_sets(settings):
    from http.cookies import SimpleCookie

    from django.http import HttpResponse

    from common.edge_cache import _csrf_cookie_header

    settings.CSRF_COOKIE_SECURE = True
    ours = SimpleCookie(_csrf_cookie_header("x" * 32).decode())[settings.CSRF_COOKIE_NAME]
    reference = HttpResponse()
    reference.set_cookie(
        settings.CSRF_COOKIE_NAME,
        "x" * 32,
        max_age=settings.CSRF_COOKIE_AGE,
        path=settings.CSRF_COOKIE_PATH,
        secure=True,
        httponly=settings.CSRF_COOKIE_HTTPONLY,
        samesite=settings.CSRF_COOKIE_SAMESITE,
    )
    theirs = reference.cookies[settings.CSRF_COOKIE_NAME]
    for attribute in ("max-age", "path", "secure", "httponly", "samesite", "domain"):
        assert str(ours[attribute]) == str(theirs[attribute]), attribute
    assert ours.value == theirs.value


def test_masked_tokens_unmask_to_the_secret_and_differ_each_time():
    from common.edge_cache import _mask_secret, _random_csrf_string

    secret = _random_csrf_string()
    first, second = _mask_secret(secret), _mask_secret(secret)
    assert len(secret) == 32
    assert first != second
    assert _does_token_match(first, secret)
    assert _does_token_match(second, secret)
