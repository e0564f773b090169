"""`order_detail`: the order page's order, its lines and events, read in three queries (the access check's
row is reused, not read again)."""

from __future__ import annotations

import pytest
from django.http import Http404

from shop.selectors import order_detail
from tests.factories import UserFactory
from tests.factories.commerce import OrderLineFactory

pytestmark = pytest.mark.django_db


def test_the_order_lines_and_events_in_three_queries(django_assert_num_queries):
    line = OrderLineFactory(product_name="Teapot")
    OrderLineFactory(order=line.order, product_name="Cup")
    with django_assert_num_queries(3):
        order = order_detail(user=line.order.user, number=line.order.number)
        names = [item.product_name for item in order.lines.all()]
        list(order.events.all())
    assert names == ["Teapot", "Cup"]


def test_another_shoppers_order_is_not_found():
    line = OrderLineFactory()
    with pytest.raises(Http404):
        order_detail(user=UserFactory(), number=line.order.number)
