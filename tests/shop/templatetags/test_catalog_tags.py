"""Cached product cards and the category filter's options."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.template import engines
from django.template.loader import render_to_string

from shop.templatetags.catalog_tags import category_options, product_cards
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _card(product) -> str:
    return render_to_string("shop/partials/product_card.html", {"product": product})


def test_cards_render_like_the_card_template_in_order():
    products = [ProductFactory(name=f"Mug {n}") for n in range(3)]
    assert product_cards(products) == "".join(_card(p) for p in products)


def test_a_cached_card_is_reused_without_rendering(django_assert_num_queries):
    product = ProductFactory(name="Linen shirt")
    product.card_image_url, product.card_image_alt = "", ""  # as the list selectors annotate them
    first = product_cards([product])
    with django_assert_num_queries(0):
        assert product_cards([product]) == first


def test_a_price_change_shows_at_once():
    product = ProductFactory(name="Wool hat", price=Decimal("10.00"))
    product_cards([product])
    product.price = Decimal("12.50")
    assert "12.50" in product_cards([product])


def test_a_deploy_of_new_card_markup_is_a_new_card(monkeypatch):
    product = ProductFactory(name="Rain boots")
    product.card_image_url, product.card_image_alt = "", ""
    product_cards([product])
    new_template = engines["django"].from_string("new markup")
    monkeypatch.setattr("shop.templatetags.catalog_tags.get_template", lambda name: new_template)
    assert product_cards([product]) != "new markup"  # the same deployment: the cached card
    monkeypatch.setattr("shop.templatetags.catalog_tags.deployment_version", lambda: "next")
    assert product_cards([product]) == "new markup"


def test_sold_out_shows_at_once():
    product = ProductFactory(name="Tent", stock=3)
    assert "Sold out" not in product_cards([product])
    product.stock = 0
    assert "Sold out" in product_cards([product])


def test_card_names_are_escaped():
    product = ProductFactory(name="<script>alert(1)</script>")
    html = product_cards([product])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_category_options_mark_the_selected_one_and_escape_names():
    root = CategoryFactory(name="Home & <Garden>", slug="home")
    child = CategoryFactory(name="Lamps", slug="lamps", parent=root)
    root.children_list = [child]
    html = category_options([root], "lamps")
    assert '<option value="lamps" selected>— Lamps</option>' in html
    assert '<option value="home">Home &amp; &lt;Garden&gt;</option>' in html
