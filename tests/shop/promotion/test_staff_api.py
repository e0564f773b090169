"""The staff promotion API: model permissions, usage figures (lines sold at the sale price), 400s on the field
at fault, deactivation ending the sale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from shop import selectors
from shop.models import Promotion
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.factories.commerce import OrderFactory, OrderLineFactory
from tests.factories.promotions import PromotionFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/promotions/"


@pytest.fixture
def manager():
    member = UserFactory(is_staff=True)
    member.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_promotion", "add_promotion", "change_promotion"]
        )
    )
    client = APIClient()
    client.force_authenticate(member)
    return client


def window() -> dict[str, str]:
    now = timezone.now()
    return {"starts_at": now.isoformat(), "ends_at": (now + timedelta(days=2)).isoformat()}


def test_usage_counts_lines_sold_at_the_sale_price(manager):
    category = CategoryFactory()
    product = ProductFactory(category=category, price=Decimal("50.00"))
    PromotionFactory(categories=[category], percent_off=Decimal("20"))
    order = OrderFactory()
    OrderLineFactory(
        order=order,
        product=product,
        list_price=Decimal("50.00"),
        unit_price=Decimal("40.00"),
        quantity=2,
        line_total=Decimal("80.00"),
    )
    OrderLineFactory(order=order, product=product, unit_price=Decimal("50.00"), quantity=1)
    row = manager.get(URL).json()["results"][0]
    assert row["usage"] == {"times_used": 1, "discount_given": "20.00", "orders": 1}


def test_creating_a_sale_on_a_category(manager):
    category = CategoryFactory()
    response = manager.post(
        URL,
        {"name": "Spring", "percent_off": "15", "category_ids": [category.id], **window()},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["category_ids"] == [category.id]


def test_a_window_that_ends_before_it_starts_is_a_400_and_stores_nothing(manager):
    now = timezone.now()
    response = manager.post(
        URL,
        {
            "name": "Backwards",
            "percent_off": "15",
            "product_ids": [ProductFactory().id],
            "starts_at": now.isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.json() == {"ends_at": ["The end must be later than the start."]}
    assert not Promotion.objects.exists()


def test_a_sale_without_products_or_categories_is_a_400(manager):
    response = manager.post(
        URL, {"name": "Nothing", "percent_off": "15", **window()}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["product_ids"]


def test_updating_the_percentage(manager):
    promotion = PromotionFactory(products=[ProductFactory()])
    response = manager.patch(f"{URL}{promotion.id}/", {"percent_off": "30"}, format="json")
    assert response.json()["percent_off"] == "30.00"


def test_deactivating_takes_the_sale_price_away(manager):
    product = ProductFactory(price=Decimal("50.00"))
    promotion = PromotionFactory(products=[product])
    manager.post(f"{URL}{promotion.id}/deactivate/")
    quote = selectors.price_quote(product=product)
    assert not quote.on_sale


def test_listing_needs_the_view_permission():
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))
    assert client.get(URL).status_code == 403
