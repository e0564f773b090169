from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.http import HttpRequest


def shop_navigation(request: HttpRequest) -> dict[str, Callable[[], object]]:
    """Top-level categories (cached by the selector) and the cart badge count (one query, none without
    a session).

    Both are read when a template first shows them, once per response: fragments (recommendation widgets,
    the feed's next page, htmx swaps) that show no navigation then run no query for it. Templates call a
    callable context value and the cache makes later uses free.
    """
    from shop.selectors import cart_item_count, catalogue_cache_version, category_roots_cached

    @cache
    def cart_count() -> int:
        session = getattr(request, "session", None)
        return cart_item_count(
            user=getattr(request, "user", None),
            session_key=session.session_key if session is not None else None,
        )

    @cache
    def nav_categories() -> list:
        return list(category_roots_cached())

    # The category strip in the cached page layout changes with the catalogue version (common/fragments.py).
    return {
        "nav_categories": nav_categories,
        "cart_count": cart_count,
        "catalogue_version": catalogue_cache_version,
    }
