"""Cart writes: adding, changing and removing lines, and folding a session cart into the account cart at login.

A cart line is one variant of a product (its size and colour); a product with a single variant needs no choice.
Every quantity is checked against the line limit (`SHOP_MAX_LINE_QUANTITY`) and the variant's stock at hand; the
stock is only taken when the order is placed (`shop.services.orders`). Prices are never taken from the client.
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
from shop.models import Cart, CartItem, Product, ProductVariant, User
from shop.selectors.commerce import cart_count_scope
from shop.services.catalog import product_event_record
from shop.services.stock import variant_default_ensure

__all__ = [
    "MAX_ID",
    "cart_add_item",
    "cart_count_changed",
    "cart_get_or_create",
    "cart_merge",
    "cart_remove_item",
    "cart_set_quantity",
    "line_name",
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


def _id_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < MAX_ID else None


def line_name(product: Product, variant: ProductVariant) -> str:
    """ "Tee (M / Navy)", or the product's name for a product without choices."""
    return f"{product.name} ({variant.name})" if variant.name else product.name


def _available_variant(product: Product, variant_id: Any) -> ProductVariant:
    """The active variant the shopper chose, of this product; without a choice, the product's only variant.

    ValidationError (a 400) for an unknown or inactive variant, one of another product, or a missing choice.
    """
    if variant_id in (None, ""):
        variants = list(ProductVariant.objects.filter(product=product, is_active=True)[:2])
        if not variants and variant_default_ensure(product_ids=[product.id]):
            variants = list(ProductVariant.objects.filter(product=product, is_active=True)[:2])
        if len(variants) == 1:
            return variants[0]
        if not variants:
            raise ValidationError(_("This product is not available."), code="unavailable")
        raise ValidationError(
            _("Choose an option (size, colour...) of %(name)s first.") % {"name": product.name},
            code="variant_required",
        )
    parsed = _id_or_none(variant_id)
    variant = ProductVariant.objects.filter(id=parsed, is_active=True).first() if parsed else None
    if variant is None:
        raise ValidationError(_("This option is not available."), code="variant_unavailable")
    if variant.product_id != product.id:
        raise ValidationError(_("This option belongs to another product."), code="variant_mismatch")
    return variant


def _check_stock(product: Product, variant: ProductVariant, quantity: int) -> None:
    name = line_name(product, variant)
    if variant.stock <= 0:
        raise ValidationError(_("Sorry, %(name)s is sold out.") % {"name": name}, code="sold_out")
    if quantity > variant.stock:
        raise ValidationError(
            _("Only %(stock)d of %(name)s left.") % {"stock": variant.stock, "name": name},
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
    *,
    cart: Cart,
    product_id: Any,
    quantity: Any,
    variant_id: Any = None,
    user_id: int | None = None,
    session_key: str = "",
) -> CartItem:
    """Add `quantity` of a product's variant (on top of what the cart holds), checked against the variant's
    stock and the line limit. `variant_id` may be left out for a product with a single variant."""
    quantity = quantity_validate(quantity)
    product = _available_product(product_id)
    variant = _available_variant(product, variant_id)
    item = CartItem.objects.filter(cart=cart, variant=variant).first()
    new_quantity = (item.quantity if item else 0) + quantity
    if item is not None and new_quantity > settings.SHOP_MAX_LINE_QUANTITY:
        raise ValidationError(
            _(
                "Your cart already holds %(have)d of %(name)s; you can buy at most %(limit)d of one "
                "product."
            )
            % {
                "have": item.quantity,
                "name": line_name(product, variant),
                "limit": settings.SHOP_MAX_LINE_QUANTITY,
            },
            code="max_value",
        )
    _check_stock(product, variant, new_quantity)
    if item is None:
        item = CartItem.objects.create(
            cart=cart, product=product, variant=variant, quantity=new_quantity
        )
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
def cart_set_quantity(
    *, cart: Cart, product_id: Any, quantity: Any, variant_id: Any = None
) -> CartItem:
    item = _cart_item(cart=cart, product_id=product_id, variant_id=variant_id)
    quantity = quantity_validate(quantity)
    product = _available_product(item.product_id)
    variant = _available_variant(product, item.variant_id)
    _check_stock(product, variant, quantity)
    item.quantity = quantity
    item.save(update_fields=["quantity"])
    cart_count_changed(cart)
    return item


def _cart_item(*, cart: Cart, product_id: Any, variant_id: Any = None) -> CartItem:
    """The line of this product (and variant, when given; else the product's first line) in the cart."""
    parsed = _id_or_none(product_id)
    if parsed is None:
        raise Http404("This product is not in your cart.")
    items = CartItem.objects.filter(cart=cart, product_id=parsed)
    if variant_id not in (None, ""):
        parsed_variant = _id_or_none(variant_id)
        if parsed_variant is None:
            raise Http404("This product is not in your cart.")
        items = items.filter(variant_id=parsed_variant)
    item = items.order_by("added_at", "id").first()
    if item is None:
        raise Http404("This product is not in your cart.")
    return item


def cart_remove_item(*, cart: Cart, product_id: Any, variant_id: Any = None) -> None:
    _cart_item(cart=cart, product_id=product_id, variant_id=variant_id).delete()
    cart_count_changed(cart)


@transaction.atomic
def cart_merge(*, user: User, session_key: str | None) -> Cart | None:
    """Fold the session's cart into the account cart at login.

    Quantities of a variant in both add up, capped at what is in stock and the line limit; unavailable
    products and variants are dropped. The session cart is gone afterwards.
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
    existing = {item.variant_id: item for item in account_cart.items.all()}
    for item in session_cart.items.select_related("product", "variant"):
        product, variant = item.product, item.variant
        if not product.is_active or not variant.is_active or variant.stock <= 0:
            continue
        held = existing.get(variant.id)
        wanted = (held.quantity if held else 0) + item.quantity
        quantity = min(wanted, variant.stock, settings.SHOP_MAX_LINE_QUANTITY)
        if held is None:
            CartItem.objects.create(
                cart=account_cart, product=product, variant=variant, quantity=quantity
            )
        elif quantity > held.quantity:
            held.quantity = quantity
            held.save(update_fields=["quantity"])
    session_cart.delete()
    cart_count_changed(account_cart)
    return account_cart
