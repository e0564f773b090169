"""Shopper-product interactions and product metadata, as plain rows for the recommender.

Rows are `(user_id, product_id, kind, value, created_at)` with kinds the recommender knows: `view`, `cart`,
`like` and `wishlist` events from ProductEvent, wishlist adds from WishlistItem, purchases from order lines
(cancelled orders left out) and ratings from reviews (hidden ones left out). Only rows of existing, active
accounts are returned: a deleted account's orders stay for accounting with no user, and are skipped.
Personalisation opt-outs are applied by the caller (`recsys.services.data`), which knows the social profile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db.models import Model, QuerySet

from shop.models import (
    Category,
    Order,
    OrderLine,
    Product,
    ProductEvent,
    Review,
    User,
    WishlistItem,
)

__all__ = [
    "InteractionRow",
    "ProductEventRow",
    "ProductMetadata",
    "PurchaseLineRow",
    "best_selling_products",
    "category_names",
    "category_paths",
    "category_slugs",
    "interaction_count_since",
    "interaction_rows",
    "product_category_ancestors",
    "product_event_rows",
    "product_metadata",
    "product_names",
    "purchase_baskets",
    "purchase_line_rows",
    "review_pairs",
    "shopper_ids",
    "unavailable_product_ids",
    "users_by_ids",
    "wishlist_pairs",
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


# --- rows the recommender's scoring, trending and attribution read ----------------------------------------


@dataclass(frozen=True)
class ProductEventRow:
    id: int
    user_id: int | None
    product_id: int
    kind: str
    created_at: datetime


def product_event_rows(
    *,
    kinds: Iterable[str],
    since: datetime | None = None,
    user_ids: Iterable[int] | None = None,
    product_ids: Iterable[int] | None = None,
    newest_first: bool = False,
) -> list[ProductEventRow]:
    """Product events of the given kinds (anonymous ones too unless `user_ids` is given)."""
    events = ProductEvent.objects.filter(kind__in=list(kinds))
    if since is not None:
        events = events.filter(created_at__gte=since)
    if user_ids is not None:
        events = events.filter(user_id__in=list(user_ids))
    if product_ids is not None:
        events = events.filter(product_id__in=list(product_ids))
    if newest_first:
        events = events.order_by("-created_at")
    return [
        ProductEventRow(*values)
        for values in events.values_list("id", "user_id", "product_id", "kind", "created_at")
    ]


@dataclass(frozen=True)
class PurchaseLineRow:
    id: int
    order_id: int
    user_id: int | None
    product_id: int
    quantity: int
    created_at: datetime


def purchase_line_rows(
    *,
    since: datetime | None = None,
    user_ids: Iterable[int] | None = None,
    product_ids: Iterable[int] | None = None,
) -> list[PurchaseLineRow]:
    """Lines of non-cancelled orders that still name a product; `created_at` is the order's."""
    lines = OrderLine.objects.filter(product__isnull=False).exclude(
        order__status=Order.Status.CANCELLED
    )
    if since is not None:
        lines = lines.filter(order__created_at__gte=since)
    if user_ids is not None:
        lines = lines.filter(order__user_id__in=list(user_ids))
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    return [
        PurchaseLineRow(*values)
        for values in lines.values_list(
            "id", "order_id", "order__user_id", "product_id", "quantity", "order__created_at"
        )
    ]


def wishlist_pairs(
    *, user_ids: Iterable[int], product_ids: Iterable[int] | None = None
) -> list[tuple[int, int]]:
    """(user_id, product_id) of the given shoppers' wishlist items."""
    items = WishlistItem.objects.filter(user_id__in=list(user_ids))
    if product_ids is not None:
        items = items.filter(product_id__in=list(product_ids))
    return list(items.values_list("user_id", "product_id"))


def review_pairs(
    *, user_ids: Iterable[int], min_rating: int, product_ids: Iterable[int] | None = None
) -> list[tuple[int, int]]:
    """(user_id, product_id) of the given shoppers' visible reviews rated at least `min_rating`."""
    reviews = Review.objects.filter(
        user_id__in=list(user_ids), rating__gte=min_rating, is_hidden=False
    )
    if product_ids is not None:
        reviews = reviews.filter(product_id__in=list(product_ids))
    return list(reviews.values_list("user_id", "product_id"))


def interaction_count_since(*, since: datetime) -> int:
    """Shop signals recorded after `since`: shoppers' product events, order lines, reviews, wishlist adds."""
    return (
        ProductEvent.objects.filter(created_at__gt=since, user__isnull=False).count()
        + OrderLine.objects.filter(order__created_at__gt=since).count()
        + Review.objects.filter(created_at__gt=since).count()
        + WishlistItem.objects.filter(created_at__gt=since).count()
    )


def category_slugs(*, category_ids: Iterable[int]) -> dict[int, str]:
    ids = list(category_ids)
    return dict(Category.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}


def category_names(*, category_ids: Iterable[int]) -> dict[int, str]:
    ids = list(category_ids)
    return dict(Category.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def product_names(*, product_ids: Iterable[int]) -> dict[int, str]:
    ids = list(product_ids)
    return dict(Product.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


def product_category_ancestors(*, product_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each product's category and its ancestors (ids, the product's own category first)."""
    parents = dict(Category.objects.values_list("pk", "parent_id"))
    paths: dict[int, list[int]] = {}
    for product_id, category_id in Product.objects.filter(pk__in=list(product_ids)).values_list(
        "pk", "category_id"
    ):
        path: list[int] = []
        current: int | None = category_id
        guard = 0
        while current is not None and guard < 20:
            path.append(current)
            current, guard = parents.get(current), guard + 1
        paths[product_id] = path
    return paths


def best_selling_products(*, limit: int) -> list[tuple[int, int]]:
    """(product_id, sold_count) of the best-selling active, in-stock products."""
    return list(
        Product.objects.filter(is_active=True, stock__gt=0)
        .order_by("-sold_count", "-rating_count", "-id")
        .values_list("pk", "sold_count")[:limit]
    )


def shopper_ids() -> list[int]:
    """Active accounts that are not staff (staff accounts are not shoppers), by id."""
    return list(
        User.objects.filter(is_active=True, is_staff=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def users_by_ids(*, user_ids: Iterable[int], active_only: bool = True) -> list[User]:
    """The accounts with these ids (only active ones unless told), by id."""
    users = User.objects.filter(pk__in=list(user_ids))
    if active_only:
        users = users.filter(is_active=True)
    return list(users.order_by("pk"))
