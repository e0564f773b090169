"""Invoice figures: the order's totals as printed, with the VAT the prices include (SHOP_VAT_RATE), rounded once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from shop.models import Order, OrderLine
from shop.selectors.pricing import CENT

__all__ = ["InvoiceFigures", "invoice_for"]


@dataclass(frozen=True)
class InvoiceFigures:
    number: str
    goods: Decimal
    discount: Decimal
    shipping: Decimal
    total: Decimal
    vat_rate: Decimal
    vat: Decimal
    net: Decimal
    refunded: Decimal


def invoice_for(*, order: Order, lines: list[OrderLine]) -> InvoiceFigures:
    rate = Decimal(str(settings.SHOP_VAT_RATE))
    net = (order.total * 100 / (100 + rate)).quantize(CENT, rounding=ROUND_HALF_UP)
    refunded = sum((refund.amount for refund in order.refunds.all()), Decimal("0.00"))
    return InvoiceFigures(
        number=f"INV-{order.number}",
        goods=sum((line.line_total for line in lines), Decimal("0.00")),
        discount=order.discount,
        shipping=order.shipping_cost,
        total=order.total,
        vat_rate=rate,
        vat=order.total - net,
        net=net,
        refunded=refunded,
    )
