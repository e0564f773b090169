"""Shopper-product interactions and product metadata, as plain rows for the recommender.

Rows are `(user_id, product_id, kind, value, created_at)` with kinds the recommender knows: `view`, `cart`,
`like` and `wishlist` events from ProductEvent, wishlist adds from WishlistItem, purchases from order lines
(cancelled orders left out) and ratings from reviews (hidden ones left out). Only rows of existing, active
accounts are returned: a deleted account's orders stay for accounting with no user, and are skipped.
Personalisation opt-outs are applied by the caller (`recsys.data`), which knows the social profile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db.models import Model, QuerySet

from shop.models import Category, Order, OrderLine, Product, ProductEvent, Review, WishlistItem

__all__ = [
    "InteractionRow",
    "ProductMetadata",
    "category_paths",
    "interaction_rows",
    "product_metadata",
    "purchase_baskets",
    "unavailable_product_ids",
]

InteractionRow = tuple[int, int, str, float | None, datetime]

_EVENT_KINDS = (
    ProductEvent.Kind.VIEW,
    ProductEvent.Kind.CART,
    ProductEvent.Kind.LIKE,
    ProductEvent.Kind.WISHLIST,
)


_RowModel = TypeVar("_RowModel", bound=Model)


def _user_filter(
    queryset: QuerySet[_RowModel], prefix: str, user_ids: Iterable[int] | None
) -> QuerySet[_RowModel]:
    queryset = queryset.filter(**{f"{prefix}__isnull": False, f"{prefix}__is_active": True})
    if user_ids is not None:
        queryset = queryset.filter(**{f"{prefix}_id__in": list(user_ids)})
    return queryset


def interaction_rows(*, user_ids: Iterable[int] | None = None) -> list[InteractionRow]:
    """Every recommender signal of active accounts (optionally only `user_ids`), oldest source first."""
    user_ids = None if user_ids is None else list(user_ids)
    rows: list[InteractionRow] = []
    events = _user_filter(ProductEvent.objects.filter(kind__in=_EVENT_KINDS), "user", user_ids)
    rows.extend(
        (user_id, product_id, kind, None, created_at)
        for user_id, product_id, kind, created_at in events.values_list(
            "user_id", "product_id", "kind", "created_at"
        ).iterator(chunk_size=5000)
    )
    wishlist = _user_filter(WishlistItem.objects.all(), "user", user_ids)
    rows.extend(
        (user_id, product_id, "wishlist", None, created_at)
        for user_id, product_id, created_at in wishlist.values_list(
            "user_id", "product_id", "created_at"
        ).iterator(chunk_size=5000)
    )
    lines = _user_filter(
        OrderLine.objects.filter(product__isnull=False).exclude(
            order__status=Order.Status.CANCELLED
        ),
        "order__user",
        user_ids,
    )
    rows.extend(
        (user_id, product_id, "purchase", None, created_at)
        for user_id, product_id, created_at in lines.values_list(
            "order__user_id", "product_id", "order__created_at"
        ).iterator(chunk_size=5000)
    )
    reviews = _user_filter(Review.objects.filter(is_hidden=False), "user", user_ids)
    rows.extend(
        (user_id, product_id, "rating", float(rating), created_at)
        for user_id, product_id, rating, created_at in reviews.values_list(
            "user_id", "product_id", "rating", "created_at"
        ).iterator(chunk_size=5000)
    )
    return rows


def category_paths() -> dict[int, tuple[str, ...]]:
    """Each category's slug path from the root down to itself (slugs are unique, names are not)."""
    categories = dict(Category.objects.values_list("id", "parent_id"))
    slugs = dict(Category.objects.values_list("id", "slug"))
    paths: dict[int, tuple[str, ...]] = {}

    def path(category_id: int, depth: int = 0) -> tuple[str, ...]:
        if category_id in paths:
            return paths[category_id]
        parent = categories.get(category_id)
        prefix = path(parent, depth + 1) if parent is not None and depth < 20 else ()
        paths[category_id] = (*prefix, slugs[category_id])
        return paths[category_id]

    for category_id in categories:
        path(category_id)
    return paths


@dataclass(frozen=True)
class ProductMetadata:
    product_id: int
    category_path: tuple[str, ...]
    tags: tuple[str, ...]
    price: Decimal
    name: str
    description: str
    in_stock: bool


def product_metadata(*, active_only: bool = True) -> list[ProductMetadata]:
    """Category path (slugs), tags, price, name, description and stock state of every (active) product."""
    paths = category_paths()
    products = Product.objects.all()
    if active_only:
        products = products.filter(is_active=True)
    tags: dict[int, list[str]] = {}
    for product_id, tag in Product.tags.through.objects.filter(product__in=products).values_list(
        "product_id", "tag__slug"
    ):
        tags.setdefault(product_id, []).append(tag)
    return [
        ProductMetadata(
            product_id=pk,
            category_path=paths.get(category_id, ()),
            tags=tuple(tags.get(pk, ())),
            price=price,
            name=name,
            description=description,
            in_stock=stock > 0,
        )
        for pk, category_id, price, name, description, stock in products.values_list(
            "id", "category_id", "price", "name", "description", "stock"
        ).iterator(chunk_size=5000)
    ]


def purchase_baskets() -> list[tuple[int, int]]:
    """(order_id, product_id) of every line of a non-cancelled order, for "bought together"."""
    return list(
        OrderLine.objects.filter(product__isnull=False)
        .exclude(order__status=Order.Status.CANCELLED)
        .values_list("order_id", "product_id")
    )


def unavailable_product_ids() -> set[int]:
    """Products that must not be recommended: sold out or withdrawn."""
    return set(Product.objects.filter(stock__lte=0).values_list("id", flat=True)) | set(
        Product.objects.filter(is_active=False).values_list("id", flat=True)
    )
