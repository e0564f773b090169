"""Vouchers: every refusal has its own message, the discount is rounded once and shared over the lines, and the
code and discount are stored on the order and its lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ServiceError
from shop import selectors, services
from shop.models import Order, Voucher, VoucherRedemption
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.factories.commerce import CartItemFactory, address_data
from tests.factories.promotions import VoucherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(user):
    item = CartItemFactory(cart__user=user, product__price=Decimal("10.00"), quantity=3)
    return item.cart


def _place(user, key="vouch-0001"):
    return services.order_place(user=user, idempotency_key=key, address=address_data())


def test_percentage_voucher_lowers_the_checkout_total(cart):
    VoucherFactory(code="TEN", value=Decimal("10"))
    quote = services.voucher_apply(cart=cart, code=" ten ")
    summary = selectors.checkout_summary(
        cart=selectors.cart_view(cart=cart), shipping_method="standard"
    )
    assert (quote.discount, summary.discount, summary.total) == (
        Decimal("3.00"),
        Decimal("3.00"),
        Decimal("31.90"),
    )


@pytest.mark.parametrize(
    ("fields", "code", "message"),
    [
        (
            {"ends_at": timezone.now() - timedelta(hours=1)},
            "voucher_expired",
            "This code expired on",
        ),
        (
            {"starts_at": timezone.now() + timedelta(days=2)},
            "voucher_not_yet_valid",
            "This code is valid from",
        ),
        ({"max_uses": 1, "used_count": 1}, "voucher_used_up", "This code has been used up."),
        ({"min_spend": Decimal("50.00")}, "voucher_min_spend", "Spend at least 50.00"),
        ({"is_active": False}, "voucher_unknown", "There is no voucher with this code."),
    ],
)
def test_a_refused_voucher_says_why(cart, fields, code, message):
    VoucherFactory(code="NOPE", **fields)
    with pytest.raises(ServiceError) as refused:
        services.voucher_apply(cart=cart, code="NOPE")
    assert refused.value.code == code
    assert refused.value.message.startswith(message)
    assert refused.value.field == "code"


def test_unknown_code_is_refused(cart):
    with pytest.raises(ServiceError, match="There is no voucher with this code."):
        services.voucher_apply(cart=cart, code="WHAT")


def test_voucher_for_other_products_is_not_applicable(cart):
    VoucherFactory(code="SHOES", products=[ProductFactory()])
    with pytest.raises(ServiceError) as refused:
        services.voucher_apply(cart=cart, code="SHOES")
    assert (refused.value.code, refused.value.message) == (
        "voucher_not_applicable",
        "This code does not apply to the items in your cart.",
    )


def test_personal_voucher_of_another_shopper_is_not_yours(cart, other_user):
    VoucherFactory(code="ANA", user=other_user)
    with pytest.raises(ServiceError) as refused:
        services.voucher_apply(cart=cart, code="ANA")
    assert (refused.value.code, refused.value.status_code) == ("voucher_not_yours", 403)


def test_voucher_already_used_by_this_shopper_is_refused(cart, user):
    VoucherFactory(code="ONCE", max_uses_per_user=1)
    services.voucher_apply(cart=cart, code="ONCE")
    _place(user)
    CartItemFactory(cart=cart, quantity=1)
    with pytest.raises(ServiceError) as refused:
        services.voucher_apply(cart=cart, code="ONCE")
    assert (refused.value.code, refused.value.message) == (
        "voucher_already_used",
        "You have already used this code.",
    )


def test_a_refused_code_is_not_kept_on_the_cart(cart):
    VoucherFactory(code="GOOD")
    VoucherFactory(code="LATE", ends_at=timezone.now() - timedelta(days=1))
    services.voucher_apply(cart=cart, code="GOOD")
    with pytest.raises(ServiceError):
        services.voucher_apply(cart=cart, code="LATE")
    assert selectors.voucher_for_cart(cart=cart).code == "GOOD"


def test_category_scope_covers_subcategories_and_shares_discount_over_lines_only_in_scope(user):
    shoes = CategoryFactory(name="Shoes")
    boots = CategoryFactory(name="Boots", parent=shoes)
    boot = ProductFactory(category=boots, price=Decimal("33.33"))
    other = ProductFactory(price=Decimal("20.00"))
    cart = CartItemFactory(cart__user=user, product=boot, quantity=1).cart
    CartItemFactory(cart=cart, product=other, quantity=1)
    VoucherFactory(code="SHOE15", value=Decimal("15"), categories=[shoes])
    quote = services.voucher_apply(cart=cart, code="SHOE15")
    assert quote.discount == Decimal("5.00")  # 15 % of 33.33 = 4.9995, rounded once
    assert quote.line_discounts == (Decimal("5.00"), Decimal("0.00"))


def test_percentage_discount_is_rounded_once_and_the_lines_add_up(user):
    cart = CartItemFactory(cart__user=user, product__price=Decimal("0.33"), quantity=1).cart
    for _ in range(2):
        CartItemFactory(cart=cart, product__price=Decimal("0.33"), quantity=1)
    VoucherFactory(code="HALF", value=Decimal("50"))
    quote = services.voucher_apply(cart=cart, code="HALF")
    assert quote.discount == Decimal("0.50")  # 0.495 rounded once, not 3 x 0.17 = 0.51
    assert sum(quote.line_discounts) == Decimal("0.50")


def test_fixed_amount_never_exceeds_the_items_in_scope(cart):
    VoucherFactory(code="BIG", kind=Voucher.Kind.FIXED, value=Decimal("100"))
    assert services.voucher_apply(cart=cart, code="BIG").discount == Decimal("30.00")


def test_free_shipping_voucher_waives_shipping(user):
    cart = CartItemFactory(cart__user=user, product__price=Decimal("10.00"), quantity=1).cart
    VoucherFactory(code="SHIPFREE", kind=Voucher.Kind.FREE_SHIPPING)
    services.voucher_apply(cart=cart, code="SHIPFREE")
    order = _place(user)
    assert (order.shipping_cost, order.total, order.voucher_code) == (
        Decimal("0.00"),
        Decimal("10.00"),
        "SHIPFREE",
    )
    assert VoucherRedemption.objects.get(order=order).amount == Decimal("4.90")


def test_order_stores_code_and_discount_on_order_and_lines(cart, user):
    voucher = VoucherFactory(code="TEN", value=Decimal("10"), max_uses=5)
    services.voucher_apply(cart=cart, code="TEN")
    order = _place(user)
    line = order.lines.get()
    assert (order.voucher_code, order.discount, order.total) == (
        "TEN",
        Decimal("3.00"),
        Decimal("31.90"),
    )
    assert line.discount == Decimal("3.00")
    voucher.refresh_from_db()
    assert voucher.used_count == 1
    assert selectors.voucher_for_cart(cart=cart) is None


def test_checkout_with_a_voucher_that_expired_meanwhile_is_refused_and_nothing_changes(cart, user):
    voucher = VoucherFactory(code="TEN")
    services.voucher_apply(cart=cart, code="TEN")
    Voucher.objects.filter(id=voucher.id).update(ends_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ServiceError) as refused:
        _place(user)
    assert refused.value.code == "voucher_expired"
    assert Order.objects.count() == 0
    assert cart.items.count() == 1


def test_voucher_redeem_refuses_when_the_last_use_went_meanwhile(cart, user):
    voucher = VoucherFactory(code="LAST", max_uses=1)
    services.voucher_apply(cart=cart, code="LAST")
    Voucher.objects.filter(id=voucher.id).update(used_count=1)
    with pytest.raises(ServiceError, match="used up"):
        _place(user)
    assert Order.objects.count() == 0


def test_anonymous_cart_can_hold_a_voucher(db):
    cart = CartItemFactory(cart__user=None, cart__session_key="s" * 32).cart
    VoucherFactory(code="ANON")
    assert services.voucher_apply(cart=cart, code="ANON").code == "ANON"


def test_personal_voucher_needs_sign_in(db):
    cart = CartItemFactory(cart__user=None, cart__session_key="t" * 32).cart
    VoucherFactory(code="MINE", user=UserFactory())
    with pytest.raises(ServiceError, match="Sign in"):
        services.voucher_apply(cart=cart, code="MINE")
