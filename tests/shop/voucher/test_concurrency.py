"""Twenty shoppers use a five-use code at once, on PostgreSQL: exactly five orders carry it, fifteen get the
"used up" refusal (and no order), and the counter stops at five."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop import services
from shop.models import Order, Voucher, VoucherRedemption
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import CartItemFactory, address_data
from tests.factories.promotions import VoucherFactory
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SHOPPERS = 20
USES = 5


def test_twenty_shoppers_racing_for_a_five_use_code_get_five_orders_with_it():
    product = ProductFactory(price=Decimal("40.00"), stock=100)
    voucher = VoucherFactory(code="FIVE", value=Decimal("10"), max_uses=USES)
    shoppers = [UserFactory(username=f"voucher-racer{i}") for i in range(SHOPPERS)]
    for shopper in shoppers:
        cart = CartItemFactory(cart__user=shopper, product=product, quantity=1).cart
        services.voucher_apply(cart=cart, code="FIVE")

    results = race(
        len(shoppers),
        lambda i: (
            services.order_place(
                user=shoppers[i], idempotency_key=f"voucher-race-{i:04d}", address=address_data()
            ).number
        ),
    )

    kinds = [kind for kind, _ in results]
    assert kinds.count("error") == 0, results
    assert (kinds.count("ok"), kinds.count("voucher_used_up")) == (USES, SHOPPERS - USES)
    assert Order.objects.filter(voucher_code="FIVE", discount=Decimal("4.00")).count() == USES
    assert Order.objects.count() == USES
    voucher.refresh_from_db()
    assert (voucher.used_count, VoucherRedemption.objects.count()) == (USES, USES)
    product.refresh_from_db()
    assert product.stock == 100 - USES


def test_one_shopper_checking_out_two_carts_at_once_uses_a_once_only_code_once():
    product = ProductFactory(price=Decimal("40.00"), stock=100)
    voucher = VoucherFactory(code="ONCE", value=Decimal("10"), max_uses_per_user=1)
    shopper = UserFactory(username="twice")
    cart = CartItemFactory(cart__user=shopper, product=product, quantity=1).cart
    services.voucher_apply(cart=cart, code="ONCE")

    results = race(
        2,
        lambda i: (
            services.order_place(
                user=shopper, idempotency_key=f"twice-{i:04d}", address=address_data()
            ).number
        ),
    )

    assert [kind for kind, _ in results].count("ok") == 1, results
    assert VoucherRedemption.objects.filter(voucher=voucher).count() == 1


def test_the_database_refuses_more_uses_than_the_limit():
    from django.db import IntegrityError, transaction

    voucher = VoucherFactory(max_uses=1, used_count=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Voucher.objects.filter(id=voucher.id).update(used_count=2)
