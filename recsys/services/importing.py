"""Loading an interchange-format dataset into the shop and social tables (`manage.py import_dataset`).

Every row is validated first (`recsys.core.interchange`); any bad row rejects the whole dataset with file and
line numbers, and nothing is written. With `skip_invalid`, the good rows are loaded and the bad ones are
reported in `ImportSummary.skipped` (file, line, reason); the dataset is rejected only when no row is good. Then one transaction creates, in bulk: shoppers, categories (with their
ancestors), tags, products, the interactions as the matching records (view/cart/like -> ProductEvent, wishlist ->
WishlistItem, purchase -> a delivered Order with one OrderLine, no stock checks; rating -> Review) and follows.
External ids are kept in `ExternalId`, so a second run finds everything and changes nothing. Rows without a
timestamp get the newest timestamp in the file (or 2020-01-01 UTC), so re-runs see the same rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils.text import slugify

from common.bulk import values_copy
from recsys.core.interchange import CATEGORY_SEPARATOR, InterchangeData, RowError, read_interchange
from recsys.models import ExternalId
from shop.models import (
    Category,
    Order,
    OrderLine,
    Product,
    ProductEvent,
    Review,
    Tag,
    WishlistItem,
)
from social.models import Follow

__all__ = ["DatasetRejected", "ImportSummary", "dataset_import"]

BATCH = 2000
IMPORTED_STOCK = 1000
_DEFAULT_TIME = datetime(2020, 1, 1, tzinfo=UTC)
# An imported purchase: a delivered order to "Imported", no shipping, paid by "import", at the row's time.
_ORDER_COLUMNS = (
    "user_id",
    "number",
    "status",
    "idempotency_key",
    "ship_name",
    "ship_line1",
    "ship_city",
    "ship_postal_code",
    "ship_country",
    "shipping_method",
    "shipping_cost",
    "subtotal",
    "total",
    "payment_provider",
    "created_at",
)


class DatasetRejected(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__(f"{len(errors)} bad row(s); first: {errors[0]}")


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    skipped: list[RowError] = field(default_factory=list)

    def add(self, name: str, count: int) -> None:
        self.created[name] = self.created.get(name, 0) + count


def _create(model, columns: list[str], rows: list[tuple], *, key: str) -> list[int]:
    """Insert rows whose primary keys are needed back (shoppers, products, orders); returns them in the
    order of `rows`, read back by the unique column `key` (one of `columns`) in one query (the whole import
    is one transaction, so no other writer can have taken those values)."""
    if not rows:
        return []
    values_copy(model, columns, rows)
    position = columns.index(key)
    wanted = [row[position] for row in rows]
    keys: dict[Any, int] = {}
    if connection.vendor == "postgresql":
        field_ = model._meta.get_field(key)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {connection.ops.quote_name(field_.column)}, "
                f"{connection.ops.quote_name(model._meta.pk.column)} FROM {table} "
                f"WHERE {connection.ops.quote_name(field_.column)} = ANY(%s)",
                [wanted],
            )
            keys.update(cursor.fetchall())
    else:
        for start in range(0, len(wanted), 500):
            keys.update(
                model._default_manager.filter(
                    **{f"{key}__in": wanted[start : start + 500]}
                ).values_list(key, "pk")
            )
    return [keys[value] for value in wanted]


def _unique_slug(base: str, taken: set[str], max_length: int) -> str:
    base = (slugify(base) or "x")[: max_length - 9]
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _mapping(prefix: str, kind: str) -> dict[str, int]:
    return dict(
        ExternalId.objects.filter(source=prefix, kind=kind).values_list("external_id", "object_id")
    )


def dataset_import(
    directory: str | Path,
    *,
    prefix: str,
    log: Callable[[str], None] = lambda _m: None,
    skip_invalid: bool = False,
) -> ImportSummary:
    """Validate and load a dataset folder; raises DatasetRejected (nothing written) on any bad row, or with
    `skip_invalid` only when no row at all is good (the bad ones are then listed in the summary)."""
    if not prefix or len(prefix) > 20 or slugify(prefix) != prefix:
        raise ValueError("prefix must be 1-20 characters of lower-case letters, digits and hyphens")
    data = read_interchange(directory)
    good_rows = len(data.users) + len(data.items) + len(data.interactions) + len(data.follows)
    if data.errors and (not skip_invalid or good_rows == 0):
        raise DatasetRejected(data.errors)
    log(
        f"validated {len(data.users):,} users, {len(data.items):,} items, "
        f"{len(data.interactions):,} interactions, {len(data.follows):,} follows"
    )
    summary = ImportSummary(skipped=list(data.errors))
    if data.errors:
        log(f"skipping {len(data.errors):,} bad row(s)")
    with transaction.atomic():
        users = _import_users(data, prefix, summary, log)
        products = _import_items(data, prefix, summary, log)
        _import_interactions(data, prefix, users, products, summary, log)
        _import_follows(data, users, summary, log)
    return summary


def _import_users(
    data: InterchangeData, prefix: str, summary: ImportSummary, log
) -> dict[str, int]:
    known = _mapping(prefix, ExternalId.Kind.USER)
    user_model = get_user_model()
    # A shopper who deleted their account since the last import stays deleted: their rows are skipped.
    existing = set(
        user_model.objects.filter(pk__in=list(known.values())).values_list("pk", flat=True)
    )
    deleted = {external for external, pk in known.items() if pk not in existing}
    if deleted:
        log(f"users: {len(deleted):,} imported accounts were deleted since; their rows are skipped")
    new_rows = [u for u in data.users if u.user_id not in known]
    usernames = {f"{prefix}-{slugify(u.user_id) or 'user'}"[:140]: u for u in new_rows}
    taken = set(
        user_model.objects.filter(username__in=list(usernames)).values_list("username", flat=True)
    )
    accounts = []
    for row in new_rows:
        username = f"{prefix}-{slugify(row.user_id) or 'user'}"[:140]
        if username in taken:
            username = f"{username[:130]}-{hashlib.sha1(row.user_id.encode()).hexdigest()[:8]}"
        taken.add(username)
        # make_password(None) is what set_unusable_password stores: "!" and a random suffix per account.
        accounts.append((username, make_password(None), True))
    pks = _create(user_model, ["username", "password", "is_active"], accounts, key="username")
    values_copy(
        ExternalId,
        ["source", "kind", "external_id", "object_id", "attributes"],
        [
            (prefix, ExternalId.Kind.USER.value, row.user_id, pk, row.attributes)
            for row, pk in zip(new_rows, pks, strict=True)
        ],
    )
    summary.add("users", len(pks))
    for external in deleted:
        known.pop(external)
    log(f"users: {len(pks):,} created, {len(known):,} already imported")
    known.update({row.user_id: pk for row, pk in zip(new_rows, pks, strict=True)})
    return known


def _import_items(
    data: InterchangeData, prefix: str, summary: ImportSummary, log
) -> dict[str, int]:
    categories = _mapping(prefix, ExternalId.Kind.CATEGORY)
    taken_slugs = set(Category.objects.values_list("slug", flat=True))
    # Slugs are given in file order (each row's path from the top), then each level goes in with one COPY
    # and its keys are read back for the next level's parents (one create per category cost seconds).
    levels: dict[int, dict[str, tuple[str, str, str | None]]] = {}
    for row in data.items:
        for depth in range(1, len(row.category_path) + 1):
            key = CATEGORY_SEPARATOR.join(row.category_path[:depth])
            if key in categories or key in levels.get(depth, {}):
                continue
            levels.setdefault(depth, {})[key] = (
                row.category_path[depth - 1][:120],
                _unique_slug(f"{prefix}-{key.replace(CATEGORY_SEPARATOR, '-')}", taken_slugs, 140),
                CATEGORY_SEPARATOR.join(row.category_path[: depth - 1]) if depth > 1 else None,
            )
    new_categories = 0
    for depth in sorted(levels):
        level = levels[depth]
        pks = _create(
            Category,
            ["name", "slug", "parent_id"],
            [
                (name, slug, None if parent is None else categories[parent])
                for name, slug, parent in level.values()
            ],
            key="slug",
        )
        values_copy(
            ExternalId,
            ["source", "kind", "external_id", "object_id"],
            [
                (prefix, ExternalId.Kind.CATEGORY.value, key, pk)
                for key, pk in zip(level, pks, strict=True)
            ],
        )
        categories.update(zip(level, pks, strict=True))
        new_categories += len(level)
    summary.add("categories", new_categories)

    tag_ids = dict(Tag.objects.values_list("name", "id"))
    tag_slugs = set(Tag.objects.values_list("slug", flat=True))
    new_tags = []
    for name in sorted({t for row in data.items for t in row.tags} - set(tag_ids)):
        new_tags.append(Tag(name=name, slug=_unique_slug(name, tag_slugs, 80)))
    Tag.objects.bulk_create(new_tags, batch_size=BATCH)
    tag_ids.update({t.name: t.pk for t in new_tags})
    summary.add("tags", len(new_tags))

    known = _mapping(prefix, ExternalId.Kind.ITEM)
    product_slugs = set(Product.objects.values_list("slug", flat=True))
    new_items = [row for row in data.items if row.item_id not in known]
    pks = _create(
        Product,
        ["category_id", "name", "slug", "description", "price", "stock"],
        [
            (
                categories[CATEGORY_SEPARATOR.join(row.category_path)],
                row.title,
                _unique_slug(f"{prefix}-{row.item_id}-{row.title}", product_slugs, 220),
                row.description,
                row.price if row.price is not None else Decimal("0.00"),
                IMPORTED_STOCK,
            )
            for row in new_items
        ],
        key="slug",
    )
    created = list(zip(new_items, pks, strict=True))
    values_copy(
        Product.tags.through,
        ["product_id", "tag_id"],
        [(pk, tag_ids[tag]) for row, pk in created for tag in dict.fromkeys(row.tags)],
    )
    values_copy(
        ExternalId,
        ["source", "kind", "external_id", "object_id"],
        [(prefix, ExternalId.Kind.ITEM.value, row.item_id, pk) for row, pk in created],
    )
    summary.add("products", len(created))
    log(
        f"items: {len(created):,} products, {new_categories:,} categories, {len(new_tags):,} tags created"
    )
    known.update({row.item_id: pk for row, pk in created})
    return known


def _when(timestamp: float | None, default: datetime) -> datetime:
    return default if timestamp is None else datetime.fromtimestamp(timestamp, tz=UTC)


def _import_interactions(data, prefix, users, products, summary, log) -> None:
    stamps = [r.timestamp for r in data.interactions if r.timestamp is not None]
    default_time = datetime.fromtimestamp(max(stamps), tz=UTC) if stamps else _DEFAULT_TIME
    user_pks = list(set(users.values()))

    # view / cart / like -> ProductEvent (an event already stored with the same user, product, kind, time is kept)
    existing_events: set[tuple[int, int, str, float]] = set()
    for start in range(0, len(user_pks), 500):
        existing_events.update(
            (u, p, k, t.timestamp())
            for u, p, k, t in ProductEvent.objects.filter(
                user_id__in=user_pks[start : start + 500]
            ).values_list("user_id", "product_id", "kind", "created_at")
        )
    events: list[tuple[int, int, str, datetime]] = []
    wishlist: dict[tuple[int, int], datetime] = {}
    purchases: list[tuple[Any, int, int, datetime, int]] = []
    ratings: dict[tuple[int, int], tuple[float | None, datetime]] = {}
    for index, row in enumerate(data.interactions):
        if row.user_id not in users:
            continue
        user_id, product_id = users[row.user_id], products[row.item_id]
        when = _when(row.timestamp, default_time)
        if row.kind in ("view", "cart", "like"):
            event_key = (user_id, product_id, row.kind, when.timestamp())
            if event_key not in existing_events:
                events.append((user_id, product_id, row.kind, when))
        elif row.kind == "wishlist":
            wishlist[(user_id, product_id)] = when
        elif row.kind == "purchase":
            purchases.append((row, user_id, product_id, when, index))
        elif row.kind == "rating":
            # One review per shopper and product: the latest rating wins.
            previous = ratings.get((user_id, product_id))
            if previous is None or when >= previous[1]:
                ratings[(user_id, product_id)] = (row.value, when)
    values_copy(ProductEvent, ["user_id", "product_id", "kind", "created_at"], events)
    summary.add("product_events", len(events))
    log(f"interactions: {len(events):,} product events")

    existing_wishlist = set(
        WishlistItem.objects.filter(user_id__in=user_pks).values_list("user_id", "product_id")
    )
    new_wishlist = [
        (u, p, when) for (u, p), when in wishlist.items() if (u, p) not in existing_wishlist
    ]
    values_copy(WishlistItem, ["user_id", "product_id", "created_at"], new_wishlist)
    summary.add("wishlist_items", len(new_wishlist))
    log(f"interactions: {len(new_wishlist):,} wishlist items")

    keys: dict[str, tuple[int, int, datetime, str]] = {}
    # The key names the row's position in the file, so re-running the same file finds the same orders.
    for row, user_id, product_id, when, n in purchases:
        digest = hashlib.sha1(
            f"{prefix}|{row.user_id}|{row.item_id}|{row.timestamp}|{n}".encode()
        ).hexdigest()
        keys[f"import:{prefix}:{digest[:40]}"] = (user_id, product_id, when, digest)
    # Only purchased products need their price (a query over every product of a large shop cost seconds).
    prices = dict(
        Product.objects.filter(
            pk__in=list({product_id for _, _, product_id, _, _ in purchases})
        ).values_list("pk", "price")
    )
    existing_orders = set(
        Order.objects.filter(idempotency_key__in=list(keys)).values_list(
            "idempotency_key", flat=True
        )
    )
    new_orders = [(key, value) for key, value in keys.items() if key not in existing_orders]
    order_pks = _create(
        Order,
        list(_ORDER_COLUMNS),
        [
            (
                user_id,
                f"IMP{digest[:16].upper()}",
                Order.Status.DELIVERED.value,
                key,
                "Imported",
                "",
                "",
                "",
                "",
                "import",
                Decimal("0.00"),
                prices[product_id],
                prices[product_id],
                "import",
                when,
            )
            for key, (user_id, product_id, when, digest) in new_orders
        ],
        key="idempotency_key",
    )
    product_names = dict(
        Product.objects.filter(
            pk__in={o_product for _, o_product, _, _ in keys.values()}
        ).values_list("pk", "name")
    )
    values_copy(
        OrderLine,
        ["order_id", "product_id", "product_name", "unit_price", "quantity", "line_total"],
        [
            (
                order_pk,
                product_id,
                product_names[product_id][:200],
                prices[product_id],
                1,
                prices[product_id],
            )
            for order_pk, (_key, (_user_id, product_id, _when, _digest)) in zip(
                order_pks, new_orders, strict=True
            )
        ],
    )
    summary.add("orders", len(order_pks))
    log(f"interactions: {len(order_pks):,} orders")

    existing_reviews = set(
        Review.objects.filter(user_id__in=user_pks).values_list("user_id", "product_id")
    )
    new_reviews = [
        (
            u,
            p,
            int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)),
            when,
        )
        for (u, p), (value, when) in ratings.items()
        if (u, p) not in existing_reviews
    ]
    values_copy(Review, ["user_id", "product_id", "rating", "created_at"], new_reviews)
    summary.add("reviews", len(new_reviews))
    log(f"interactions: {len(new_reviews):,} reviews")


def _import_follows(data, users, summary, log) -> None:
    pairs = {(users[a], users[b]) for a, b in data.follows if a in users and b in users}
    existing = set(
        Follow.objects.filter(follower_id__in=list({a for a, _ in pairs})).values_list(
            "follower_id", "followee_id"
        )
    )
    new = [(a, b, Follow.Status.ACTIVE.value) for a, b in sorted(pairs - existing)]
    values_copy(Follow, ["follower_id", "followee_id", "status"], new)
    summary.add("follows", len(new))
    log(f"follows: {len(new):,} created")
