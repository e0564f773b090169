"""Models with per-language columns keep Django's grouping: Meta.ordering stays out of an aggregate's GROUP BY."""

import pytest
from django.db.models import Count
from django.utils import translation

from shop.models import Category, Product
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_an_aggregate_over_a_translated_model_groups_by_the_asked_column():
    category = CategoryFactory()
    ProductFactory.create_batch(3, category=category)

    rows = list(
        Product.objects.values("category_id").annotate(total=Count("id")).values_list("total")
    )

    assert rows == [(3,)]


def test_an_explicit_order_by_a_translated_field_uses_the_active_language():
    CategoryFactory(name="Boots", name_zh_hans="靴子")
    CategoryFactory(name="Aprons", name_zh_hans="围裙")

    with translation.override("en"):
        assert [c.name for c in Category.objects.order_by("name")] == ["Aprons", "Boots"]
