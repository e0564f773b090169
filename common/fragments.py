"""Rendered fragments shared between responses, with the bits that belong to one response as placeholders.

A fragment (a post card, the page layout around the content) is rendered once and cached under a key that
addresses everything it shows, so a change gives a new key and nothing needs invalidating. What differs per
response and must never be stored is rendered as a fixed placeholder and swapped in on the way out: the CSRF
token (the edge cache's `CSRF_PLACEHOLDER`), the current path, the search box's value, the session's support
conversation, and the "current page" marker of the navigation links.

The page layout (`layout_parts`): the header (top bar, user menu, cart badge, notification count, search form,
category strip) and the footer (language form, tab bar, chat launcher) of `base.html`, per shopper. Its key is
the owner's id plus a hash of everything the parts render: the template names, the deployment version (the
templates' and translations' content and the static manifest), the language, and the values the base template
hands in (user name, staff flag, cart badge, unread count, catalogue version...). Those values are read before
the lookup, from their own caches, so a badge change or another user in the same browser gives another key at
once; nothing is ever looked up by the browser or the session alone.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache as memoize
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.template.context import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from common.edge_cache import CSRF_PLACEHOLDER

__all__ = [
    "CSRF_PLACEHOLDER",
    "PATH_PLACEHOLDER",
    "LayoutParts",
    "current_page_marker",
    "fill_csrf",
    "layout_parts",
]

PATH_PLACEHOLDER = "__socialshop_current_path__"
SEARCH_PLACEHOLDER = "__socialshop_search_query__"
_SESSION_PREFIX = "__socialshop_session_"
# Session values a layout may show (per response); no other session key is ever swapped into a page.
LAYOUT_SESSION_KEYS = frozenset({"support_conversation_id"})
_SESSION_PATTERN = re.compile(
    "__socialshop_session_(" + "|".join(sorted(LAYOUT_SESSION_KEYS)) + ")__"
)
_CURRENT_PATTERN = re.compile(r"__socialshop_current\[([^\]\s\"'<>]*)\]__")
LAYOUT_CONTEXT_FLAG = "_socialshop_layout_rendering"
LAYOUT_CACHE_SECONDS = 3600


def fill_csrf(html: str, token: object) -> str:
    """`html` with this response's CSRF token in place of the placeholder."""
    return html.replace(CSRF_PLACEHOLDER, str(token) if token else "")


def current_page_marker(*, url: str, in_layout: bool, request_path: str | None) -> str:
    """` aria-current="page"` when `url` is the page being shown; inside a cached layout, a placeholder that
    `layout_parts` resolves per response."""
    if in_layout:
        return f"__socialshop_current[{url}]__"
    return ' aria-current="page"' if request_path == url else ""


class _PlaceholderSession:
    """A session whose every value renders as a placeholder naming the key."""

    def __getitem__(self, name: str) -> str:
        if name not in LAYOUT_SESSION_KEYS:
            raise KeyError(name)
        return f"{_SESSION_PREFIX}{name}__"

    def get(self, name: str, default: object = None) -> object:
        return self[name] if name in LAYOUT_SESSION_KEYS else default


class _PlaceholderRequest:
    """What the layout's templates read from the request, every per-response value as a placeholder. Any
    other attribute is missing (renders empty), so a template that starts reading one shows it in a test."""

    GET: Mapping[str, str] = {"q": SEARCH_PLACEHOLDER}
    session = _PlaceholderSession()
    path = PATH_PLACEHOLDER

    @staticmethod
    def get_full_path() -> str:
        return PATH_PLACEHOLDER


@dataclass(frozen=True, slots=True)
class LayoutParts:
    """The rendered parts of a page layout, in the order of the template names asked for."""

    parts: tuple[SafeString, ...]

    def __getitem__(self, index: int) -> SafeString:
        return self.parts[index]


@memoize
def deployment_version() -> str:
    """A digest of what the layout is rendered from besides its inputs: the project's templates, the compiled
    translations and the static manifest (hashed asset names). Read once per process; a deploy restarts it."""
    digest = hashlib.sha1()
    roots: list[Path] = []
    engines: list[dict[str, Any]] = settings.TEMPLATES
    for engine in engines:
        roots.extend(Path(d) for d in engine.get("DIRS", ()))
    roots.extend(Path(p) for p in getattr(settings, "LOCALE_PATHS", ()))
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix in {".html", ".mo", ".txt"} and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    from django.contrib.staticfiles.storage import staticfiles_storage

    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    return digest.hexdigest()[:16]


def _layout_key(owner: object, template_names: Sequence[str], vary_on: Sequence[object]) -> str:
    content = (
        deployment_version(),
        translation.get_language(),
        tuple(template_names),
        tuple(vary_on),
    )
    return f"layout:{owner}:" + hashlib.sha1(repr(content).encode()).hexdigest()


def _render(template_names: Sequence[str], context: Mapping[Any, Any]) -> tuple[str, ...]:
    flat = {
        **context,
        "csrf_token": CSRF_PLACEHOLDER,
        "request": _PlaceholderRequest(),
        "current_path": PATH_PLACEHOLDER,
        LAYOUT_CONTEXT_FLAG: True,
    }
    return tuple(get_template(name).render(flat) for name in template_names)


def _fill(
    html: str, *, csrf_token: object, request: HttpRequest | None, current_path: str
) -> SafeString:
    html = fill_csrf(html, csrf_token)
    if request is None:
        path = ""
        query = ""
    else:
        path = request.path
        query = request.GET.get("q", "")
    if PATH_PLACEHOLDER in html:
        html = html.replace(PATH_PLACEHOLDER, escape(current_path))
    if SEARCH_PLACEHOLDER in html:
        html = html.replace(SEARCH_PLACEHOLDER, escape(query))
    if "__socialshop_current[" in html:
        html = _CURRENT_PATTERN.sub(
            lambda match: ' aria-current="page"' if match.group(1) == path else "", html
        )
    if _SESSION_PREFIX in html:
        session = getattr(request, "session", None)

        def session_value(match: re.Match[str]) -> str:
            value = session.get(match.group(1)) if session is not None else None
            return escape(str(value)) if value else ""

        html = _SESSION_PATTERN.sub(session_value, html)
    return mark_safe(html)  # noqa: S308 - rendered (escaped) by our templates; swapped values escaped


def layout_parts(
    context: Context,
    *,
    owner: object,
    template_names: Sequence[str],
    vary_on: Sequence[object],
) -> LayoutParts:
    """The templates rendered with `context` for this response: from the cache when the same owner saw the
    same inputs before, else rendered (with placeholders) and stored. `vary_on` must hold every value the
    templates show that is not the language or the deployment; `owner` (a user id, or None when signed out)
    keeps shoppers apart even if two shoppers' values were equal."""
    key = _layout_key(owner, template_names, vary_on)
    stored = cache.get(key)
    if not isinstance(stored, tuple) or len(stored) != len(template_names):
        stored = _render(template_names, context.flatten())
        cache.set(key, stored, LAYOUT_CACHE_SECONDS)
    request = context.get("request")
    current_path = context.get("current_path") or (
        request.get_full_path() if request is not None else ""
    )
    csrf_token = context.get("csrf_token")
    return LayoutParts(
        parts=tuple(
            _fill(html, csrf_token=csrf_token, request=request, current_path=current_path)
            for html in stored
        )
    )
