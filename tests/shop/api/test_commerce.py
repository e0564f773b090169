import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from shop.models import Address, CartItem, Order, Product, ProductVariant
from tests.factories import ProductFactory
from tests.factories.commerce import AddressFactory, CartItemFactory, OrderFactory, address_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


PASSWORD = "correct-horse-battery"


@pytest.fixture
def teapot():
    return ProductFactory(name="Teapot", price=Decimal("20.00"), stock=5)


@pytest.fixture
def filled_cart(user, teapot):
    return CartItemFactory(cart__user=user, product=teapot, quantity=2)


def checkout_body(**overrides):
    body = {**address_data(), "shipping_method": "standard", "idempotency_key": "api-key-0001"}
    body.update(overrides)
    return body


def test_token_for_good_credentials_then_token_auth_reads_the_cart(api_client, user, filled_cart):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "shopper1", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    cart = api_client.get("/api/v1/cart/").json()
    assert (cart["item_count"], cart["subtotal"], cart["currency"]) == (2, "40.00", "EUR")


def test_token_for_bad_credentials_is_401_or_403(api_client, user):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "shopper1", "password": "nope"}, format="json"
    )
    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "Wrong username or password."}


def test_cart_requires_authentication(api_client):
    assert api_client.get("/api/v1/cart/").status_code in (401, 403)


def test_cart_add_patch_delete(shopper_api, teapot):
    added = shopper_api.post(
        "/api/v1/cart/items/", {"product_id": teapot.id, "quantity": 2}, format="json"
    )
    assert added.status_code == 201
    assert [(i["product_id"], i["quantity"]) for i in added.json()["items"]] == [(teapot.id, 2)]
    patched = shopper_api.patch(f"/api/v1/cart/items/{teapot.id}/", {"quantity": 4}, format="json")
    assert patched.json()["subtotal"] == "80.00"
    deleted = shopper_api.delete(f"/api/v1/cart/items/{teapot.id}/")
    assert deleted.json()["items"] == []


@pytest.mark.parametrize(
    ("quantity", "status"),
    [
        (0, 400),
        (-1, 400),
        (1.5, 400),
        ("abc", 400),
        (10**9, 400),
        (6, 409),
        (None, 400),
        (True, 400),
    ],
)
def test_cart_add_bad_quantities_are_4xx_with_a_message(shopper_api, teapot, quantity, status):
    response = shopper_api.post(
        "/api/v1/cart/items/", {"product_id": teapot.id, "quantity": quantity}, format="json"
    )
    assert response.status_code == status
    assert json.dumps(response.json())  # a JSON body with a message
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("product_id", [999999, 0, "x", 2**70])
def test_cart_add_unknown_product_is_400(shopper_api, product_id):
    response = shopper_api.post(
        "/api/v1/cart/items/", {"product_id": product_id, "quantity": 1}, format="json"
    )
    assert response.status_code == 400


def test_cart_patch_of_a_product_not_in_the_cart_is_404(shopper_api, teapot):
    response = shopper_api.patch(f"/api/v1/cart/items/{teapot.id}/", {"quantity": 1}, format="json")
    assert response.status_code == 404
    huge = shopper_api.delete(f"/api/v1/cart/items/{10**30}/")
    assert huge.status_code == 404


def test_another_shoppers_cart_is_untouchable(shopper_api, other_user, teapot):
    CartItemFactory(cart__user=other_user, product=teapot, quantity=3)
    assert shopper_api.get("/api/v1/cart/").json()["items"] == []
    assert shopper_api.delete(f"/api/v1/cart/items/{teapot.id}/").status_code == 404
    assert CartItem.objects.get().quantity == 3


def test_checkout_creates_an_order(shopper_api, filled_cart):
    response = shopper_api.post("/api/v1/checkout/", checkout_body(), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["total"], body["subtotal"]) == ("placed", "44.90", "40.00")
    assert body["lines"] == [
        {
            "product_id": filled_cart.product_id,
            "variant_id": filled_cart.variant_id,
            "product_name": "Teapot",
            "variant_name": "",
            "sku": f"P-{filled_cart.product_id}",
            "unit_price": "20.00",
            "quantity": 2,
            "line_total": "40.00",
            "list_price": None,
            "discount": "0.00",
        }
    ]


def test_checkout_ignores_tampered_prices(shopper_api, filled_cart):
    response = shopper_api.post(
        "/api/v1/checkout/",
        checkout_body(total="0.01", subtotal="0.01", unit_price="0.01", shipping_cost="0.00"),
        format="json",
    )
    assert response.json()["total"] == "44.90"


def test_checkout_with_the_approval_card_is_paid(shopper_api, filled_cart):
    response = shopper_api.post(
        "/api/v1/checkout/",
        checkout_body(payment_provider="test_card", card_number="4242 4242 4242 4242"),
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "paid"


def test_checkout_declined_card_is_402_and_keeps_nothing(shopper_api, filled_cart, teapot):
    response = shopper_api.post(
        "/api/v1/checkout/",
        checkout_body(payment_provider="test_card", card_number="4000000000000002"),
        format="json",
    )
    assert response.status_code == 402
    assert response.json()["code"] == "declined"
    assert "declined" in response.json()["detail"]
    assert not Order.objects.exists()
    assert Product.objects.get(id=teapot.id).stock == 5


def test_checkout_sold_out_is_409(shopper_api, filled_cart, teapot):
    Product.objects.filter(id=teapot.id).update(stock=1)
    ProductVariant.objects.filter(product_id=teapot.id).update(stock=1)
    response = shopper_api.post("/api/v1/checkout/", checkout_body(), format="json")
    assert response.status_code == 409
    assert "Teapot" in response.json()["detail"]
    assert not Order.objects.exists()


def test_checkout_twice_with_one_key_returns_the_same_order(shopper_api, filled_cart):
    first = shopper_api.post("/api/v1/checkout/", checkout_body(), format="json")
    second = shopper_api.post("/api/v1/checkout/", checkout_body(), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert Order.objects.count() == 1


def test_checkout_with_a_saved_address(shopper_api, user, filled_cart):
    address = AddressFactory(user=user, city="Dresden")
    response = shopper_api.post(
        "/api/v1/checkout/",
        {"address_id": address.id, "idempotency_key": "api-key-0002"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["ship_to"]["city"] == "Dresden"


def test_checkout_with_another_shoppers_address_is_404(shopper_api, other_user, filled_cart):
    address = AddressFactory(user=other_user)
    response = shopper_api.post(
        "/api/v1/checkout/",
        {"address_id": address.id, "idempotency_key": "api-key-0003"},
        format="json",
    )
    assert response.status_code == 404
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"city": "x" * 10_000},
        {"full_name": "\ud800"},
        {"line1": "a\x00b"},
        {"full_name": ""},
        {"shipping_method": "teleport"},
        {"payment_provider": "iou"},
        {"idempotency_key": "no"},
        {"card_number": "4" * 100},
        {"shipping_method": "\ud800"},
        {"payment_provider": "\udfff"},
    ],
)
def test_checkout_bad_input_is_400_with_a_message_and_keeps_nothing(
    shopper_api, filled_cart, teapot, overrides
):
    # json.dumps escapes lone surrogates as \\udXXX, the way a hostile client would send them.
    body = json.dumps(checkout_body(**overrides))
    response = shopper_api.post("/api/v1/checkout/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()
    assert not Order.objects.exists()
    assert Product.objects.get(id=teapot.id).stock == 5


def test_checkout_accepts_odd_but_valid_unicode(shopper_api, filled_cart):
    response = shopper_api.post(
        "/api/v1/checkout/",
        checkout_body(full_name="Zoë 王小明 🛍️", city="São Paulo\u200b"),
        format="json",
    )
    assert response.status_code == 201
    assert Order.objects.get().ship_name == "Zoë 王小明 🛍️"


def test_malformed_json_is_400(shopper_api, filled_cart):
    response = shopper_api.post(
        "/api/v1/checkout/", data='{"idempotency_key": ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_oversized_json_is_a_4xx(shopper_api, filled_cart, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps(checkout_body(line2="x" * 5000))
    response = shopper_api.post("/api/v1/checkout/", data=body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert not Order.objects.exists()


def test_wrong_content_type_is_415(shopper_api, filled_cart):
    response = shopper_api.post(
        "/api/v1/checkout/",
        data="idempotency_key=abc",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_orders_list_and_detail_and_cancel(shopper_api, filled_cart, teapot):
    number = shopper_api.post("/api/v1/checkout/", checkout_body(), format="json").json()["number"]
    listing = shopper_api.get("/api/v1/orders/").json()
    assert [order["number"] for order in listing["results"]] == [number]
    detail = shopper_api.get(f"/api/v1/orders/{number}/").json()
    assert [event["status"] for event in detail["events"]] == ["placed"]
    cancelled = shopper_api.post(f"/api/v1/orders/{number}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    assert Product.objects.get(id=teapot.id).stock == 5
    again = shopper_api.post(f"/api/v1/orders/{number}/cancel/")
    assert again.status_code == 409
    assert "can no longer be cancelled" in again.json()["detail"]


def test_another_shoppers_order_is_404_in_the_api(shopper_api, other_user):
    order = OrderFactory(user=other_user)
    assert shopper_api.get(f"/api/v1/orders/{order.number}/").status_code == 404
    assert shopper_api.post(f"/api/v1/orders/{order.number}/cancel/").status_code == 404
    assert shopper_api.get("/api/v1/orders/").json()["results"] == []
    order.refresh_from_db()
    assert order.status == "placed"


def test_addresses_crud(shopper_api, user):
    created = shopper_api.post("/api/v1/addresses/", address_data(city="Kiel"), format="json")
    assert created.status_code == 201
    address_id = created.json()["id"]
    assert created.json()["is_default"] is True
    patched = shopper_api.patch(f"/api/v1/addresses/{address_id}/", {"city": "Ulm"}, format="json")
    assert patched.json()["city"] == "Ulm"
    assert [a["city"] for a in shopper_api.get("/api/v1/addresses/").json()] == ["Ulm"]
    assert shopper_api.delete(f"/api/v1/addresses/{address_id}/").status_code == 204
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    "overrides", [{"country": "Germany"}, {"city": "\ud83d"}, {"postal_code": "1" * 21}]
)
def test_addresses_bad_input_is_400(shopper_api, overrides):
    body = json.dumps(address_data(**overrides))
    response = shopper_api.post("/api/v1/addresses/", data=body, content_type="application/json")
    assert response.status_code == 400
    assert not Address.objects.exists()


def test_another_shoppers_address_is_404_in_the_api(shopper_api, other_user):
    address = AddressFactory(user=other_user, city="Mainz")
    url = f"/api/v1/addresses/{address.id}/"
    assert shopper_api.get(url).status_code == 404
    assert shopper_api.patch(url, {"city": "X"}, format="json").status_code == 404
    assert shopper_api.delete(url).status_code == 404
    assert Address.objects.get().city == "Mainz"


def test_schema_documents_the_commerce_endpoints(client):
    response = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    paths = (
        response.json()["paths"] if response["Content-Type"].startswith("application/json") else {}
    )
    if not paths:
        import yaml  # drf-spectacular's default renderer is YAML

        paths = yaml.safe_load(response.content)["paths"]
    for expected in ("/api/v1/checkout/", "/api/v1/cart/items/", "/api/v1/orders/{number}/cancel/"):
        assert expected in paths


@pytest.mark.parametrize(
    ("page", "status", "body"),
    [
        ("0", 400, {"page": ["Page must be a whole number from 1."]}),
        ("x", 400, {"page": ["Page must be a whole number from 1."]}),
        ("1&page=2", 400, {"page": ["Page must be a whole number from 1."]}),
        ("x&page=", 400, {"page": ["Page must be a whole number from 1."]}),
        ("", 200, None),
        ("1", 200, None),
        ("9", 404, {"detail": "Invalid page."}),
    ],
)
def test_order_pages_start_at_1(shopper_api, page, status, body):
    response = shopper_api.get(f"/api/v1/orders/?page={page}")
    assert response.status_code == status
    if body is not None:
        assert response.json() == body


@pytest.mark.parametrize(("field", "value"), [("share_to_followers", "yes"), ("save_address", 0)])
def test_checkout_switches_take_json_booleans_only(shopper_api, filled_cart, field, value):
    response = shopper_api.post("/api/v1/checkout/", checkout_body(**{field: value}), format="json")
    assert (response.status_code, list(response.json())) == (400, [field])
    assert not Order.objects.exists()


def test_an_address_default_flag_takes_a_json_boolean_only(shopper_api):
    response = shopper_api.post(
        "/api/v1/addresses/", {**address_data(), "is_default": 1}, format="json"
    )
    assert (response.status_code, response.json()) == (
        400,
        {"is_default": ["Must be a valid boolean."]},
    )


def test_address_text_fields_take_strings_only(shopper_api):
    response = shopper_api.post("/api/v1/addresses/", {**address_data(), "phone": 5}, format="json")
    assert (response.status_code, response.json()) == (400, {"phone": ["Not a valid string."]})
