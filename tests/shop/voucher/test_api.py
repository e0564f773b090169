"""The voucher and promotion API: the priced cart, each refusal's status and body, the OpenAPI schema."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories.commerce import CartItemFactory
from tests.factories.promotions import PromotionFactory, VoucherFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/cart/voucher/"


@pytest.fixture
def cart(user):
    return CartItemFactory(cart__user=user, product__price=Decimal("10.00"), quantity=2).cart


def test_applying_a_code_answers_the_priced_cart(shopper_api, cart):
    VoucherFactory(code="TEN", value=Decimal("10"))
    response = shopper_api.post(URL, {"code": "ten"}, format="json")
    line = cart.items.get()
    assert response.status_code == 200
    assert response.json() == {
        "voucher_code": "TEN",
        "voucher_problem": "",
        "applies_to_lines": [
            {"product_id": line.product_id, "variant_id": line.variant_id, "discount": "2.00"}
        ],
        "subtotal": "20.00",
        "discount": "2.00",
        "shipping_cost": "4.90",
        "free_shipping": False,
        "total": "22.90",
        "currency": "EUR",
    }


@pytest.mark.parametrize("scope", ["products", "categories", "variants"])
def test_a_scoped_code_names_only_the_lines_it_applies_to(shopper_api, cart, scope):
    covered = cart.items.get()
    other = CartItemFactory(cart=cart, product__price=Decimal("5.00"), quantity=1)
    target = {
        "products": covered.product,
        "categories": covered.product.category,
        "variants": covered.variant,
    }[scope]
    voucher = VoucherFactory(code="SCOPED", value=Decimal("10"))
    getattr(voucher, scope).set([target])

    body = shopper_api.post(URL, {"code": "SCOPED"}, format="json").json()

    assert (body["discount"], body["applies_to_lines"]) == (
        "2.00",
        [{"product_id": covered.product_id, "variant_id": covered.variant_id, "discount": "2.00"}],
    )
    assert other.product_id not in {line["product_id"] for line in body["applies_to_lines"]}


def test_without_a_code_no_line_is_named(shopper_api, cart):
    assert shopper_api.get(URL).json()["applies_to_lines"] == []


def test_the_schema_describes_the_lines_a_code_applies_to(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    assert components["CartPricing"]["properties"]["applies_to_lines"]["items"] == {
        "$ref": "#/components/schemas/VoucherLine"
    }
    assert set(components["VoucherLine"]["properties"]) == {"product_id", "variant_id", "discount"}


def test_an_expired_code_is_a_400_on_the_code_field(shopper_api, cart):
    VoucherFactory(code="OLD", ends_at=timezone.now() - timedelta(days=1))
    response = shopper_api.post(URL, {"code": "OLD"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"][0].startswith("This code expired on")


def test_a_used_up_code_is_a_409_with_its_code(shopper_api, cart):
    VoucherFactory(code="GONE", max_uses=1, used_count=1)
    response = shopper_api.post(URL, {"code": "GONE"}, format="json")
    assert (response.status_code, response.json()) == (
        409,
        {"detail": "This code has been used up.", "code": "voucher_used_up"},
    )


def test_removing_the_code(shopper_api, cart):
    VoucherFactory(code="TEN")
    shopper_api.post(URL, {"code": "TEN"}, format="json")
    assert shopper_api.delete(URL).json()["voucher_code"] == ""


def test_running_promotions_are_listed(api_client, product):
    promotion = PromotionFactory(name="Winter", products=[product])
    PromotionFactory(
        starts_at=timezone.now() + timedelta(days=1), ends_at=timezone.now() + timedelta(days=2)
    )
    response = api_client.get("/api/v1/promotions/")
    assert [(row["id"], row["badge"], row["product_ids"]) for row in response.json()] == [
        (promotion.id, "-20%", [product.id])
    ]


def test_schema_names_the_new_operations(api_client):
    paths = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {
        "/api/v1/cart/voucher/",
        "/api/v1/promotions/",
        "/api/v1/orders/{number}/returns/",
        "/api/v1/returns/{return_id}/decision/",
    } <= set(paths)
