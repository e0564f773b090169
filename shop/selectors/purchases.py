"""Who bought what: the verified-purchase badge on reviews and posts, and 'friends bought' reasons."""

from __future__ import annotations

from collections.abc import Iterable

from shop.models import Order, OrderLine

__all__ = ["user_has_purchased", "purchased_product_ids"]

_COUNTED_STATUSES = [
    Order.Status.PLACED,
    Order.Status.PAID,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
]


def purchased_product_ids(*, user_id: int, product_ids: Iterable[int] | None = None) -> set[int]:
    """Products the user has a non-cancelled order line for (optionally restricted to `product_ids`)."""
    lines = OrderLine.objects.filter(
        order__user_id=user_id, order__status__in=_COUNTED_STATUSES, product_id__isnull=False
    )
    if product_ids is not None:
        lines = lines.filter(product_id__in=list(product_ids))
    return set(lines.values_list("product_id", flat=True).distinct())


def user_has_purchased(*, user_id: int, product_id: int) -> bool:
    return bool(purchased_product_ids(user_id=user_id, product_ids=[product_id]))
