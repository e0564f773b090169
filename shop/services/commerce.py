"""Commerce writes: the cart, placing an order, cancelling it and moving it through its statuses.

Placing an order is one transaction: claim the idempotency key (insert the order row), take stock line by line
with the conditional decrement, authorise the payment, then write lines and the first status events and empty
the cart. Any failure (a line sold out, a declined card) rolls all of it back: no order, no stock change, the
cart as it was. Side effects that reach outside the database (feed share, notifications, back-in-stock alerts,
releasing a card authorisation) run on commit only.
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shop import payments
from shop.models import Cart, CartItem, Order, OrderLine, OrderStatusEvent, Product
from shop.selectors.commerce import (
    CENT,
    SHIPPING_METHODS,
    address_access,
    cart_view,
    checkout_summary,
)
from shop.services.accounts import ADDRESS_FIELDS, _clean_address, address_create
from shop.services.stock import stock_decrement, stock_restore

__all__ = [
    "SoldOut",
    "PaymentFailed",
    "cart_get_or_create",
    "cart_add_item",
    "cart_set_quantity",
    "cart_remove_item",
    "cart_merge",
    "order_place",
    "order_cancel",
    "order_set_status",
    "order_create_prepaid",
    "quantity_validate",
    "CANCELLABLE_STATUSES",
]

logger = logging.getLogger(__name__)

CANCELLABLE_STATUSES = (Order.Status.PLACED, Order.Status.PAID)
_TRANSITIONS = {
    Order.Status.PLACED: {Order.Status.PAID, Order.Status.SHIPPED, Order.Status.CANCELLED},
    Order.Status.PAID: {Order.Status.SHIPPED, Order.Status.CANCELLED},
    Order.Status.SHIPPED: {Order.Status.DELIVERED},
    Order.Status.DELIVERED: set(),
    Order.Status.CANCELLED: set(),
}
# Larger ids overflow a 64-bit column (SQLite raises instead of finding nothing).
MAX_ID = 2**62
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class SoldOut(ValidationError):
    def __init__(self, product_name: str, available: int = 0) -> None:
        self.product_name = product_name
        if available > 0:
            message = _("Only %(stock)d of %(name)s left; lower the quantity in your cart.") % {
                "stock": available,
                "name": product_name,
            }
        else:
            message = _("Sorry, %(name)s is sold out.") % {"name": product_name}
        super().__init__(message, code="sold_out")


class PaymentFailed(ValidationError):
    def __init__(self, result: payments.PaymentResult) -> None:
        self.result = result
        super().__init__(result.message, code=result.code)


def _optional(module: str, name: str) -> Callable | None:
    """A function another area provides, or None while it does not exist yet."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name, None)
    except ImportError:
        return None


def _notify(*, recipient_id: int | None, message: str, url: str, actor_id: int | None = None):
    notification_create = _optional("social.services", "notification_create")
    if recipient_id is None or notification_create is None:
        return
    notification_create(
        recipient_id=recipient_id, kind="order_status", message=message, url=url, actor_id=actor_id
    )


# --- cart -----------------------------------------------------------------------------------------------


def quantity_validate(quantity: Any) -> int:
    """A whole number from 1 to SHOP_MAX_LINE_QUANTITY, else ValidationError with a clear message."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationError(_("Enter a whole number for the quantity."), code="invalid")
    if quantity < 1:
        raise ValidationError(_("The quantity must be at least 1."), code="min_value")
    limit = settings.SHOP_MAX_LINE_QUANTITY
    if quantity > limit:
        raise ValidationError(
            _("You can buy at most %(limit)d of one product.") % {"limit": limit}, code="max_value"
        )
    return quantity


def _available_product(product_id: Any) -> Product:
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        product_id = None
    if product_id is not None and not 0 < product_id < MAX_ID:
        product_id = None
    product = Product.objects.filter(id=product_id, is_active=True).first() if product_id else None
    if product is None:
        raise ValidationError(_("This product is not available."), code="unavailable")
    return product


def _check_stock(product: Product, quantity: int) -> None:
    if product.stock <= 0:
        raise ValidationError(
            _("Sorry, %(name)s is sold out.") % {"name": product.name}, code="sold_out"
        )
    if quantity > product.stock:
        raise ValidationError(
            _("Only %(stock)d of %(name)s left.") % {"stock": product.stock, "name": product.name},
            code="stock",
        )


def cart_get_or_create(*, user=None, session_key: str | None = None) -> Cart:
    """The account cart for a signed-in user, else the cart of this browser session."""
    if user is not None and user.is_authenticated:
        lookup = {"user_id": user.id}
    elif session_key:
        lookup = {"session_key": session_key, "user__isnull": True}
    else:
        raise ValueError("a cart needs a user or a session key")
    cart = Cart.objects.filter(**lookup).first()
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            if "user_id" in lookup:
                return Cart.objects.create(user_id=user.id)
            return Cart.objects.create(session_key=session_key)
    except IntegrityError:  # a parallel request created it first
        return Cart.objects.get(**lookup)


@transaction.atomic
def cart_add_item(
    *, cart: Cart, product_id: Any, quantity: Any, user_id: int | None = None, session_key: str = ""
) -> CartItem:
    """Add `quantity` of a product (on top of what the cart holds), checked against stock and the line limit."""
    quantity = quantity_validate(quantity)
    product = _available_product(product_id)
    item = CartItem.objects.filter(cart=cart, product=product).first()
    new_quantity = (item.quantity if item else 0) + quantity
    if item is not None and new_quantity > settings.SHOP_MAX_LINE_QUANTITY:
        raise ValidationError(
            _(
                "Your cart already holds %(have)d of %(name)s; you can buy at most %(limit)d of one "
                "product."
            )
            % {
                "have": item.quantity,
                "name": product.name,
                "limit": settings.SHOP_MAX_LINE_QUANTITY,
            },
            code="max_value",
        )
    _check_stock(product, new_quantity)
    if item is None:
        item = CartItem.objects.create(cart=cart, product=product, quantity=new_quantity)
    else:
        item.quantity = new_quantity
        item.save(update_fields=["quantity"])
    Cart.objects.filter(id=cart.id).update(updated_at=timezone.now())
    record = _optional("shop.services", "product_event_record")
    if record is not None:
        record(product_id=product.id, kind="cart", user_id=user_id, session_key=session_key or "")
    return item


@transaction.atomic
def cart_set_quantity(*, cart: Cart, product_id: Any, quantity: Any) -> CartItem:
    item = _cart_item(cart=cart, product_id=product_id)
    quantity = quantity_validate(quantity)
    product = _available_product(item.product_id)
    _check_stock(product, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    return item


def _cart_item(*, cart: Cart, product_id: Any) -> CartItem:
    try:
        product_id = int(product_id)
    except (TypeError, ValueError):
        raise Http404("This product is not in your cart.") from None
    if not 0 < product_id < MAX_ID:
        raise Http404("This product is not in your cart.")
    item = CartItem.objects.filter(cart=cart, product_id=product_id).first()
    if item is None:
        raise Http404("This product is not in your cart.")
    return item


def cart_remove_item(*, cart: Cart, product_id: Any) -> None:
    _cart_item(cart=cart, product_id=product_id).delete()


@transaction.atomic
def cart_merge(*, user, session_key: str | None) -> Cart | None:
    """Fold the session's cart into the account cart at login.

    Quantities of a product in both add up, capped at what is in stock and the line limit; unavailable
    products are dropped. The session cart is gone afterwards.
    """
    if not session_key:
        return None
    session_cart = Cart.objects.filter(session_key=session_key, user__isnull=True).first()
    if session_cart is None:
        return None
    account_cart = Cart.objects.filter(user_id=user.id).first()
    if account_cart is None:
        session_cart.user = user
        session_cart.session_key = None
        session_cart.save(update_fields=["user", "session_key", "updated_at"])
        return session_cart
    existing = {item.product_id: item for item in account_cart.items.all()}
    for item in session_cart.items.select_related("product"):
        product = item.product
        if not product.is_active or product.stock <= 0:
            continue
        held = existing.get(product.id)
        wanted = (held.quantity if held else 0) + item.quantity
        quantity = min(wanted, product.stock, settings.SHOP_MAX_LINE_QUANTITY)
        if held is None:
            CartItem.objects.create(cart=account_cart, product=product, quantity=quantity)
        elif quantity > held.quantity:
            held.quantity = quantity
            held.save(update_fields=["quantity"])
    session_cart.delete()
    return account_cart


# --- orders ---------------------------------------------------------------------------------------------


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


def _address_values(*, user, address: dict | None, address_id: Any) -> dict[str, Any]:
    if address_id not in (None, ""):
        saved = address_access(user=user, address_id=address_id)
        return {field: getattr(saved, field) for field in ADDRESS_FIELDS}
    if not address:
        raise ValidationError(
            _("Choose a saved address or enter a shipping address."), code="address"
        )
    return _clean_address(address)


def _existing_order(*, user, idempotency_key: str) -> Order | None:
    order = Order.objects.filter(idempotency_key=idempotency_key).first()
    if order is None:
        return None
    if order.user_id != user.id:
        raise ValidationError(
            _("This checkout form is no longer valid. Reload the page and try again."),
            code="idempotency_key",
        )
    return order


def order_place(
    *,
    user,
    idempotency_key: str,
    shipping_method: str = "standard",
    payment_provider: str = payments.DEFAULT_PROVIDER,
    card_number: str = "",
    address: dict | None = None,
    address_id: Any = None,
    share_to_followers: bool = False,
    save_address: bool = False,
) -> Order:
    """Turn the shopper's cart into an order; see the module docstring. Idempotent by `idempotency_key`.

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
        return existing
    if shipping_method not in SHIPPING_METHODS:
        raise ValidationError(_("Choose a shipping option."), code="shipping_method")
    try:
        provider = payments.get_provider(payment_provider)
    except KeyError:
        raise ValidationError(_("Choose a payment method."), code="payment_provider") from None
    if provider.requires_card and not payments.normalise_card_number(card_number):
        raise ValidationError(_("Enter your card number."), code="card_number")
    ship_values = _address_values(user=user, address=address, address_id=address_id)

    authorised: list[tuple[payments.PaymentProvider, str]] = []
    try:
        with transaction.atomic():
            order = _order_place_locked(
                user=user,
                idempotency_key=idempotency_key,
                shipping_method=shipping_method,
                provider=provider,
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
        order = Order.objects.filter(idempotency_key=idempotency_key, user_id=user.id).first()
        if order is None:
            raise
        return order
    except BaseException:
        _void(authorised)
        raise
    return order


def _void(authorised: list[tuple[payments.PaymentProvider, str]]) -> None:
    for provider, reference in authorised:
        try:
            provider.void(reference)
        except Exception:  # noqa: BLE001 - the order is already rolled back; log for reconciliation
            logger.exception("could not void payment %s", reference)


def _order_place_locked(
    *,
    user,
    idempotency_key: str,
    shipping_method: str,
    provider: payments.PaymentProvider,
    card_number: str,
    ship_values: dict[str, Any],
    share_to_followers: bool,
    authorised: list,
) -> Order:
    cart = Cart.objects.filter(user_id=user.id).first()
    view = cart_view(cart=cart)
    if view.is_empty:
        raise ValidationError(_("Your cart is empty."), code="empty_cart")
    for line in view.lines:
        if not line.available:
            raise SoldOut(line.name)
    summary = checkout_summary(cart=view, shipping_method=shipping_method)
    # Inserting the order first claims the idempotency key: a parallel double submit waits here, then fails.
    order = Order.objects.create(
        user=user,
        number=_new_order_number(),
        idempotency_key=idempotency_key,
        shipping_method=shipping_method,
        shipping_cost=summary.shipping.cost,
        subtotal=summary.subtotal,
        total=summary.total,
        payment_provider=provider.name,
        share_to_followers=share_to_followers,
        **_ship_fields(ship_values),
    )
    # Lock rows in a fixed order so two carts sharing products cannot deadlock.
    for line in sorted(view.lines, key=lambda line: line.product_id):
        if not stock_decrement(product_id=line.product_id, quantity=line.quantity):
            available = Product.objects.filter(id=line.product_id).values_list("stock", flat=True)
            raise SoldOut(line.name, available=available.first() or 0)
    result = provider.authorise(
        amount=summary.total, card_number=card_number, reference=order.number
    )
    if not result.approved:
        raise PaymentFailed(result)
    authorised.append((provider, result.reference))
    order.payment_reference = result.reference[:64]
    if provider.pays_immediately:
        order.status = Order.Status.PAID
    order.save(update_fields=["payment_reference", "status", "updated_at"])
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                product_id=line.product_id,
                product_name=line.name,
                unit_price=line.unit_price,
                quantity=line.quantity,
                line_total=line.line_total,
            )
            for line in view.lines
        ]
    )
    events = [OrderStatusEvent(order=order, status=Order.Status.PLACED, actor=user)]
    if order.status == Order.Status.PAID:
        events.append(
            OrderStatusEvent(
                order=order, status=Order.Status.PAID, actor=user, note=str(provider.label)[:300]
            )
        )
    OrderStatusEvent.objects.bulk_create(events)
    for line in view.lines:
        Product.objects.filter(id=line.product_id).update(
            sold_count=F("sold_count") + line.quantity
        )
    CartItem.objects.filter(cart=cart).delete()
    transaction.on_commit(lambda: _after_place(order), robust=True)
    return order


def _after_place(order: Order) -> None:
    _notify(
        recipient_id=order.user_id,
        message=_("Your order %(number)s is placed. Total: %(total)s %(currency)s.")
        % {"number": order.number, "total": order.total, "currency": settings.SHOP_CURRENCY},
        url=order.get_absolute_url(),
    )
    if order.share_to_followers:
        purchase_share = _optional("social.services", "purchase_share")
        if purchase_share is not None:
            purchase_share(order=order)


def order_cancel(*, order: Order, actor, note: str = "") -> Order:
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
        lines = list(order.lines.filter(product__isnull=False).values("product_id", "quantity"))
        for line in lines:
            stock_restore(product_id=line["product_id"], quantity=line["quantity"])
            Product.objects.filter(id=line["product_id"]).update(
                sold_count=Greatest(F("sold_count") - line["quantity"], 0)
            )
        OrderStatusEvent.objects.create(
            order=order,
            status=Order.Status.CANCELLED,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=(note or "")[:300],
        )
        product_ids = sorted({line["product_id"] for line in lines})
        provider_name, reference = order.payment_provider, order.payment_reference
        by_shopper = actor is not None and actor.id == order.user_id

        def after() -> None:
            notify_stock = _optional("shop.services", "stock_alerts_notify")
            if notify_stock is not None:
                for product_id in product_ids:
                    notify_stock(product_id=product_id)
            with contextlib.suppress(KeyError):
                payments.get_provider(provider_name).void(reference)

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


def order_set_status(*, order: Order, status: str, actor, note: str = "") -> Order:
    """Move an order on (staff): placed -> paid -> shipped -> delivered, or cancel it before shipping.

    The shopper gets an in-site notification for every step.
    """
    if status not in Order.Status.values:
        raise ValidationError(_("Unknown order status."), code="status")
    if status == Order.Status.CANCELLED:
        return order_cancel(order=order, actor=actor, note=note)
    with transaction.atomic():
        current = Order.objects.filter(id=order.id).values_list("status", flat=True).first()
        if status not in _TRANSITIONS.get(current, set()):
            raise ValidationError(
                _("An order that is %(current)s cannot become %(status)s.")
                % {"current": Order.Status(current).label, "status": Order.Status(status).label},
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
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            note=(note or "")[:300],
        )
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
    user,
    product_id: int,
    quantity: int,
    unit_price: Decimal,
    address: dict,
    payment_provider: str,
    payment_reference: str,
    idempotency_key: str,
) -> Order:
    """An order whose stock is already reserved and whose payment is already taken (a completed group buy).

    Status paid, free standard shipping, the given unit price. Idempotent by `idempotency_key`.
    """
    existing = _existing_order(user=user, idempotency_key=idempotency_key)
    if existing is not None:
        return existing
    quantity = quantity_validate(quantity)
    unit_price = Decimal(unit_price).quantize(CENT)
    ship_values = _clean_address(address)
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
            OrderLine.objects.create(
                order=order,
                product=product,
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
        order = Order.objects.filter(idempotency_key=idempotency_key, user_id=user.id).first()
        if order is None:
            raise
    return order
