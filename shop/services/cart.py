"""Cart writes: adding, changing and removing lines, and folding a session cart into the account cart at login.

Every quantity is checked against the line limit (`SHOP_MAX_LINE_QUANTITY`) and the stock at hand; the stock is
only taken when the order is placed (`shop.services.orders`).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from common.generations import generation_bump_on_commit
from shop.models import Cart, CartItem, Product, User
from shop.selectors.commerce import cart_count_scope
from shop.services.catalog import product_event_record

__all__ = [
    "MAX_ID",
    "cart_add_item",
    "cart_count_changed",
    "cart_get_or_create",
    "cart_merge",
    "cart_remove_item",
    "cart_set_quantity",
    "quantity_validate",
]

# Larger ids overflow a 64-bit column (SQLite raises instead of finding nothing).
MAX_ID = 2**62


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


def cart_count_changed(cart: Cart) -> None:
    """The cart's badge count is recounted on the next request (and again once this transaction commits).
    Every write to a cart's lines calls it (the count is cached until then: `shop.selectors.cart_item_count`)."""
    scopes = []
    if cart.user_id is not None:
        scopes.append(cart_count_scope(user_id=cart.user_id))
    if cart.session_key:
        scopes.append(cart_count_scope(session_key=cart.session_key))
    generation_bump_on_commit(*scopes)


def cart_get_or_create(
    *, user: User | AnonymousUser | None = None, session_key: str | None = None
) -> Cart:
    """The account cart for a signed-in user, else the cart of this browser session."""
    lookup: dict[str, object]
    if isinstance(user, User):
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
            if isinstance(user, User):
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
    cart_count_changed(cart)
    product_event_record(
        product_id=product.id, kind="cart", user_id=user_id, session_key=session_key or ""
    )
    return item


@transaction.atomic
def cart_set_quantity(*, cart: Cart, product_id: Any, quantity: Any) -> CartItem:
    item = _cart_item(cart=cart, product_id=product_id)
    quantity = quantity_validate(quantity)
    product = _available_product(item.product_id)
    _check_stock(product, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    cart_count_changed(cart)
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
    cart_count_changed(cart)


@transaction.atomic
def cart_merge(*, user: User, session_key: str | None) -> Cart | None:
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
    cart_count_changed(session_cart)
    if account_cart is None:
        session_cart.user = user
        session_cart.session_key = None
        session_cart.save(update_fields=["user", "session_key", "updated_at"])
        cart_count_changed(session_cart)
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
    cart_count_changed(account_cart)
    return account_cart
