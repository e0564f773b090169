"""Return reads: which lines of an order can still be sent back, until when, and the order's returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Prefetch, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from shop.models import Order, OrderLine, OrderStatusEvent, ReturnLine, ReturnRequest, User
from shop.selectors.pricing import CENT

__all__ = [
    "ReturnableLine",
    "order_delivered_at",
    "order_returns_context",
    "return_access",
    "return_deadline",
    "return_line_amount",
    "return_list_for_order",
    "returnable_lines",
]


@dataclass(frozen=True)
class ReturnableLine:
    line: OrderLine
    # Units not yet asked back in a return that was not refused.
    returnable: int


def order_delivered_at(*, order: Order) -> datetime | None:
    if order.status != Order.Status.DELIVERED:
        return None
    event = (
        OrderStatusEvent.objects.filter(order_id=order.id, status=Order.Status.DELIVERED)
        .order_by("created_at", "id")
        .first()
    )
    return event.created_at if event else order.updated_at


def return_deadline(*, order: Order) -> datetime | None:
    """The last moment a return can be asked for; None when the order was not delivered."""
    delivered = order_delivered_at(order=order)
    if delivered is None:
        return None
    return delivered + timedelta(days=settings.SHOP_RETURN_WINDOW_DAYS)


def returnable_lines(*, order: Order) -> list[ReturnableLine]:
    """Every line of the order with the units still returnable (bought minus asked back, refusals aside)."""
    asked = dict(
        ReturnLine.objects.filter(return_request__order_id=order.id)
        .exclude(return_request__status=ReturnRequest.Status.REFUSED)
        .values("order_line_id")
        .annotate(units=Sum("quantity"))
        .values_list("order_line_id", "units")
    )
    return [
        ReturnableLine(line=line, returnable=max(line.quantity - (asked.get(line.id) or 0), 0))
        for line in OrderLine.objects.filter(order_id=order.id).order_by("id")
    ]


def return_line_amount(*, line: OrderLine, quantity: int) -> Decimal:
    """What the shopper paid for `quantity` units of `line`: its share of the line after the voucher discount,
    rounded once."""
    paid = line.line_total - line.discount
    return (paid * quantity / line.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def return_list_for_order(*, order: Order) -> QuerySet[ReturnRequest]:
    return (
        ReturnRequest.objects.filter(order_id=order.id)
        .select_related("refund")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
        )
        .order_by("created_at", "id")
    )


def return_access(*, user: User, return_id: object) -> ReturnRequest:
    """The return if it belongs to one of `user`'s orders; Http404 otherwise."""
    try:
        number = int(return_id)  # type: ignore[call-overload]  # any input; bad ones are a 404
    except (TypeError, ValueError):
        raise Http404("No such return.") from None
    if user is None or not user.is_authenticated or not 0 < number < 2**62:
        raise Http404("No such return.")
    found = (
        ReturnRequest.objects.filter(id=number, order__user_id=user.id)
        .select_related("order")
        .first()
    )
    if found is None:
        raise Http404("No such return.")
    return found


def order_returns_context(*, order: Order) -> dict[str, object]:
    """What the order page shows about returns: the order's returns and whether it can ask for one now."""
    deadline = return_deadline(order=order)
    can_return = (
        deadline is not None
        and timezone.now() <= deadline
        and any(entry.returnable for entry in returnable_lines(order=order))
    )
    return {"returns": list(return_list_for_order(order=order)), "can_return": can_return}
