"""Order writes: placing an order, cancelling it and moving it through its statuses.

Placing an order is one transaction: claim the idempotency key (insert the order row), take stock line by line
with the conditional decrement, authorise the payment, then write lines and the first status events and empty
the cart. Any failure (a line sold out, a declined card) rolls all of it back: no order, no stock change, the
cart as it was. Side effects that reach outside the database (feed share, notifications, back-in-stock alerts,
releasing a card authorisation) run on commit only.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ServiceError
from shop.hooks import UserNotice, order_placed, user_notified
from shop.models import (
    Cart,
    CartItem,
    Order,
    OrderLine,
    OrderStatusEvent,
    Product,
    ProductVariant,
    User,
)
from shop.selectors.commerce import (
    CENT,
    SHIPPING_METHODS,
    address_access,
    cart_view,
    checkout_summary,
)
from shop.services.accounts import ADDRESS_FIELDS, address_create, address_validate
from shop.services.cart import cart_count_changed, quantity_validate
from shop.services.catalog import stock_alerts_notify
from shop.services.email import order_email_queue
from shop.services.payments import (
    DEFAULT_PROVIDER,
    PaymentAuthorisation,
    payment_authorise,
    payment_method_check,
    payment_void,
)
from shop.services.stock import stock_decrement, stock_restore, variant_default
from shop.services.voucher import voucher_redeem

__all__ = [
    "CANCELLABLE_STATUSES",
    "OrderPlacement",
    "SoldOut",
    "order_cancel",
    "order_create_prepaid",
    "order_place",
    "order_placement",
    "order_set_status",
]


CANCELLABLE_STATUSES = (Order.Status.PLACED, Order.Status.PAID)
_TRANSITIONS: dict[str, set[str]] = {
    Order.Status.PLACED: {Order.Status.PAID, Order.Status.SHIPPED, Order.Status.CANCELLED},
    Order.Status.PAID: {Order.Status.SHIPPED, Order.Status.CANCELLED},
    Order.Status.SHIPPED: {Order.Status.DELIVERED},
    Order.Status.DELIVERED: set(),
    Order.Status.CANCELLED: set(),
}
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SoldOut(ServiceError):
    def __init__(self, product_name: str, available: int = 0) -> None:
        self.product_name = product_name
        if available > 0:
            message = _("Only %(stock)d of %(name)s left; lower the quantity in your cart.") % {
                "stock": available,
                "name": product_name,
            }
        else:
            message = _("Sorry, %(name)s is sold out.") % {"name": product_name}
        super().__init__(message, code="sold_out")  # a conflict with the stock: 409


def _notify(
    *, recipient_id: int | None, message: str, url: str, actor_id: int | None = None
) -> None:
    if recipient_id is None:
        return
    user_notified.fire(
        UserNotice(
            recipient_id=recipient_id,
            kind="order_status",
            message=message,
            url=url,
            actor_id=actor_id,
        )
    )


def _new_order_number() -> str:
    return f"SS{timezone.now():%y%m%d}{secrets.token_hex(3).upper()}"


def _ship_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "ship_name": values["full_name"],
        "ship_line1": values["line1"],
        "ship_line2": values.get("line2", ""),
        "ship_city": values["city"],
        "ship_postal_code": values["postal_code"],
        "ship_country": values["country"],
    }


def _address_values(*, user: User, address: dict | None, address_id: Any) -> dict[str, Any]:
    if address_id not in (None, ""):
        saved = address_access(user=user, address_id=address_id)
        return {field: getattr(saved, field) for field in ADDRESS_FIELDS}
    if not address:
        raise ValidationError(
            _("Choose a saved address or enter a shipping address."), code="address"
        )
    return address_validate(data=address)


def _existing_order(*, user: User, idempotency_key: str) -> Order | None:
    order = Order.objects.filter(idempotency_key=idempotency_key).first()
    if order is None:
        return None
    if order.user_id != user.id:
        raise ValidationError(
            _("This checkout form is no longer valid. Reload the page and try again."),
            code="idempotency_key",
        )
    return order


@dataclass(frozen=True)
class OrderPlacement:
    """The order a checkout answers with; `created` is False when the idempotency key had already placed it."""

    order: Order
    created: bool


def order_place(
    *,
    user: User,
    idempotency_key: str,
    shipping_method: str = "standard",
    payment_provider: str = DEFAULT_PROVIDER,
    card_number: str = "",
    address: dict | None = None,
    address_id: Any = None,
    share_to_followers: bool = False,
    save_address: bool = False,
) -> Order:
    """Turn the shopper's cart into an order; see the module docstring and `order_placement`."""
    return order_placement(
        user=user,
        idempotency_key=idempotency_key,
        shipping_method=shipping_method,
        payment_provider=payment_provider,
        card_number=card_number,
        address=address,
        address_id=address_id,
        share_to_followers=share_to_followers,
        save_address=save_address,
    ).order


def order_placement(
    *,
    user: User,
    idempotency_key: str,
    shipping_method: str = "standard",
    payment_provider: str = DEFAULT_PROVIDER,
    card_number: str = "",
    address: dict | None = None,
    address_id: Any = None,
    share_to_followers: bool = False,
    save_address: bool = False,
) -> OrderPlacement:
    """Turn the shopper's cart into an order, idempotently by `idempotency_key`: a resent checkout (same key)
    answers with the order that key placed, `created=False`, and changes nothing.

    Raises SoldOut (a line is short), PaymentFailed (declined or invalid card), ValidationError (empty cart,
    unknown shipping method or provider, bad address) and Http404 (another shopper's saved address).
    """
    idempotency_key = (idempotency_key or "").strip()
    if not _IDEMPOTENCY_KEY.match(idempotency_key):
        raise ValidationError(
            _("This checkout form is no longer valid. Reload the page and try again."),
            code="idempotency_key",
        )
    existing = _existing_order(user=user, idempotency_key=idempotency_key)
    if existing is not None:
        return OrderPlacement(order=existing, created=False)
    if shipping_method not in SHIPPING_METHODS:
        raise ValidationError(_("Choose a shipping option."), code="shipping_method")
    payment_method_check(provider=payment_provider, card_number=card_number)
    ship_values = _address_values(user=user, address=address, address_id=address_id)

    authorised: list[PaymentAuthorisation] = []
    try:
        with transaction.atomic():
            order = _order_place_locked(
                user=user,
                idempotency_key=idempotency_key,
                shipping_method=shipping_method,
                payment_provider=payment_provider,
                card_number=card_number,
                ship_values=ship_values,
                share_to_followers=share_to_followers,
                authorised=authorised,
            )
            if save_address and address_id in (None, ""):
                address_create(user=user, data=ship_values)
    except IntegrityError:
        _void(authorised)
        # A double submit raced us to the idempotency key: answer with the order it placed.
        placed = Order.objects.filter(idempotency_key=idempotency_key, user_id=user.id).first()
        if placed is None:
            raise
        return OrderPlacement(order=placed, created=False)
    except BaseException:
        _void(authorised)
        raise
    return OrderPlacement(order=order, created=True)


def _void(authorised: list[PaymentAuthorisation]) -> None:
    for authorisation in authorised:
        payment_void(provider=authorisation.provider, reference=authorisation.reference)


def _order_place_locked(
    *,
    user: User,
    idempotency_key: str,
    shipping_method: str,
    payment_provider: str,
    card_number: str,
    ship_values: dict[str, Any],
    share_to_followers: bool,
    authorised: list[PaymentAuthorisation],
) -> Order:
    cart = Cart.objects.filter(user_id=user.id).first()
    view = cart_view(cart=cart)
    if view.is_empty:
        raise ValidationError(_("Your cart is empty."), code="empty_cart")
    for line in view.lines:
        if not line.available:
            raise SoldOut(line.name)
    summary = checkout_summary(cart=view, shipping_method=shipping_method)
    if (
        summary.voucher_refusal is not None
    ):  # the cart's code no longer applies: say why, keep the cart
        raise summary.voucher_refusal
    # Inserting the order first claims the idempotency key: a parallel double submit waits here, then fails.
    order = Order.objects.create(
        user=user,
        number=_new_order_number(),
        idempotency_key=idempotency_key,
        shipping_method=shipping_method,
        shipping_cost=summary.shipping.cost,
        subtotal=summary.subtotal,
        total=summary.total,
        payment_provider=payment_provider,
        share_to_followers=share_to_followers,
        voucher_code=summary.voucher_code if summary.voucher else "",
        discount=summary.discount,
        **_ship_fields(ship_values),
    )
    if summary.voucher is not None:
        voucher_redeem(
            order=order, quote=summary.voucher, user=user, shipping_saved=summary.shipping_saved
        )
    # Lock rows in a fixed order so two carts sharing products cannot deadlock.
    for line in sorted(view.lines, key=lambda line: line.variant_id):
        if not stock_decrement(
            product_id=line.product_id, variant_id=line.variant_id, quantity=line.quantity
        ):
            available = ProductVariant.objects.filter(id=line.variant_id).values_list(
                "stock", flat=True
            )
            raise SoldOut(line.name, available=available.first() or 0)
    authorisation = payment_authorise(
        provider=payment_provider,
        amount=summary.total,
        card_number=card_number,
        reference=order.number,
    )
    authorised.append(authorisation)
    order.payment_reference = authorisation.reference[:64]
    if authorisation.pays_immediately:
        order.status = Order.Status.PAID
    order.save(update_fields=["payment_reference", "status", "updated_at"])
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product_id=line.product_id,
                variant_id=line.variant_id,
                product_name=line.name,
                variant_name=line.variant_name,
                sku=line.sku,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
                list_price=line.list_price,
                discount=discount,
            )
            for line, discount in zip(view.lines, summary.line_discounts, strict=True)
        ]
    )
    events = [OrderStatusEvent(order=order, status=Order.Status.PLACED, actor=user)]
    if order.status == Order.Status.PAID:
        events.append(
            OrderStatusEvent(
                order=order, status=Order.Status.PAID, actor=user, note=authorisation.label[:300]
            )
        )
    OrderStatusEvent.objects.bulk_create(events)
    for line in view.lines:
        Product.objects.filter(id=line.product_id).update(
            sold_count=F("sold_count") + line.quantity
        )
    CartItem.objects.filter(cart=cart).delete()
    if cart is not None:
        cart_count_changed(cart)
    order_email_queue(order=order, status=Order.Status.PLACED)
    transaction.on_commit(lambda: _after_place(order), robust=True)
    return order


def _after_place(order: Order) -> None:
    _notify(
        recipient_id=order.user_id,
        message=_("Your order %(number)s is placed. Total: %(total)s %(currency)s.")
        % {"number": order.number, "total": order.total, "currency": settings.SHOP_CURRENCY},
        url=order.get_absolute_url(),
    )
    # Receivers decide what the order means to them (social shares it when `share_to_followers`).
    order_placed.fire(order)


def order_cancel(*, order: Order, actor: User | AnonymousUser | None, note: str = "") -> Order:
    """Cancel an order that has not shipped yet: stock goes back, and waiting shoppers hear about it."""
    with transaction.atomic():
        updated = Order.objects.filter(id=order.id, status__in=CANCELLABLE_STATUSES).update(
            status=Order.Status.CANCELLED, updated_at=timezone.now()
        )
        if not updated:
            current = Order.objects.filter(id=order.id).values_list("status", flat=True).first()
            raise ValidationError(
                _("This order can no longer be cancelled: it is %(status)s.")
                % {"status": Order.Status(current).label if current else "?"},
                code="not_cancellable",
            )
        lines = list(
            order.lines.filter(product__isnull=False).values("product_id", "variant_id", "quantity")
        )
        for line in lines:
            # A line whose variant was deleted since goes back to the product's default variant.
            stock_restore(
                product_id=line["product_id"],
                variant_id=line["variant_id"],
                quantity=line["quantity"],
            )
            Product.objects.filter(id=line["product_id"]).update(
                sold_count=Greatest(F("sold_count") - line["quantity"], 0)
            )
        OrderStatusEvent.objects.create(
            order=order,
            status=Order.Status.CANCELLED,
            actor=actor if isinstance(actor, User) else None,
            note=(note or "")[:300],
        )
        order_email_queue(order=order, status=Order.Status.CANCELLED)
        product_ids = sorted({line["product_id"] for line in lines})
        provider_name, reference = order.payment_provider, order.payment_reference
        by_shopper = actor is not None and actor.id == order.user_id

        def after() -> None:
            for product_id in product_ids:
                stock_alerts_notify(product_id=product_id)
            payment_void(provider=provider_name, reference=reference)

        transaction.on_commit(after, robust=True)
        if not by_shopper:
            _notify(
                recipient_id=order.user_id,
                message=_("Your order %(number)s was cancelled.") % {"number": order.number},
                url=order.get_absolute_url(),
                actor_id=getattr(actor, "id", None),
            )
    order.refresh_from_db()
    return order


def order_set_status(
    *, order: Order, status: str, actor: User | AnonymousUser | None, note: str = ""
) -> Order:
    """Move an order on (staff): placed -> paid -> shipped -> delivered, or cancel it before shipping.

    The shopper gets an in-site notification for every step.
    """
    if status not in Order.Status.values:
        raise ValidationError(_("Unknown order status."), code="status")
    if status == Order.Status.CANCELLED:
        return order_cancel(order=order, actor=actor, note=note)
    with transaction.atomic():
        current = Order.objects.filter(id=order.id).values_list("status", flat=True).first()
        if current is None or status not in _TRANSITIONS.get(current, set()):
            raise ValidationError(
                _("An order that is %(current)s cannot become %(status)s.")
                % {
                    "current": Order.Status(current).label if current else "?",
                    "status": Order.Status(status).label,
                },
                code="transition",
            )
        # Conditional on the status we read, so two staff members cannot both move it.
        updated = Order.objects.filter(id=order.id, status=current).update(
            status=status, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(
                _("The order changed meanwhile; reload and try again."), code="conflict"
            )
        OrderStatusEvent.objects.create(
            order=order,
            status=status,
            actor=actor if isinstance(actor, User) else None,
            note=(note or "")[:300],
        )
        order_email_queue(order=order, status=status)
        _notify(
            recipient_id=order.user_id,
            message=_("Your order %(number)s is now %(status)s.")
            % {"number": order.number, "status": Order.Status(status).label},
            url=order.get_absolute_url(),
            actor_id=getattr(actor, "id", None),
        )
    order.refresh_from_db()
    return order


def order_create_prepaid(
    *,
    user: User,
    product_id: int,
    quantity: int,
    unit_price: Decimal,
    address: dict,
    payment_provider: str,
    payment_reference: str,
    idempotency_key: str,
    variant_id: int | None = None,
) -> Order:
    """An order whose stock is already reserved and whose payment is already taken (a completed group buy).

    Status paid, free standard shipping, the given unit price; one line for `variant_id` (the variant the
    stock was reserved from; None: the product's default variant). Idempotent by `idempotency_key`.
    """
    existing = _existing_order(user=user, idempotency_key=idempotency_key)
    if existing is not None:
        return existing
    quantity = quantity_validate(quantity)
    unit_price = Decimal(unit_price).quantize(CENT)
    ship_values = address_validate(data=address)
    product = Product.objects.get(id=product_id)
    subtotal = (unit_price * quantity).quantize(CENT)
    try:
        with transaction.atomic():
            order = Order.objects.create(
                user=user,
                number=_new_order_number(),
                idempotency_key=idempotency_key[:64],
                status=Order.Status.PAID,
                shipping_method="standard",
                shipping_cost=Decimal("0.00"),
                subtotal=subtotal,
                total=subtotal,
                payment_provider=payment_provider[:20],
                payment_reference=(payment_reference or "")[:64],
                **_ship_fields(ship_values),
            )
            variant = (
                ProductVariant.objects.filter(id=variant_id, product_id=product.id).first()
                if variant_id is not None
                else variant_default(product_id=product.id)
            )
            OrderLine.objects.create(
                order=order,
                product=product,
                variant=variant,
                variant_name=variant.name if variant else "",
                sku=variant.sku if variant else "",
                product_name=product.name,
                unit_price=unit_price,
                quantity=quantity,
                line_total=subtotal,
            )
            OrderStatusEvent.objects.bulk_create(
                [
                    OrderStatusEvent(order=order, status=Order.Status.PLACED),
                    OrderStatusEvent(order=order, status=Order.Status.PAID),
                ]
            )
            Product.objects.filter(id=product.id).update(sold_count=F("sold_count") + quantity)
            order_email_queue(order=order, status=Order.Status.PLACED)
            transaction.on_commit(
                lambda: _notify(
                    recipient_id=order.user_id,
                    message=_("Your group buy order %(number)s is paid and on its way soon.")
                    % {"number": order.number},
                    url=order.get_absolute_url(),
                ),
                robust=True,
            )
    except IntegrityError:
        placed = Order.objects.filter(idempotency_key=idempotency_key, user_id=user.id).first()
        if placed is None:
            raise
        return placed
    return order
