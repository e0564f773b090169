"""Stock moves. The decrement is one conditional UPDATE, so concurrent buyers can never oversell: the row
changes only while enough stock is left, and the `product_stock_non_negative` constraint backs it up.
(`select_for_update` would do nothing on SQLite; this works the same on both databases.)
"""

from __future__ import annotations

from django.db.models import F

from shop.models import Product

__all__ = ["stock_decrement", "stock_restore"]


def stock_decrement(*, product_id: int, quantity: int) -> bool:
    """Take `quantity` units; False (and nothing changed) when fewer are left or the product is inactive."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    updated = Product.objects.filter(id=product_id, is_active=True, stock__gte=quantity).update(
        stock=F("stock") - quantity
    )
    return updated == 1


def stock_restore(*, product_id: int, quantity: int) -> None:
    """Give units back (a cancelled order, a failed group buy). Callers decide about back-in-stock alerts."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    Product.objects.filter(id=product_id).update(stock=F("stock") + quantity)
