from __future__ import annotations

from django.core.cache import cache

from shop.models import Category

__all__ = ["category_roots_cached"]


def category_roots_cached() -> list[Category]:
    roots = cache.get("shop:category_roots")
    if roots is None:
        roots = list(Category.objects.filter(parent__isnull=True).order_by("position", "name"))
        cache.set("shop:category_roots", roots, 300)
    return roots
