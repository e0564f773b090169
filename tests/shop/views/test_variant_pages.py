"""Variants on pages and the API: the product page's picker (htmx swaps the buy panel, sold-out options are
disabled, price and picture follow), cart lines per option, the filters' "size M in stock", and clear 4xx answers
for bad options."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from shop.models import CartItem, ProductImage, StockAlert
from tests.factories import UserFactory, jpeg_bytes
from tests.factories.variants import variant_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee():
    return variant_product(
        name="Field tee",
        slug="field-tee",
        sizes=("S", "M", "XL"),
        price=Decimal("20.00"),
        prices={"XL / Navy": Decimal("24.00")},
        stock={"S / Navy": 0, "M / Navy": 4, "XL / Navy": 2},
    )


def test_product_page_shows_the_picker_with_sold_out_options_disabled(client, tee):
    product, variants = tee
    html = client.get(product.get_absolute_url()).content.decode()
    small, medium = variants["S / Navy"], variants["M / Navy"]
    assert f'value="{small.id}" disabled' in html
    assert f'value="{medium.id}" checked' in html
    assert "Sold out" in html


def test_choosing_an_option_swaps_the_panel_with_its_price_and_picture(client, tee):
    product, variants = tee
    xl = variants["XL / Navy"]
    picture = ProductImage.objects.create(
        product=product, image=ContentFile(jpeg_bytes(), name="xl.jpg"), alt_text="XL"
    )
    xl.images.add(picture)
    response = client.get(
        f"/product/{product.slug}/variant/", {"variant": xl.id}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "24.00" in html
    assert 'id="variant-panel"' in html
    assert 'hx-swap-oob="true"' in html
    assert picture.image.url in html


def test_a_variant_of_another_product_is_404_on_the_picker(client, tee):
    product, _ = tee
    _other, other_variants = variant_product()
    response = client.get(
        f"/product/{product.slug}/variant/",
        {"variant": other_variants["M / Navy"].id},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404


def test_cart_form_adds_the_chosen_option_and_ignores_a_tampered_price(client, tee):
    product, variants = tee
    response = client.post(
        "/cart/add/",
        {
            "product_id": product.id,
            "variant_id": variants["XL / Navy"].id,
            "quantity": 1,
            "price": "0.01",
        },
    )
    assert response.status_code == 302
    cart = client.get("/cart/").content.decode()
    assert "Field tee (XL / Navy)" in cart
    assert "24.00" in cart


def test_cart_form_without_a_choice_is_a_clear_400(client, tee):
    product, _ = tee
    response = client.post("/cart/add/", {"product_id": product.id, "quantity": 1})
    assert response.status_code == 400
    assert "Choose an option" in response.content.decode()


@pytest.fixture
def api():
    client = APIClient()
    client.force_authenticate(UserFactory())
    return client


def test_api_product_lists_its_variants(api, tee):
    product, variants = tee
    body = api.get(f"/api/v1/products/{product.id}/").json()
    assert [(v["name"], v["price"], v["available"]) for v in body["variants"]] == [
        ("S / Navy", "20.00", False),
        ("M / Navy", "20.00", True),
        ("XL / Navy", "24.00", True),
    ]


@pytest.mark.parametrize(
    ("variant", "status", "code"),
    [
        ("other", 400, "variant_mismatch"),
        ("unknown", 400, "variant_unavailable"),
        ("sold_out", 409, "sold_out"),
        ("missing", 400, "variant_required"),
    ],
)
def test_api_cart_refuses_bad_options(api, tee, variant, status, code):
    product, variants = tee
    _other, other_variants = variant_product()
    body: dict = {"product_id": product.id, "quantity": 1}
    if variant != "missing":
        body["variant_id"] = {
            "other": other_variants["M / Navy"].id,
            "unknown": 10**12,
            "sold_out": variants["S / Navy"].id,
        }[variant]
    response = api.post("/api/v1/cart/items/", body, format="json")
    assert (response.status_code, response.json().get("code")) == (status, code)
    assert not CartItem.objects.exists()


def test_api_cart_refuses_a_price_in_the_body(api, tee):
    product, variants = tee
    response = api.post(
        "/api/v1/cart/items/",
        {"product_id": product.id, "variant_id": variants["M / Navy"].id, "price": "0.01"},
        format="json",
    )
    assert response.status_code == 400
    assert "price" in response.json()


def test_api_cart_lines_carry_the_variant(api, tee):
    product, variants = tee
    medium = variants["M / Navy"]
    api.post(
        "/api/v1/cart/items/",
        {"product_id": product.id, "variant_id": medium.id, "quantity": 2},
        format="json",
    )
    line = api.get("/api/v1/cart/").json()["items"][0]
    assert (line["variant_id"], line["variant_name"], line["sku"]) == (
        medium.id,
        "M / Navy",
        medium.sku,
    )
    removed = api.delete(f"/api/v1/cart/items/{product.id}/?variant_id={medium.id}")
    assert removed.json()["items"] == []


def test_api_stock_alert_for_a_sold_out_option(api, tee):
    product, variants = tee
    small = variants["S / Navy"]
    response = api.post(
        f"/api/v1/products/{product.id}/stock-alert/", {"variant_id": small.id}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {"product_id": product.id, "variant_id": small.id}
    assert StockAlert.objects.get().variant_id == small.id


@pytest.mark.parametrize(
    ("option", "expected"),
    [("size:m", ["field-tee"]), ("size:s", []), ("size:s,size:xl", ["field-tee"])],
)
def test_filters_see_options_in_stock(api, tee, option, expected):
    body = api.get("/api/v1/products/", {"option": option}).json()
    assert [card["slug"] for card in body["results"]] == expected


def test_an_unknown_option_filter_is_400(api, tee):
    response = api.get("/api/v1/products/", {"option": "size:huge"})
    assert response.status_code == 400


def test_list_page_offers_option_facets(client, tee):
    html = client.get("/products/").content.decode()
    assert 'name="option" value="size:m"' in html
    assert 'value="size:s"' not in html  # nothing in stock in S
