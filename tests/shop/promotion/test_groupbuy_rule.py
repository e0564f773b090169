"""Stacking rule 3: a group-buy order is paid at the group price; a running sale does not touch it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop import services
from tests.factories import ProductFactory
from tests.factories.commerce import address_data
from tests.factories.promotions import PromotionFactory

pytestmark = pytest.mark.django_db


def test_group_buy_order_keeps_the_group_price_during_a_sale(user):
    product = ProductFactory(price=Decimal("30.00"), group_price=Decimal("24.00"))
    PromotionFactory(products=[product], percent_off=Decimal("50"))
    order = services.order_create_prepaid(
        user=user,
        product_id=product.id,
        quantity=1,
        unit_price=product.group_price,
        address=address_data(),
        payment_provider="test_card",
        payment_reference="tc-1",
        idempotency_key="group-0001",
    )
    line = order.lines.get()
    assert (line.unit_price, line.list_price, line.discount, order.discount) == (
        Decimal("24.00"),
        None,
        Decimal("0.00"),
        Decimal("0.00"),
    )
