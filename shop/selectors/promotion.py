"""Promotion reads for staff: the usage figures of a sale.

An order line does not name the sale that priced it; it keeps its list price and the price paid. Sales never
stack (the biggest cut wins, `shop.selectors.pricing`), so a line was priced by a sale when its order was placed
inside the sale's window, its product is in the sale's scope (the product, its category or a parent category) and
the price paid is the list price cut by the sale's percentage, to the cent. Two sales with the same percentage on
the same product at the same time are counted for both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from shop.models import OrderLine, Promotion
from shop.selectors.categories import category_subtree_ids
from shop.selectors.pricing import sale_price

__all__ = ["PromotionUsage", "promotion_usage"]


@dataclass(frozen=True)
class PromotionUsage:
    """Order lines sold at the sale price, the money the sale took off them, and the orders they are in."""

    times_used: int = 0
    discount_given: Decimal = Decimal("0.00")
    orders: int = 0


def promotion_usage(*, promotions: Sequence[Promotion]) -> dict[int, PromotionUsage]:
    """Usage figures per promotion (a page of them: one query per promotion, plus its scope's ids)."""
    usage: dict[int, PromotionUsage] = {}
    for promotion in promotions:
        product_ids = [product.pk for product in promotion.products.all()]
        category_ids: set[int] = set()
        for category in promotion.categories.all():
            category_ids.update(category_subtree_ids(category_id=category.pk))
        if not product_ids and not category_ids:
            usage[promotion.id] = PromotionUsage()
            continue
        lines = OrderLine.objects.filter(
            Q(product_id__in=product_ids) | Q(product__category_id__in=category_ids),
            order__created_at__gte=promotion.starts_at,
            order__created_at__lt=promotion.ends_at,
            list_price__isnull=False,
        ).values_list("order_id", "list_price", "unit_price", "quantity")
        times, given, orders = 0, Decimal("0.00"), set()
        for order_id, list_price, unit_price, quantity in lines:
            if list_price is None or unit_price != sale_price(
                list_price=list_price, percent_off=promotion.percent_off
            ):
                continue
            times += 1
            given += (list_price - unit_price) * quantity
            orders.add(order_id)
        usage[promotion.id] = PromotionUsage(
            times_used=times, discount_given=given, orders=len(orders)
        )
    return usage
