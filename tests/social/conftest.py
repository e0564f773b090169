from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def ana(db):
    return UserFactory(username="ana")


@pytest.fixture
def ben(db):
    return UserFactory(username="ben")


@pytest.fixture
def cleo(db):
    return UserFactory(username="cleo")


_order_counter = {"n": 0}


def make_order(user, products, status="paid"):
    """An order with one line per product (written directly: these tests are about social rules)."""
    from decimal import Decimal

    from shop.models import Order, OrderLine

    _order_counter["n"] += 1
    n = _order_counter["n"]
    order = Order.objects.create(
        user=user,
        number=f"SO-T{n:05d}",
        status=status,
        idempotency_key=f"social-test-{n}",
        ship_name="Ana Example",
        ship_line1="Main Street 1",
        ship_city="Berlin",
        ship_postal_code="10115",
        ship_country="DE",
        shipping_method="standard",
        shipping_cost=Decimal("4.90"),
        subtotal=Decimal("19.90") * len(products),
        total=Decimal("19.90") * len(products) + Decimal("4.90"),
        payment_provider="cod",
    )
    for product in products:
        OrderLine.objects.create(
            order=order,
            product=product,
            product_name=product.name,
            unit_price=product.price,
            quantity=1,
            line_total=product.price,
        )
    return order


@pytest.fixture
def order_for():
    return make_order
