"""Returns and refunds: a shopper asks to send delivered lines back, staff approve or refuse, an approved return
is refunded through the order's payment provider and may go back into stock.

Rules: only the shopper's own delivered order, within `SHOP_RETURN_WINDOW_DAYS` of delivery, a reason, and per
line at most the units bought minus those already asked back (refused returns aside); the order row is locked
while a return is stored, so two parallel requests cannot both take the last unit. Approving is a conditional
update (requested -> approved), so two staff members cannot both decide. `refund_issue` is idempotent: one
`Refund` row per return (unique), and the provider gets the return's own idempotency key, so a retry after a
crash refunds once. Every step is an entry on the order's timeline; approval and refund each send a mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.db.models.functions import Greatest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ServiceError
from shop.models import (
    Order,
    OrderStatusEvent,
    Product,
    Refund,
    ReturnLine,
    ReturnRequest,
    User,
)
from shop.selectors.pricing import CENT
from shop.selectors.returns import return_deadline, return_line_amount, returnable_lines
from shop.services.catalog import stock_alerts_notify
from shop.services.email import EmailKind, absolute_url, email_kind_register, email_queue
from shop.services.payments import payment_refund
from shop.services.stock import stock_restore

__all__ = [
    "REFUND_ISSUED",
    "RETURN_APPROVED",
    "refund_issue",
    "return_approve",
    "return_refuse",
    "return_request_create",
]

MAX_REASON = 1000


def _timeline(order: Order, note: str, actor: User | None) -> None:
    OrderStatusEvent.objects.create(
        order=order, status=order.status, note=note[:300], actor=actor if actor else None
    )


def _parse_lines(lines: Iterable[Mapping[str, Any]] | Mapping[Any, Any]) -> dict[int, int]:
    """{order line id: units}; accepts [{"line_id": 1, "quantity": 2}, ...] or {line id: units}."""
    pairs = (
        lines.items()
        if isinstance(lines, Mapping)
        else ((item.get("line_id"), item.get("quantity")) for item in lines)
    )
    wanted: dict[int, int] = {}
    raw_id: Any
    raw_quantity: Any
    for raw_id, raw_quantity in pairs:
        try:
            line_id, quantity = int(raw_id), int(raw_quantity)
        except (TypeError, ValueError):
            raise ServiceError(
                _("Choose the items and how many of each to return."), field="lines"
            ) from None
        if isinstance(raw_quantity, bool) or quantity < 0 or not 0 < line_id < 2**62:
            raise ServiceError(_("Choose the items and how many of each to return."), field="lines")
        if quantity:
            wanted[line_id] = wanted.get(line_id, 0) + quantity
    if not wanted:
        raise ServiceError(_("Choose at least one item to return."), field="lines")
    return wanted


@transaction.atomic
def return_request_create(
    *, user: User, order: Order, lines: Iterable[Mapping[str, Any]] | Mapping[Any, Any], reason: str
) -> ReturnRequest:
    """Ask to return units of a delivered order (see the module docstring for the rules)."""
    if order.user_id != user.id:
        raise Http404("No such order.")
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Tell us why you are returning these items."), field="reason")
    if len(reason) > MAX_REASON:
        raise ServiceError(
            _("Keep the reason under %(limit)d characters.") % {"limit": MAX_REASON},
            field="reason",
        )
    wanted = _parse_lines(lines)
    # Lock the order: parallel requests for the same order take turns, so the counts below stay true.
    order = Order.objects.select_for_update().get(id=order.id)
    if order.status != Order.Status.DELIVERED:
        raise ServiceError(
            _("Only delivered orders can be returned; this one is %(status)s.")
            % {"status": Order.Status(order.status).label},
            code="not_delivered",
            status=409,
        )
    deadline = return_deadline(order=order)
    if deadline is None or timezone.now() > deadline:
        raise ServiceError(
            _("The return window of %(days)d days after delivery has closed.")
            % {"days": settings.SHOP_RETURN_WINDOW_DAYS},
            code="return_window_closed",
            status=409,
        )
    available = {entry.line.id: entry for entry in returnable_lines(order=order)}
    for line_id, quantity in wanted.items():
        entry = available.get(line_id)
        if entry is None:
            raise ServiceError(_("That item is not part of this order."), field="lines")
        if quantity > entry.returnable:
            if entry.returnable == 0:
                message = _("%(name)s is already being returned.") % {
                    "name": entry.line.product_name
                }
            else:
                message = _("You can return at most %(count)d of %(name)s.") % {
                    "count": entry.returnable,
                    "name": entry.line.product_name,
                }
            raise ServiceError(message, field="lines", code="too_many", status=409)
    request = ReturnRequest.objects.create(order=order, user=user, reason=reason)
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(
                return_request=request,
                order_line=available[line_id].line,
                quantity=quantity,
                amount=return_line_amount(line=available[line_id].line, quantity=quantity),
            )
            for line_id, quantity in sorted(wanted.items())
        ]
    )
    _timeline(
        order,
        _("Return R%(id)d requested: %(reason)s") % {"id": request.id, "reason": reason},
        user,
    )
    return request


def _staff(actor: User | Any) -> User:
    if not isinstance(actor, User) or not actor.is_staff:
        raise PermissionDenied("Only staff decide about returns.")
    return actor


def _lines_value(request: ReturnRequest) -> Decimal:
    total = request.lines.aggregate(total=Sum("amount"))["total"]
    return (total or Decimal("0.00")).quantize(CENT)


def _decide(request: ReturnRequest, status: str, **fields: Any) -> ReturnRequest:
    updated = ReturnRequest.objects.filter(
        id=request.id, status=ReturnRequest.Status.REQUESTED
    ).update(status=status, decided_at=timezone.now(), updated_at=timezone.now(), **fields)
    if not updated:
        current = ReturnRequest.objects.get(id=request.id)
        raise ServiceError(
            _("This return was already %(status)s.")
            % {"status": ReturnRequest.Status(current.status).label},
            code="conflict",
        )
    request.refresh_from_db()
    return request


def return_approve(
    *,
    return_request: ReturnRequest,
    actor: User | Any,
    note: str = "",
    refund_amount: Any = None,
    restock: bool = True,
) -> ReturnRequest:
    """Approve (staff) and refund: the lines' value, or `refund_amount` (a partial refund, more than 0 and at
    most the lines' value); puts the units back in stock when `restock`."""
    staff = _staff(actor)
    value = _lines_value(return_request)
    if refund_amount in (None, ""):
        amount = value
    else:
        try:
            amount = Decimal(str(refund_amount)).quantize(CENT)
        except (InvalidOperation, ValueError):
            raise ServiceError(_("Enter an amount such as 12.50."), field="refund_amount") from None
        if not Decimal("0.00") < amount <= value:
            raise ServiceError(
                _("The refund must be more than 0 and at most %(value)s.") % {"value": value},
                field="refund_amount",
            )
    with transaction.atomic():
        request = _decide(
            return_request,
            ReturnRequest.Status.APPROVED,
            staff_note=(note or "")[:300],
            decided_by=staff,
            refund_amount=amount,
            restock=restock,
        )
        order = request.order
        if restock:
            product_ids = []
            for line in request.lines.select_related("order_line"):
                product_id = line.order_line.product_id
                if product_id is None:
                    continue
                stock_restore(
                    product_id=product_id,
                    quantity=line.quantity,
                    variant_id=line.order_line.variant_id,
                )
                Product.objects.filter(id=product_id).update(
                    sold_count=Greatest(F("sold_count") - line.quantity, 0)
                )
                product_ids.append(product_id)
            transaction.on_commit(
                lambda: [stock_alerts_notify(product_id=pid) for pid in sorted(set(product_ids))],
                robust=True,
            )
        _timeline(
            order,
            _("Return R%(id)d approved. %(note)s") % {"id": request.id, "note": note or ""},
            staff,
        )
        email_queue(kind=RETURN_APPROVED, object_id=request.id, recipient_id=order.user_id)
    refund_issue(return_request=request, actor=staff)
    request.refresh_from_db()
    return request


def return_refuse(*, return_request: ReturnRequest, actor: User | Any, note: str) -> ReturnRequest:
    """Refuse (staff) with a note the shopper sees."""
    staff = _staff(actor)
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("Say why the return is refused."), field="note")
    with transaction.atomic():
        request = _decide(
            return_request, ReturnRequest.Status.REFUSED, staff_note=note[:300], decided_by=staff
        )
        _timeline(
            request.order,
            _("Return R%(id)d refused: %(note)s") % {"id": request.id, "note": note},
            staff,
        )
    return request


def refund_issue(*, return_request: ReturnRequest, actor: User | None = None) -> Refund:
    """Refund an approved return through the order's provider, once (safe to call again)."""
    existing = Refund.objects.filter(return_request_id=return_request.id).first()
    if existing is not None:
        return existing
    request = ReturnRequest.objects.select_related("order").get(id=return_request.id)
    if request.status not in (ReturnRequest.Status.APPROVED, ReturnRequest.Status.REFUNDED):
        raise ServiceError(_("Only an approved return can be refunded."), code="conflict")
    order = request.order
    amount = request.refund_amount or _lines_value(request)
    refunded = order.refunds.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    amount = min(amount, order.total - refunded)
    if amount <= 0:
        raise ServiceError(_("This order has been refunded in full already."), code="conflict")
    result = payment_refund(
        provider=order.payment_provider,
        reference=order.payment_reference,
        amount=amount,
        idempotency_key=f"return-{request.id}",
    )
    try:
        with transaction.atomic():
            refund = Refund.objects.create(
                order=order,
                return_request=request,
                amount=amount,
                provider=order.payment_provider,
                reference=result.reference[:64],
                manual=result.manual,
            )
            ReturnRequest.objects.filter(id=request.id).update(
                status=ReturnRequest.Status.REFUNDED, updated_at=timezone.now()
            )
            if result.manual:
                note = _("Refund of %(amount)s %(currency)s to be paid back by hand (R%(id)d).")
            else:
                note = _("Refund of %(amount)s %(currency)s issued (R%(id)d).")
            _timeline(
                order,
                note % {"amount": amount, "currency": settings.SHOP_CURRENCY, "id": request.id},
                actor,
            )
            email_queue(kind=REFUND_ISSUED, object_id=request.id, recipient_id=order.user_id)
    except IntegrityError:  # a parallel run stored it first; the provider saw the same key
        return Refund.objects.get(return_request_id=request.id)
    return refund


# --- mails ----------------------------------------------------------------------------------------------


def _return_context(return_id: int) -> dict[str, Any] | None:
    request = (
        ReturnRequest.objects.filter(id=return_id)
        .select_related("order")
        .prefetch_related("lines__order_line")
        .first()
    )
    if request is None:
        return None
    refund = Refund.objects.filter(return_request_id=request.id).first()
    return {
        "return_request": request,
        "order": request.order,
        "lines": list(request.lines.all()),
        "refund": refund,
        "currency": settings.SHOP_CURRENCY,
        "order_url": absolute_url(request.order.get_absolute_url()),
        "orders_url": absolute_url(reverse("shop:order_list")),
    }


RETURN_APPROVED = email_kind_register(EmailKind("return_approved", True, _return_context))
REFUND_ISSUED = email_kind_register(EmailKind("refund_issued", True, _return_context))
