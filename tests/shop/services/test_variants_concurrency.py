"""Twenty shoppers buy the last five units of one variant at once, on PostgreSQL: exactly five orders, fifteen
clear sold-out answers, the variant at zero and its sibling untouched."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from shop import services
from shop.models import Order, ProductVariant
from tests.factories import UserFactory
from tests.factories.commerce import CartItemFactory, address_data
from tests.factories.variants import variant_product

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

    start = threading.Barrier(BUYERS)
    results: list[tuple[str, str]] = []
    lock = threading.Lock()

    def buy(index: int) -> None:
        try:
            start.wait()
            try:
                order = services.order_place(
                    user=buyers[index],
                    idempotency_key=f"variant-race-{index:04d}",
                    address=address_data(),
                )
                outcome = ("ordered", order.number)
            except services.SoldOut as exc:
                outcome = ("sold_out", exc.messages[0])
            except Exception as exc:  # noqa: BLE001 - recorded and asserted on below
                outcome = ("error", repr(exc))
            with lock:
                results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=buy, args=(i,)) for i in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    kinds = sorted(kind for kind, _ in results)
    assert kinds.count("error") == 0, results
    assert (kinds.count("ordered"), kinds.count("sold_out")) == (STOCK, BUYERS - STOCK)
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
