from __future__ import annotations

from django.http import HttpRequest


def shop_navigation(request: HttpRequest) -> dict:
    """Top-level categories for the navigation; cached by the selector."""
    from shop.selectors import category_roots_cached

    return {"nav_categories": category_roots_cached()}
