"""Demo vouchers, a running sale and a return: codes a visitor can try in the cart (listed by `seed_demo`), a
sale on one category so cards show struck-through prices, and a return request from the demo shopper waiting
for staff in admin. Deterministic: no random choices, times relative to `now`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from shop.models import Category, Order, Promotion, ReturnLine, ReturnRequest, User, Voucher
from shop.selectors.returns import return_line_amount

__all__ = ["DEMO_VOUCHERS", "seed_vouchers"]

# code, kind, value, min spend, total uses, days valid from now (negative: ended)
DEMO_VOUCHERS: list[tuple[str, str, str, str, int | None, int]] = [
    ("WELCOME10", Voucher.Kind.PERCENT, "10", "0", None, 90),
    ("SAVE5", Voucher.Kind.FIXED, "5", "40", 100, 30),
    ("SHIPFREE", Voucher.Kind.FREE_SHIPPING, "0", "25", None, 30),
    ("LASTWINTER", Voucher.Kind.PERCENT, "20", "0", None, -10),
]


def seed_vouchers(*, now: datetime, log: Callable[[str], None]) -> None:
    for code, kind, value, min_spend, max_uses, days in DEMO_VOUCHERS:
        Voucher.objects.create(
            code=code,
            kind=kind,
            value=Decimal(value),
            min_spend=Decimal(min_spend),
            max_uses=max_uses,
            starts_at=now - timedelta(days=60),
            ends_at=now + timedelta(days=days),
            description=f"Demo code {code}",
        )
    shopper = User.objects.filter(username="shopper").first()
    if shopper is not None:
        Voucher.objects.create(
            code="SHOPPER15",
            kind=Voucher.Kind.PERCENT,
            value=Decimal("15"),
            user=shopper,
            ends_at=now + timedelta(days=30),
            description="A personal code for the demo shopper",
        )
    sale_category = Category.objects.filter(parent__isnull=True).order_by("position").first()
    if sale_category is not None:
        promotion = Promotion.objects.create(
            name=f"{sale_category.name} week",
            percent_off=Decimal("20"),
            badge="",
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=14),
        )
        promotion.categories.set([sale_category])
    returned = _demo_return(shopper) if shopper is not None else None
    log(
        f"    {len(DEMO_VOUCHERS) + 1} vouchers (try WELCOME10, SAVE5, SHIPFREE), "
        f"a 20 % sale on {sale_category.name if sale_category else '-'}"
        + (f", return R{returned.id} waiting in admin" if returned else "")
    )


def _demo_return(shopper: User) -> ReturnRequest | None:
    order = (
        Order.objects.filter(user=shopper, status=Order.Status.DELIVERED)
        .order_by("-updated_at", "-created_at")
        .first()
    )
    line = order.lines.first() if order else None
    if order is None or line is None:
        return None
    request = ReturnRequest.objects.create(
        order=order, user=shopper, reason="The colour is not what the picture showed."
    )
    ReturnLine.objects.create(
        return_request=request,
        order_line=line,
        quantity=1,
        amount=return_line_amount(line=line, quantity=1),
    )
    return request
