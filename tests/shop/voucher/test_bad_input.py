"""Vouchers misused: twice in one order, or by a shopper they do not belong to (at the cart, over the API and at
checkout). Each is refused with its own message and nothing stored changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from common.errors import ServiceError
from shop import selectors, services
from shop.models import CartVoucher, Order, Voucher, VoucherRedemption
from tests.factories.commerce import CartItemFactory, address_data
from tests.factories.promotions import VoucherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(user):
    return CartItemFactory(cart__user=user, product__price=Decimal("10.00"), quantity=3).cart


def _place(user):
    return services.order_place(user=user, idempotency_key="bad-voucher-1", address=address_data())


def test_entering_the_same_code_twice_keeps_one_code_and_one_discount(cart):
    VoucherFactory(code="TEN", value=Decimal("10"))
    services.voucher_apply(cart=cart, code="TEN")
    services.voucher_apply(cart=cart, code="ten")
    summary = selectors.checkout_summary(
        cart=selectors.cart_view(cart=cart), shipping_method="standard"
    )
    assert (CartVoucher.objects.filter(cart=cart).count(), summary.discount) == (
        1,
        Decimal("3.00"),
    )


def test_a_second_redemption_on_one_order_is_refused_and_takes_no_use(cart, user):
    voucher = VoucherFactory(code="TWICE", value=Decimal("10"), max_uses=5, max_uses_per_user=5)
    services.voucher_apply(cart=cart, code="TWICE")
    quote = selectors.checkout_summary(
        cart=selectors.cart_view(cart=cart), shipping_method="standard"
    ).voucher
    assert quote is not None
    order = _place(user)
    with pytest.raises(ServiceError) as refused, transaction.atomic():
        services.voucher_redeem(order=order, quote=quote, user=user)
    assert (refused.value.code, refused.value.status_code) == ("voucher_one_per_order", 409)
    assert (Voucher.objects.get(pk=voucher.pk).used_count, VoucherRedemption.objects.count()) == (
        1,
        1,
    )


def test_another_shoppers_code_over_the_api_is_a_403_and_leaves_the_cart_alone(
    shopper_api, cart, other_user
):
    VoucherFactory(code="MINE", user=other_user)
    response = shopper_api.post("/api/v1/cart/voucher/", {"code": "MINE"}, format="json")
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "This code belongs to another shopper.",
    )
    assert not CartVoucher.objects.filter(cart=cart).exists()


def test_checkout_with_a_code_given_to_another_shopper_meanwhile_is_refused(cart, user, other_user):
    voucher = VoucherFactory(code="GIFT", user=user)
    services.voucher_apply(cart=cart, code="GIFT")
    Voucher.objects.filter(pk=voucher.pk).update(user=other_user)
    with pytest.raises(ServiceError, match="belongs to another shopper"):
        _place(user)
    assert (Order.objects.count(), Voucher.objects.get(pk=voucher.pk).used_count) == (0, 0)
    assert cart.items.count() == 1
