"""Promotions and the stacking rule: the biggest cut wins, categories cover their subcategories, a voucher
applies on top of the sale price, and the sale shows on cards, the product page and the cart."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop import selectors, services
from shop.selectors.pricing import discount_share, price_quote
from tests.factories import CategoryFactory, ProductFactory
from tests.factories.commerce import CartItemFactory, address_data
from tests.factories.promotions import PromotionFactory, VoucherFactory

pytestmark = pytest.mark.django_db


def test_a_running_promotion_lowers_the_price_and_names_its_badge(product):
    PromotionFactory(products=[product], percent_off=Decimal("25"), badge="")
    quote = price_quote(product=product)
    assert (quote.price, quote.list_price, quote.badge) == (
        Decimal("14.93"),  # 19.90 x 0.75 = 14.925, rounded half up once
        Decimal("19.90"),
        "-25%",
    )


def test_promotions_do_not_stack_the_biggest_cut_wins(product):
    PromotionFactory(products=[product], percent_off=Decimal("10"))
    PromotionFactory(categories=[product.category], percent_off=Decimal("30"), badge="Winter")
    quote = price_quote(product=product)
    assert (quote.price, quote.badge) == (Decimal("13.93"), "Winter")


def test_a_category_sale_covers_subcategories():
    parent = CategoryFactory(name="Outdoor")
    child = CategoryFactory(name="Tents", parent=parent)
    tent = ProductFactory(category=child, price=Decimal("100.00"))
    PromotionFactory(categories=[parent], percent_off=Decimal("20"))
    assert price_quote(product=tent).price == Decimal("80.00")


@pytest.mark.parametrize(
    ("start", "end"),
    [(1, 2), (-3, -1)],
    ids=["not started", "ended"],
)
def test_a_promotion_outside_its_window_does_not_apply(product, start, end):
    now = timezone.now()
    PromotionFactory(
        products=[product], starts_at=now + timedelta(days=start), ends_at=now + timedelta(days=end)
    )
    assert price_quote(product=product).on_sale is False


def test_voucher_applies_on_top_of_the_sale_price(user):
    product = ProductFactory(price=Decimal("50.00"))
    PromotionFactory(products=[product], percent_off=Decimal("20"))
    cart = CartItemFactory(cart__user=user, product=product, quantity=1).cart
    VoucherFactory(code="TEN", value=Decimal("10"))
    services.voucher_apply(cart=cart, code="TEN")
    order = services.order_place(user=user, idempotency_key="stack-0001", address=address_data())
    line = order.lines.get()
    assert (line.list_price, line.unit_price, line.discount) == (
        Decimal("50.00"),
        Decimal("40.00"),
        Decimal("4.00"),
    )
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("40.00"),
        Decimal("4.00"),
        Decimal("40.90"),
    )


def test_discount_share_adds_up_to_the_total():
    parts = discount_share(total=Decimal("1.00"), weights=[Decimal("1")] * 3)
    assert (parts, sum(parts)) == (
        [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")],
        Decimal("1.00"),
    )


def test_cart_shows_struck_through_price_and_badge(shopper_client, user, product):
    PromotionFactory(products=[product], percent_off=Decimal("50"), badge="Half price")
    CartItemFactory(cart__user=user, product=product, quantity=1)
    html = shopper_client.get("/cart/").content.decode()
    assert '<del class="price-was">19.90</del>' in html
    assert "Half price" in html
    assert selectors.cart_view(cart=user.cart).subtotal == Decimal("9.95")


def test_product_page_and_card_show_the_sale(client, product):
    PromotionFactory(products=[product], percent_off=Decimal("50"), badge="Half price")
    page = client.get(product.get_absolute_url()).content.decode()
    listing = client.get("/products/").content.decode()
    for html in (page, listing):
        assert "Half price" in html
        assert "price-was" in html


def test_boundary_check_refreshes_cached_pages_when_a_sale_starts(product):
    from shop.selectors.categories import catalogue_cache_version

    services.promotions_boundary_check()
    assert services.promotions_boundary_check() is False
    before = catalogue_cache_version()
    PromotionFactory(products=[product])
    assert services.promotions_boundary_check() is True
    assert catalogue_cache_version() != before
