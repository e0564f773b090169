"""The cart page, the cart API and the product page cost the same number of queries whatever the number of
lines or variants (variants with pictures, a running sale and a voucher on the cart)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shop import services
from tests.factories import CategoryFactory, ProductImageFactory
from tests.factories.promotions import PromotionFactory, VoucherFactory
from tests.factories.variants import variant_product

pytestmark = pytest.mark.django_db


def fill_cart(user, lines: int) -> None:
    """`lines` cart lines, each a variant with its own picture, in a category on sale, with a scoped code."""
    category = CategoryFactory()
    PromotionFactory(categories=[category])
    cart = services.cart_get_or_create(user=user)
    for _ in range(lines):
        product, variants = variant_product(sizes=("S", "M"), category=category)
        variant = variants["M / Navy"]
        variant.images.add(ProductImageFactory.create(product=product))
        services.cart_add_item(cart=cart, product_id=product.id, variant_id=variant.id, quantity=1)
    voucher = VoucherFactory(categories=[category])
    services.voucher_apply(cart=cart, code=voucher.code)


def queries(client, url: str) -> int:
    client.get(url)  # the first look fills the caches every later look reads
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def cart_queries(client, lines: int) -> dict[str, int]:
    from tests.factories import UserFactory

    shopper = UserFactory()
    fill_cart(shopper, lines)
    client.force_login(shopper)
    return {
        url: queries(client, url)
        for url in (reverse("shop:cart"), "/api/v1/cart/", "/api/v1/cart/voucher/")
    }


def test_the_cart_page_and_api_cost_the_same_with_1_and_10_lines(client):
    assert cart_queries(client, 1) == cart_queries(client, 10)


def product_page_queries(client, sizes: int) -> int:
    product, variants = variant_product(sizes=tuple(f"S{index}" for index in range(sizes)))
    for variant in variants.values():
        variant.images.add(ProductImageFactory.create(product=product))
    return queries(client, product.get_absolute_url())


def test_the_product_page_costs_the_same_with_1_and_10_variants(shopper_client):
    assert product_page_queries(shopper_client, 1) == product_page_queries(shopper_client, 10)
