"""Who bought what: the verified-purchase badge on reviews and posts, and 'friends bought' reasons."""

from __future__ import annotations

from collections.abc import Iterable

from shop.models import Order, OrderLine

__all__ = ["purchased_product_ids", "recent_buyer_ids", "user_has_purchased"]

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


def recent_buyer_ids(
    *, product_id: int, exclude_user_id: int | None = None, limit: int
) -> list[int]:
    """Active accounts that bought the product (non-cancelled), most recent order first, at most `limit`."""
    rows = OrderLine.objects.filter(
        product_id=product_id,
        order__status__in=_COUNTED_STATUSES,
        order__user__isnull=False,
        order__user__is_active=True,
    )
    if exclude_user_id is not None:
        rows = rows.exclude(order__user_id=exclude_user_id)
    user_ids = rows.order_by("-order__created_at").values_list("order__user_id", flat=True)
    seen: list[int] = []
    for user_id in user_ids.iterator():
        if user_id not in seen:
            seen.append(user_id)
            if len(seen) >= limit:
                break
    return seen
