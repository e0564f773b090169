"""Commerce reads: carts, the checkout summary, shipping options, order history and order access.

Money is computed here from the database (current product prices), never from anything a client sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, QuerySet, Sum, prefetch_related_objects
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.errors import ServiceError
from common.generations import generation_cached
from shop.hooks import purchase_sharing_default
from shop.models import (
    Address,
    Cart,
    CartItem,
    Order,
    OrderLine,
    OrderStatusEvent,
    ProductImage,
    User,
)
from shop.selectors.pricing import price_quote, promotions_running
from shop.selectors.voucher import PricedLine, VoucherQuote, voucher_check, voucher_for_cart

__all__ = [
    "ShippingOption",
    "CartLine",
    "CartView",
    "CheckoutSummary",
    "TimelineStep",
    "SHIPPING_METHODS",
    "FREE_STANDARD_SHIPPING_OVER",
    "shipping_options",
    "shipping_option",
    "cart_for",
    "cart_view",
    "cart_item_count",
    "cart_count_scope",
    "checkout_summary",
    "order_list_for_user",
    "order_access",
    "order_detail",
    "order_timeline",
    "address_list_for_user",
    "address_access",
    "share_purchases_default",
]

CENT = Decimal("0.01")
FREE_STANDARD_SHIPPING_OVER = Decimal("50.00")
# code -> (label, cost)
SHIPPING_METHODS: dict[str, tuple] = {
    "standard": (_("Standard (3-5 days)"), Decimal("4.90")),
    "express": (_("Express (next day)"), Decimal("12.90")),
}


@dataclass(frozen=True)
class ShippingOption:
    code: str
    label: str
    cost: Decimal
    free: bool


def shipping_option(*, code: str, subtotal: Decimal) -> ShippingOption:
    """The option `code` priced for this subtotal; KeyError for an unknown code."""
    label, cost = SHIPPING_METHODS[code]
    free = code == "standard" and subtotal >= FREE_STANDARD_SHIPPING_OVER
    return ShippingOption(code=code, label=label, cost=Decimal("0.00") if free else cost, free=free)


def shipping_options(*, subtotal: Decimal) -> list[ShippingOption]:
    return [shipping_option(code=code, subtotal=subtotal) for code in SHIPPING_METHODS]


@dataclass(frozen=True)
class CartLine:
    item: CartItem
    product_id: int
    variant_id: int
    # "Tee (M / Navy)"; `variant_name` alone is "M / Navy" ("" for a product without choices).
    name: str
    variant_name: str
    sku: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    stock: int
    available: bool
    image: ProductImage | None
    url: str
    # The price before a running promotion (None when none applies) and its badge (shop.selectors.pricing).
    list_price: Decimal | None = None
    badge: str = ""

    @property
    def problem(self) -> str:
        if not self.available:
            return str(_("No longer available"))
        if self.quantity > self.stock:
            return str(_("Only %(stock)d left") % {"stock": self.stock})
        return ""


@dataclass(frozen=True)
class CartView:
    cart: Cart | None
    lines: list[CartLine] = field(default_factory=list)
    subtotal: Decimal = Decimal("0.00")
    item_count: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def has_problems(self) -> bool:
        return any(line.problem for line in self.lines)


def cart_for(
    *, user: User | AnonymousUser | None = None, session_key: str | None = None
) -> Cart | None:
    """The account cart for a signed-in user, else the session's cart; None when there is none yet."""
    # The voucher entry rides along (one join), so pricing the cart costs no query without a code.
    carts = Cart.objects.select_related("voucher_entry__voucher")
    if user is not None and user.is_authenticated:
        return carts.filter(user_id=user.id).first()
    if session_key:
        return carts.filter(session_key=session_key, user__isnull=True).first()
    return None


def cart_view(*, cart: Cart | None) -> CartView:
    """The cart's lines with current variant prices (3 queries: items+products+variants, product pictures,
    variant pictures). The variant's own picture comes first; the price is the variant's override, else the
    product's."""
    if cart is None:
        return CartView(cart=None)
    pictures = ProductImage.objects.order_by("position", "id")
    items = list(
        CartItem.objects.filter(cart=cart)
        .select_related("product", "variant")
        .prefetch_related(
            Prefetch("product__images", queryset=pictures),
            Prefetch("variant__images", queryset=pictures),
        )
        .order_by("added_at", "id")
    )
    lines = []
    promotions = promotions_running() if items else []
    for item in items:
        product, variant = item.product, item.variant
        images = list(variant.images.all()) or list(product.images.all())
        quote = price_quote(
            product=product, promotions=promotions, list_price=variant.effective_price(product)
        )
        url = product.get_absolute_url()
        lines.append(
            CartLine(
                item=item,
                product_id=product.id,
                variant_id=variant.id,
                name=f"{product.name} ({variant.name})" if variant.name else product.name,
                variant_name=variant.name,
                sku=variant.sku,
                unit_price=quote.price,
                list_price=quote.list_price if quote.on_sale else None,
                badge=quote.badge,
                quantity=item.quantity,
                line_total=(quote.price * item.quantity).quantize(CENT),
                stock=variant.stock,
                available=product.is_active and variant.is_active,
                image=images[0] if images else None,
                url=f"{url}?variant={variant.id}" if variant.name else url,
            )
        )
    subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
    return CartView(
        cart=cart,
        lines=lines,
        subtotal=subtotal,
        item_count=sum(line.quantity for line in lines),
    )


def cart_item_count(
    *, user: User | AnonymousUser | None = None, session_key: str | None = None
) -> int:
    """Units in the visitor's cart: cached until the cart's next write (`common.generations`; the cart
    services bump it), else one query; 0 and no query for a visitor without a session."""
    if user is not None and user.is_authenticated:
        items = CartItem.objects.filter(cart__user_id=user.id)
        scope = cart_count_scope(user_id=user.id)
    elif session_key:
        items = CartItem.objects.filter(cart__session_key=session_key, cart__user__isnull=True)
        scope = cart_count_scope(session_key=session_key)
    else:
        return 0
    return generation_cached(
        scope=scope,
        compute=lambda: items.aggregate(total=Sum("quantity"))["total"] or 0,
        timeout=CART_COUNT_CACHE_SECONDS,
    )


CART_COUNT_CACHE_SECONDS = 600


def cart_count_scope(*, user_id: int | None = None, session_key: str | None = None) -> str:
    """The cache scope of one cart's badge count (an account's or a browser session's)."""
    if user_id is not None:
        return f"shop:cart-count:user:{user_id}"
    return f"shop:cart-count:session:{session_key}"


@dataclass(frozen=True)
class VoucherLine:
    """A cart line the voucher on the cart applies to (its scope covers it), with its share of the discount."""

    product_id: int
    variant_id: int
    discount: Decimal


@dataclass(frozen=True)
class CheckoutSummary:
    lines: list[CartLine]
    subtotal: Decimal
    shipping: ShippingOption
    total: Decimal
    item_count: int
    # The cart's voucher (shop.selectors.voucher) when it applies, or why it no longer does.
    discount: Decimal = Decimal("0.00")
    voucher: VoucherQuote | None = None
    voucher_refusal: ServiceError | None = None
    voucher_code: str = ""
    shipping_saved: Decimal = Decimal("0.00")

    @property
    def line_discounts(self) -> tuple[Decimal, ...]:
        """Each line's share of the discount, aligned with `lines`."""
        if self.voucher is None:
            return tuple(Decimal("0.00") for _line in self.lines)
        return self.voucher.line_discounts

    @property
    def voucher_lines(self) -> list[VoucherLine]:
        """The lines the cart's voucher applies to (empty when none applies), so a client can mark them."""
        if self.voucher is None:
            return []
        return [
            VoucherLine(product_id=line.product_id, variant_id=line.variant_id, discount=share)
            for line, hit, share in zip(
                self.lines, self.voucher.line_in_scope, self.voucher.line_discounts, strict=True
            )
            if hit
        ]


def checkout_summary(*, cart: CartView, shipping_method: str) -> CheckoutSummary:
    """Totals for a cart and shipping method with the cart's voucher; KeyError for an unknown method."""
    shipping = shipping_option(code=shipping_method, subtotal=cart.subtotal)
    voucher = voucher_for_cart(cart=cart.cart) if cart.lines else None
    quote: VoucherQuote | None = None
    refusal: ServiceError | None = None
    if voucher is not None and cart.cart is not None:
        try:
            quote = voucher_check(
                voucher=voucher,
                user_id=cart.cart.user_id,
                lines=[
                    PricedLine(line.product_id, line.line_total, line.variant_id)
                    for line in cart.lines
                ],
            )
        except ServiceError as exc:
            refusal = exc
    discount = quote.discount if quote else Decimal("0.00")
    shipping_saved = Decimal("0.00")
    if quote is not None and quote.free_shipping and shipping.cost:
        shipping_saved = shipping.cost
        shipping = ShippingOption(
            code=shipping.code, label=shipping.label, cost=Decimal("0.00"), free=True
        )
    return CheckoutSummary(
        lines=cart.lines,
        subtotal=cart.subtotal,
        shipping=shipping,
        total=(cart.subtotal - discount + shipping.cost).quantize(CENT),
        item_count=cart.item_count,
        discount=discount,
        voucher=quote,
        voucher_refusal=refusal,
        voucher_code=voucher.code if voucher else "",
        shipping_saved=shipping_saved,
    )


def order_list_for_user(*, user: User) -> QuerySet[Order]:
    """The shopper's orders, newest first, with lines prefetched and `item_count` annotated."""
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    return (
        Order.objects.filter(user_id=user.id)
        .annotate(item_count=Sum("lines__quantity"), line_count=Count("lines"))
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
        .order_by("-created_at", "-id")
    )


def order_access(*, user: User, number: str) -> Order:
    """The order `number` if it belongs to `user`; Http404 otherwise (never reveals that it exists)."""
    if user is None or not user.is_authenticated:
        raise Http404("No such order.")
    order = Order.objects.filter(user_id=user.id, number=str(number)[:20]).first()
    if order is None:
        raise Http404("No such order.")
    return order


def order_detail(*, user: User, number: str) -> Order:
    """The order page's order: the access check's own row with its lines and events prefetched onto it (the
    order is not read twice)."""
    order = order_access(user=user, number=number)
    prefetch_related_objects(
        [order],
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id")),
        Prefetch("events", queryset=OrderStatusEvent.objects.order_by("created_at", "id")),
    )
    return order


@dataclass(frozen=True)
class TimelineStep:
    status: str
    label: str | Promise
    done: bool
    at: datetime | None
    note: str
    current: bool


_FLOW = [
    Order.Status.PLACED,
    Order.Status.PAID,
    Order.Status.SHIPPED,
    Order.Status.DELIVERED,
]


def order_timeline(*, order: Order) -> list[TimelineStep]:
    """Placed, paid, shipped, delivered (and cancelled when it was): done steps carry their time.

    A step the order skipped (pay-on-delivery orders ship before they are paid) counts as done once a later
    step is reached. Uses the prefetched `events` when present.
    """
    events: dict[str, OrderStatusEvent] = {}
    for event in order.events.all():
        events.setdefault(event.status, event)
    if order.status == Order.Status.CANCELLED:
        reached = [status for status in _FLOW if status in events]
        flow: list[str] = [*reached, Order.Status.CANCELLED]
    else:
        flow = list(_FLOW)
    last_reached = max((flow.index(status) for status in events if status in flow), default=0)
    steps = []
    for index, status in enumerate(flow):
        reached_event = events.get(status)
        steps.append(
            TimelineStep(
                status=status,
                label=Order.Status(status).label,
                done=reached_event is not None or index <= last_reached,
                at=reached_event.created_at if reached_event else None,
                note=reached_event.note if reached_event else "",
                current=status == order.status,
            )
        )
    return steps


def address_list_for_user(*, user: User) -> QuerySet[Address]:
    if user is None or not user.is_authenticated:
        return Address.objects.none()
    return Address.objects.filter(user_id=user.id).order_by("-is_default", "-created_at", "-id")


def address_access(*, user: User, address_id: object) -> Address:
    """The address if it belongs to `user`; Http404 otherwise."""
    try:
        number = int(address_id)  # type: ignore[call-overload]  # any input; bad ones are a 404
    except (TypeError, ValueError):
        raise Http404("No such address.") from None
    if not 0 < number < 2**62:
        raise Http404("No such address.")
    address = address_list_for_user(user=user).filter(id=number).first()
    if address is None:
        raise Http404("No such address.")
    return address


def share_purchases_default(*, user: User) -> bool:
    """Whether checkout pre-ticks 'share this purchase with my followers' (any receiver saying True wins;
    social answers with the shopper's profile choice, False without a profile)."""
    return any(purchase_sharing_default.fire(user))
