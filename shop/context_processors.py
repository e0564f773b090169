from __future__ import annotations

from django.http import HttpRequest


def shop_navigation(request: HttpRequest) -> dict:
    """Top-level categories (cached by the selector) and the cart badge count (one query, none without
    a session)."""
    from shop.selectors import cart_item_count, category_roots_cached

    session = getattr(request, "session", None)
    return {
        "nav_categories": category_roots_cached(),
        "cart_count": cart_item_count(
            user=getattr(request, "user", None),
            session_key=session.session_key if session is not None else None,
        ),
    }
