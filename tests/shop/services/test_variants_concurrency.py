"""Twenty shoppers buy the last five units of one variant at once, on PostgreSQL: exactly five orders, fifteen
clear sold-out answers, the variant at zero and its sibling untouched."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shop import services
from shop.models import Order, ProductVariant
from tests.factories import UserFactory
from tests.factories.commerce import CartItemFactory, address_data
from tests.factories.variants import variant_product
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 20
STOCK = 5


def test_twenty_concurrent_buyers_for_five_units_of_a_variant_get_five_orders():
    product, variants = variant_product(
        name="Race Tee",
        sizes=("M", "L"),
        price=Decimal("30.00"),
        stock={"M / Navy": STOCK, "L / Navy": 50},
    )
    medium = variants["M / Navy"]
    buyers = [UserFactory(username=f"variant-racer{i}") for i in range(BUYERS)]
    for buyer in buyers:
        CartItemFactory(cart__user=buyer, product=product, variant=medium, quantity=1)

    results = race(
        BUYERS,
        lambda i: (
            services.order_place(
                user=buyers[i], idempotency_key=f"variant-race-{i:04d}", address=address_data()
            ).number
        ),
    )

    kinds = sorted(kind for kind, _ in results)
    assert kinds.count("error") == 0, results
    assert (kinds.count("ok"), kinds.count("sold_out")) == (STOCK, BUYERS - STOCK)
    assert {message for kind, message in results if kind == "sold_out"} == {
        "Sorry, Race Tee (M / Navy) is sold out."
    }
    assert Order.objects.count() == STOCK
    stock = dict(ProductVariant.objects.values_list("name", "stock"))
    assert (stock["M / Navy"], stock["L / Navy"]) == (0, 50)
    product.refresh_from_db()
    assert (product.stock, product.sold_count) == (50, STOCK)


def test_the_database_refuses_negative_variant_stock():
    _, variants = variant_product(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProductVariant.objects.filter(id=variants["M / Navy"].id).update(stock=-1)
