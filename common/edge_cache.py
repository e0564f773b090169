"""A small page cache in front of Django for anonymous visitors, the way a shop puts Varnish or an nginx
micro-cache before its catalogue.

Catalogue pages (home, product lists, categories, search) are the same for every visitor who has no session:
no cart, no login, no flash messages. Rendering them costs Django ~10 ms of CPU; answering them from memory
costs a fraction of a millisecond, and on a 2-core machine that difference decides how many shoppers wait.

How it stays correct:
- Only GET requests without a session or messages cookie are candidates, and only views wrapped in
  `edge_cacheable` may be stored: the view opts in, never a URL prefix.
- A response is stored only when it is a 200 without cookies of its own.
- The key holds the catalogue version (handed in by the composition root: the catalogue's, bumped by every catalogue write, read at most once per
  `EDGE_CACHE_VERSION_POLL` seconds), the language Django would pick, the htmx flag and the full path with its
  query string, so a catalogue write, another language or an htmx fragment never gets another page.
- Forms keep working without JavaScript: candidate pages render a fixed placeholder instead of the CSRF token,
  and every response (stored or not) gets the visitor's own masked token in its place, with a new CSRF cookie
  when the visitor has none, as Django's CSRF middleware would set.
- Entries live in this process's memory (bounded by `EDGE_CACHE_MAX_BYTES`, least recently used first out)
  for `EDGE_CACHE_SECONDS`; nothing depends on Redis being up.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, parse_cookie
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.http import http_date
from django.utils.translation import get_language_from_request

logger = logging.getLogger(__name__)

ELIGIBLE_SCOPE_KEY = "socialshop.edge_cache"
# The view tells the edge what to do with its response through this header; the edge removes it.
DIRECTIVE_HEADER = "X-Socialshop-Edge"
_DIRECTIVE_HEADER_BYTES = DIRECTIVE_HEADER.lower().encode()
# 64 characters, as long as a masked token, so swapping it in never changes Content-Length.
CSRF_PLACEHOLDER = "EdgeCacheCsrfTokenPlaceholder".ljust(64, "Q")
_CSRF_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
CACHE_STATUS_HEADER = b"x-cache"

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]


class EdgeCacheRequest(HttpRequest):
    """A request seen by an `edge_cacheable` view under the edge: `edge_cache_candidate` says whether the page
    may be stored (pages render the CSRF placeholder then). Other requests do not have the attribute."""

    edge_cache_candidate: bool


def edge_cacheable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let the edge cache store this view's anonymous responses (the view must not depend on anything but
    the URL, the language and the catalogue)."""

    @wraps(view)
    def wrapper(request: EdgeCacheRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = getattr(request, "scope", None)
        if not scope or not scope.get(ELIGIBLE_SCOPE_KEY):
            return view(request, *args, **kwargs)
        request.edge_cache_candidate = True
        try:
            response = view(request, *args, **kwargs)
        except Exception:
            # Django renders the error page after this; it must carry a real token, not the placeholder.
            request.edge_cache_candidate = False
            raise
        storable = response.status_code == 200 and not response.cookies and not response.streaming
        response[DIRECTIVE_HEADER] = "store" if storable else "no-store"
        return response

    return wrapper


def csrf_placeholder(request: HttpRequest) -> dict:
    """Context processor: candidate pages render the placeholder; the edge swaps in each visitor's token."""
    if getattr(request, "edge_cache_candidate", False):
        return {"csrf_token": CSRF_PLACEHOLDER}
    return {}


@dataclass(slots=True)
class CachedPage:
    expires_at: float
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 200


class PageStore:
    """Least-recently-used pages, bounded in bytes, each with an expiry time."""

    def __init__(self, *, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str, now: float) -> CachedPage | None:
        page = self._pages.get(key)
        if page is None:
            return None
        if page.expires_at <= now:
            self._remove(key)
            return None
        self._pages.move_to_end(key)
        return page

    def put(self, key: str, page: CachedPage) -> None:
        if page.size > self.max_bytes:
            return
        if key in self._pages:
            self._remove(key)
        self._pages[key] = page
        self.bytes += page.size
        while self.bytes > self.max_bytes:
            self._remove(next(iter(self._pages)))

    def clear(self) -> None:
        self._pages.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._pages)

    def _remove(self, key: str) -> None:
        self.bytes -= self._pages.pop(key).size


class _CookieView(HttpRequest):
    """Just enough of a request for `get_language_from_request` (cookie, then Accept-Language). It skips
    `HttpRequest.__init__` on purpose: that function reads only these three attributes, and this runs on
    every anonymous page request."""

    def __init__(self, cookies: dict[str, str], accept_language: str) -> None:
        self.COOKIES = cookies
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept_language}
        self.path_info = "/"


class EdgeCache:
    """ASGI middleware for the HTTP side of the application (see the module docstring)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        seconds: float,
        max_bytes: int,
        version_poll_seconds: float = 1.0,
        version_reader: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.seconds = seconds
        self.store = PageStore(max_bytes=max_bytes)
        self.version_poll_seconds = version_poll_seconds
        self.version_reader = version_reader
        self.clock = clock
        self._version: int | None = None
        self._version_read_at = float("-inf")

    def catalogue_version(self, now: float) -> int | None:
        """The catalogue version, re-read at most once per poll interval; None (cache off) if unreadable."""
        if now - self._version_read_at >= self.version_poll_seconds:
            self._version_read_at = now
            try:
                self._version = self.version_reader()
            except Exception:  # the cache backend is down: serve everything fresh until it is back
                logger.warning("edge cache: catalogue version unreadable, bypassing", exc_info=True)
                self._version = None
        return self._version

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        cookies = parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            await self.app(scope, receive, send)
            return
        now = self.clock()
        version = self.catalogue_version(now)
        if version is None:
            await self.app(scope, receive, send)
            return
        key = self._key(scope, headers, cookies, version)
        csrf = _VisitorCsrf(cookies.get(settings.CSRF_COOKIE_NAME, ""))
        page = self.store.get(key, now)
        if page is not None:
            self.store.hits += 1
            await self._send_page(send, page.status, page.headers, page.body, csrf, b"HIT")
            return
        self.store.misses += 1
        await self._forward_and_store(scope, receive, send, key, csrf)

    def _key(self, scope: dict, headers: dict, cookies: dict, version: int) -> str:
        language = get_language_from_request(
            _CookieView(cookies, headers.get(b"accept-language", b"").decode("latin-1"))
        )
        htmx = headers.get(b"hx-request", b"").decode("latin-1")
        query = scope.get("query_string", b"").decode("latin-1")
        return f"{version}|{language}|{htmx}|{scope.get('root_path', '')}{scope['path']}?{query}"

    async def _forward_and_store(
        self, scope: dict, receive: Callable, send: Callable, key: str, csrf: _VisitorCsrf
    ) -> None:
        start: dict | None = None
        directive: bytes | None = None
        chunks: list[bytes] = []

        async def capture(message: dict) -> None:
            nonlocal start, directive
            if message["type"] == "http.response.start":
                kept = []
                for name, value in message.get("headers", []):
                    if name.lower() == _DIRECTIVE_HEADER_BYTES:
                        directive = value
                    else:
                        kept.append((name, value))
                if directive is None:  # not a candidate view: pass everything straight through
                    await send(message)
                    return
                start = {**message, "headers": kept}
                return
            if directive is None or start is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(chunks)
            status = start["status"]
            if directive == b"store":
                self.store.put(
                    key,
                    CachedPage(
                        expires_at=self.clock() + self.seconds,
                        status=status,
                        headers=start["headers"],
                        body=body,
                    ),
                )
            await self._send_page(send, status, start["headers"], body, csrf, b"MISS")

        await self.app({**scope, ELIGIBLE_SCOPE_KEY: True}, receive, capture)

    @staticmethod
    async def _send_page(
        send: Callable,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        csrf: _VisitorCsrf,
        cache_status: bytes,
    ) -> None:
        headers = [*headers, (CACHE_STATUS_HEADER, cache_status)]
        if _CSRF_PLACEHOLDER_BYTES in body:
            body = body.replace(_CSRF_PLACEHOLDER_BYTES, csrf.masked_token().encode())
            if csrf.new_cookie_header is not None:
                headers.append((b"set-cookie", csrf.new_cookie_header))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _VisitorCsrf:
    """The visitor's CSRF secret (from the cookie, or a new one with the cookie to set)."""

    __slots__ = ("secret", "new_cookie_header")

    def __init__(self, cookie_value: str) -> None:
        self.new_cookie_header: bytes | None = None
        if len(cookie_value) == CSRF_SECRET_LENGTH and set(cookie_value) <= _ALLOWED:
            self.secret = cookie_value
        else:
            self.secret = ""

    def masked_token(self) -> str:
        if not self.secret:
            self.secret = _random_csrf_string()
            self.new_cookie_header = _csrf_cookie_header(self.secret)
        return _mask_secret(self.secret)


_ALLOWED = frozenset(CSRF_ALLOWED_CHARS)
_CHAR_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_ALPHABET = len(CSRF_ALLOWED_CHARS)
# Bytes below the largest multiple of the alphabet size map uniformly onto it; the rest are drawn again.
_UNBIASED_LIMIT = 256 - 256 % _ALPHABET


def _random_csrf_string(length: int = CSRF_SECRET_LENGTH) -> str:
    """Like Django's `get_random_string(length, CSRF_ALLOWED_CHARS)` (uniform, from the OS's CSPRNG), with one
    `os.urandom` call instead of one per character: every answer from the edge needs one or two of these."""
    chars: list[str] = []
    while len(chars) < length:
        for byte in secrets.token_bytes(length + 8):
            if byte < _UNBIASED_LIMIT:
                chars.append(CSRF_ALLOWED_CHARS[byte % _ALPHABET])
                if len(chars) == length:
                    break
    return "".join(chars)


def _mask_secret(secret: str) -> str:
    """Django's masking (`django.middleware.csrf._mask_cipher_secret`): a fresh mask, then each secret
    character shifted by the mask's, so the form token differs on every response (BREACH) and the CSRF
    middleware unmasks it to the cookie's secret."""
    mask = _random_csrf_string()
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_CHAR_INDEX[x] + _CHAR_INDEX[y]) % _ALPHABET]
        for x, y in zip(secret, mask, strict=True)
    )
    return mask + cipher


def _csrf_cookie_header(secret: str) -> bytes:
    """The Set-Cookie value Django's CSRF middleware would send (same name, age, path, flags)."""
    parts = [
        f"{settings.CSRF_COOKIE_NAME}={secret}",
        f"expires={http_date(time.time() + settings.CSRF_COOKIE_AGE)}",
        f"Max-Age={settings.CSRF_COOKIE_AGE}",
        f"Path={settings.CSRF_COOKIE_PATH}",
    ]
    if settings.CSRF_COOKIE_DOMAIN:
        parts.append(f"Domain={settings.CSRF_COOKIE_DOMAIN}")
    if settings.CSRF_COOKIE_HTTPONLY:
        parts.append("HttpOnly")
    if settings.CSRF_COOKIE_SAMESITE:
        parts.append(f"SameSite={settings.CSRF_COOKIE_SAMESITE}")
    if settings.CSRF_COOKIE_SECURE:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")


def edge_cache_from_settings(app: ASGIApp, *, version_reader: Callable[[], int]) -> ASGIApp:
    """Wrap `app` when `EDGE_CACHE_SECONDS` is on; `version_reader` gives the content version that keys pages
    (the composition root passes the catalogue's)."""
    seconds = float(getattr(settings, "EDGE_CACHE_SECONDS", 0))
    if seconds <= 0:
        return app
    return EdgeCache(
        app,
        seconds=seconds,
        max_bytes=int(settings.EDGE_CACHE_MAX_BYTES),
        version_poll_seconds=float(settings.EDGE_CACHE_VERSION_POLL),
        version_reader=version_reader,
    )
