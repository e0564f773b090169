"""Twenty shoppers buy the last five units at once, on PostgreSQL: exactly five orders, fifteen clear sold-out
answers, stock exactly zero."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from shop import services
from shop.models import Order, Product
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import CartItemFactory, address_data
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BUYERS = 20
STOCK = 5


def test_twenty_concurrent_buyers_for_five_units_get_five_orders():
    product = ProductFactory(name="Last Lamp", price=Decimal("30.00"), stock=STOCK)
    buyers = [UserFactory(username=f"racer{i}") for i in range(BUYERS)]
    for buyer in buyers:
        CartItemFactory(cart__user=buyer, product=product, quantity=1)

    results = race(
        BUYERS,
        lambda i: (
            services.order_place(
                user=buyers[i], idempotency_key=f"race-{i:04d}", address=address_data()
            ).number
        ),
    )

    kinds = sorted(kind for kind, _ in results)
    assert kinds.count("error") == 0, results
    assert (kinds.count("ok"), kinds.count("sold_out")) == (STOCK, BUYERS - STOCK)
    assert {message for kind, message in results if kind == "sold_out"} == {
        "Sorry, Last Lamp is sold out."
    }
    product.refresh_from_db()
    assert (product.stock, product.sold_count) == (0, STOCK)
    assert Order.objects.count() == STOCK


def test_the_database_refuses_negative_stock():
    from django.db import IntegrityError, transaction

    product = ProductFactory(stock=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.filter(id=product.id).update(stock=-1)


def test_five_simultaneous_submits_of_one_checkout_make_one_order():
    product = ProductFactory(stock=10)
    buyer = UserFactory(username="impatient")
    CartItemFactory(cart__user=buyer, product=product, quantity=2)
    start = threading.Barrier(5)
    numbers: list[str] = []
    errors: list[str] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            start.wait()
            try:
                order = services.order_place(
                    user=buyer, idempotency_key="same-form-0001", address=address_data()
                )
                with lock:
                    numbers.append(order.number)
            except Exception as exc:  # noqa: BLE001 - asserted on below
                with lock:
                    errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Every submit either got the one order or found the cart already empty after it was placed.
    assert len(set(numbers)) == 1, (numbers, errors)
    assert all("cart is empty" in error for error in errors), errors
    assert Order.objects.count() == 1
    product.refresh_from_db()
    assert product.stock == 8
