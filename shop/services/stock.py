"""Stock moves, per variant. The decrement is one conditional UPDATE, so concurrent buyers can never oversell: the
variant row changes only while enough stock is left, and the `variant_stock_non_negative` constraint backs it up.
(`select_for_update` would do nothing on SQLite; this works the same on both databases.)

`Product.stock` is the sum over the product's active variants: every move here changes both rows, relatively,
in the caller's transaction, so the sum never drifts. A product that has no variant yet (created by an older
path such as a bulk import) gets its default variant, holding the product's stock, on first use.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Greatest

from shop.hooks import stock_changed
from shop.models import Product, ProductVariant

__all__ = [
    "DEFAULT_SKU",
    "product_stock_sync",
    "stock_decrement",
    "stock_restore",
    "variant_default",
    "variant_default_ensure",
]

DEFAULT_SKU = "P-{id}"


def variant_default_ensure(*, product_ids: list[int]) -> int:
    """Give every listed product that has no variant its default variant (SKU `P-<id>`, the product's stock).

    Returns how many were created. Idempotent: safe when two requests race (the SKU is unique).
    """
    have = set(
        ProductVariant.objects.filter(product_id__in=product_ids).values_list(
            "product_id", flat=True
        )
    )
    missing = [pid for pid in product_ids if pid not in have]
    if not missing:
        return 0
    rows = Product.objects.filter(id__in=missing).values_list("id", "stock")
    variants = [
        ProductVariant(product_id=pid, sku=DEFAULT_SKU.format(id=pid), stock=max(stock, 0))
        for pid, stock in rows
    ]
    try:
        with transaction.atomic():
            ProductVariant.objects.bulk_create(variants)
    except IntegrityError:  # a parallel request created them first
        return 0
    return len(variants)


def variant_default(*, product_id: int) -> ProductVariant | None:
    """The first active variant of a product (its only one for a product without choices)."""
    variant = (
        ProductVariant.objects.filter(product_id=product_id, is_active=True)
        .order_by("position", "id")
        .first()
    )
    if variant is None and variant_default_ensure(product_ids=[product_id]):
        variant = ProductVariant.objects.filter(product_id=product_id, is_active=True).first()
    return variant


def _variant_id(*, product_id: int, variant_id: int | None) -> int | None:
    if variant_id is not None:
        return variant_id
    variant = variant_default(product_id=product_id)
    return variant.id if variant is not None else None


def stock_decrement(*, product_id: int, quantity: int, variant_id: int | None = None) -> bool:
    """Take `quantity` units of the variant (default: the product's first active one); False (and nothing
    changed) when fewer are left or the variant is inactive."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    variant_id = _variant_id(product_id=product_id, variant_id=variant_id)
    if variant_id is None:
        return False
    # Only the variant's own columns in the WHERE: a join would become a subquery, which PostgreSQL does not
    # re-check against the row it waited for, and concurrent buyers could then oversell.
    updated = ProductVariant.objects.filter(
        id=variant_id, product_id=product_id, is_active=True, stock__gte=quantity
    ).update(stock=F("stock") - quantity)
    if updated != 1:
        return False
    Product.objects.filter(id=product_id).update(stock=Greatest(F("stock") - quantity, 0))
    stock_changed.fire([product_id])
    return True


def stock_restore(*, product_id: int, quantity: int, variant_id: int | None = None) -> None:
    """Give units back (a cancelled order, a failed group buy, a restock). Callers decide about back-in-stock
    alerts."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    variant_id = _variant_id(product_id=product_id, variant_id=variant_id)
    if variant_id is None:
        return
    updated = ProductVariant.objects.filter(id=variant_id, product_id=product_id).update(
        stock=F("stock") + quantity
    )
    if updated:
        Product.objects.filter(id=product_id).update(stock=F("stock") + quantity)
        stock_changed.fire([product_id])


def product_stock_sync(*, product_ids: list[int]) -> None:
    """Set each product's stock to the sum over its active variants (after an admin edit or an import)."""
    totals = dict(
        ProductVariant.objects.filter(product_id__in=product_ids, is_active=True)
        .values("product_id")
        .annotate(total=Sum("stock"))
        .values_list("product_id", "total")
    )
    for product_id in product_ids:
        Product.objects.filter(id=product_id).update(stock=totals.get(product_id) or 0)
    stock_changed.fire(list(product_ids))
