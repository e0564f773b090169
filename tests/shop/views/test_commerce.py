from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from shop.models import Cart, CartItem, Order, Product, ProductVariant
from tests.factories import ProductFactory
from tests.factories.commerce import (
    AddressFactory,
    CartItemFactory,
    OrderFactory,
    OrderLineFactory,
    address_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


HTMX = {"HTTP_HX_REQUEST": "true"}


def test_anonymous_cart_add_keeps_a_session_cart(client, product):
    response = client.post(reverse("shop:cart_add"), {"product_id": product.id, "quantity": 2})
    assert response.status_code == 302
    cart = Cart.objects.get()
    assert cart.user is None
    assert cart.session_key == client.session.session_key
    page = client.get(reverse("shop:cart"))
    assert product.name in page.content.decode()
    assert 'data-count="2"' in page.content.decode()


def test_htmx_cart_add_returns_a_fragment_and_a_cart_changed_event(shopper_client, product):
    response = shopper_client.post(
        reverse("shop:cart_add"), {"product_id": product.id, "quantity": 1}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "cart-changed"
    assert "<html" not in response.content.decode()
    assert f"Added 1 × {product.name}" in response.content.decode()


def test_cart_badge_partial_shows_the_count(shopper_client, user):
    CartItemFactory(cart__user=user, quantity=3)
    response = shopper_client.get(reverse("shop:cart_badge"))
    assert 'data-count="3"' in response.content.decode()
    assert 'hx-trigger="cart-changed from:body"' in response.content.decode()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "at least 1"),
        ("-1", "at least 1"),
        ("1.5", "whole number"),
        ("abc", "whole number"),
        ("1000000000", "at most 99"),
        ("", "Enter a quantity"),
        ("11", "Only 10 of"),
    ],
)
def test_htmx_cart_add_bad_quantity_is_a_4xx_with_a_message(
    shopper_client, product, quantity, message
):
    response = shopper_client.post(
        reverse("shop:cart_add"), {"product_id": product.id, "quantity": quantity}, **HTMX
    )
    assert 400 <= response.status_code < 500
    assert message in response.content.decode()
    assert not CartItem.objects.exists()


def test_plain_cart_add_bad_quantity_renders_the_cart_with_the_error(shopper_client, product):
    response = shopper_client.post(
        reverse("shop:cart_add"), {"product_id": product.id, "quantity": "-1"}
    )
    assert response.status_code == 400
    assert "at least 1" in response.content.decode()


@pytest.mark.parametrize("product_id", ["999999", "abc", "-5", ""])
def test_cart_add_unknown_product_is_a_4xx(shopper_client, product_id):
    response = shopper_client.post(
        reverse("shop:cart_add"), {"product_id": product_id, "quantity": 1}, **HTMX
    )
    assert response.status_code == 400
    assert "not available" in response.content.decode()


def test_cart_add_sold_out_is_409(shopper_client):
    product = ProductFactory(stock=0, name="Vase")
    response = shopper_client.post(
        reverse("shop:cart_add"), {"product_id": product.id, "quantity": 1}, **HTMX
    )
    assert response.status_code == 409
    assert "Vase is sold out" in response.content.decode()


def test_htmx_cart_update_returns_the_cart_fragment(shopper_client, user, product):
    CartItemFactory(cart__user=user, product=product, quantity=1)
    response = shopper_client.post(
        reverse("shop:cart_update", args=[product.id]), {"quantity": "3"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "cart-changed"
    assert 'id="cart"' in response.content.decode()
    assert CartItem.objects.get().quantity == 3


def test_cart_update_bad_quantity_changes_nothing(shopper_client, user, product):
    CartItemFactory(cart__user=user, product=product, quantity=2)
    response = shopper_client.post(
        reverse("shop:cart_update", args=[product.id]), {"quantity": "0"}, **HTMX
    )
    assert response.status_code == 400
    assert CartItem.objects.get().quantity == 2


def test_plain_cart_update_redirects_to_the_cart(shopper_client, user, product):
    CartItemFactory(cart__user=user, product=product, quantity=2)
    response = shopper_client.post(
        reverse("shop:cart_update", args=[product.id]), {"quantity": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("shop:cart")


def test_htmx_cart_remove_returns_the_cart_fragment(shopper_client, user, product):
    CartItemFactory(cart__user=user, product=product)
    response = shopper_client.post(reverse("shop:cart_remove", args=[product.id]), **HTMX)
    assert response.status_code == 200
    assert "Your cart is empty" in response.content.decode()
    assert not CartItem.objects.exists()


def test_another_shoppers_cart_item_cannot_be_changed(shopper_client, other_user, product):
    CartItemFactory(cart__user=other_user, product=product, quantity=2)
    update = shopper_client.post(reverse("shop:cart_update", args=[product.id]), {"quantity": "5"})
    remove = shopper_client.post(reverse("shop:cart_remove", args=[product.id]))
    assert (update.status_code, remove.status_code) == (404, 404)
    assert CartItem.objects.get().quantity == 2


def test_login_merges_the_session_cart(client, user, product):
    client.post(reverse("shop:cart_add"), {"product_id": product.id, "quantity": 2})
    response = client.post(
        reverse("shop:login"), {"username": "shopper1", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert list(CartItem.objects.values_list("cart__user_id", "quantity")) == [(user.id, 2)]


def checkout_post(client, key="form-key-0001", **overrides):
    data = {
        "address_id": "new",
        **address_data(),
        "shipping_method": "standard",
        "payment_provider": "cod",
        "card_number": "",
        "idempotency_key": key,
    }
    data.update(overrides)
    return client.post(reverse("shop:checkout"), data)


@pytest.fixture
def filled_cart(user):
    product = ProductFactory(name="Teapot", price=Decimal("20.00"), stock=5)
    return CartItemFactory(cart__user=user, product=product, quantity=1)


def test_checkout_page_renders_a_fresh_idempotency_key_and_summary(shopper_client, filled_cart):
    response = shopper_client.get(reverse("shop:checkout"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="idempotency_key"' in body
    assert 'id="checkout-total">24.90<' in body


def test_checkout_with_an_empty_cart_redirects_to_the_cart(shopper_client):
    response = shopper_client.get(reverse("shop:checkout"))
    assert response["Location"] == reverse("shop:cart")


def test_checkout_requires_login(client):
    response = client.get(reverse("shop:checkout"))
    assert response.status_code == 302
    assert reverse("shop:login") in response["Location"]


def test_checkout_places_the_order_and_redirects_to_it(shopper_client, filled_cart):
    response = checkout_post(shopper_client)
    order = Order.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert order.total == Decimal("24.90")


def test_checkout_ignores_tampered_price_fields(shopper_client, filled_cart):
    checkout_post(shopper_client, total="0.01", subtotal="0.01", price="0.01", shipping_cost="0")
    assert Order.objects.get().total == Decimal("24.90")


def test_checkout_double_submit_gives_one_order(shopper_client, filled_cart):
    first = checkout_post(shopper_client, key="double-0001")
    second = checkout_post(shopper_client, key="double-0001")
    assert first["Location"] == second["Location"]
    assert Order.objects.count() == 1


def test_checkout_declined_card_shows_a_message_and_keeps_nothing(shopper_client, filled_cart):
    response = checkout_post(
        shopper_client, payment_provider="test_card", card_number="4000 0000 0000 0002"
    )
    assert response.status_code == 402
    assert "Your card was declined" in response.content.decode()
    assert not Order.objects.exists()
    assert Product.objects.get(id=filled_cart.product_id).stock == 5


def test_checkout_sold_out_shows_a_message_naming_the_product(shopper_client, filled_cart):
    Product.objects.filter(id=filled_cart.product_id).update(stock=0)
    ProductVariant.objects.filter(product_id=filled_cart.product_id).update(stock=0)
    response = checkout_post(shopper_client)
    assert response.status_code == 409
    assert "Teapot is sold out" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_with_missing_address_fields_is_a_form_error(shopper_client, filled_cart):
    response = checkout_post(shopper_client, city="", full_name="")
    assert response.status_code == 400
    assert "required for a new address" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_with_control_characters_is_a_form_error(shopper_client, filled_cart):
    response = checkout_post(shopper_client, city="Ber\x01lin")
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_with_another_shoppers_address_is_refused(shopper_client, other_user, filled_cart):
    address = AddressFactory(user=other_user)
    response = checkout_post(shopper_client, address_id=str(address.id))
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_checkout_summary_fragment_prices_express(shopper_client, filled_cart):
    response = shopper_client.get(reverse("shop:checkout_summary"), {"shipping_method": "express"})
    assert 'id="checkout-total">32.90<' in response.content.decode()


def _order_queries(client):
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse("shop:order_list"))
    order_sql = [q["sql"] for q in context.captured_queries if '"shop_order' in q["sql"]]
    return response, len(context.captured_queries), len(order_sql)


def test_order_history_has_a_fixed_query_count(shopper_client, user):
    for _ in range(2):
        OrderLineFactory(order__user=user)
    shopper_client.get(reverse("shop:order_list"))  # warm caches (category nav)
    small, small_total, small_orders = _order_queries(shopper_client)
    for _ in range(12):
        line = OrderLineFactory(order__user=user)
        OrderLineFactory(order=line.order)
    large, large_total, large_orders = _order_queries(shopper_client)
    # count, orders, lines: three order queries however many orders; the page total does not grow either.
    assert (small_orders, large_orders) == (3, 3)
    assert small_total == large_total
    assert small.content.decode().count('class="order-status') == 2
    assert large.content.decode().count('class="order-status') == 14


def test_order_detail_shows_timeline_and_slots(shopper_client, user):
    order = OrderLineFactory(order__user=user, product_name="Teapot").order
    response = shopper_client.get(order.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert "Teapot" in body
    assert 'class="order-timeline"' in body
    assert 'id="cancel-order"' in body


def test_another_shoppers_order_is_404(shopper_client, other_user):
    order = OrderFactory(user=other_user)
    assert shopper_client.get(order.get_absolute_url()).status_code == 404
    cancel = shopper_client.post(reverse("shop:order_cancel", args=[order.number]))
    assert cancel.status_code == 404
    order.refresh_from_db()
    assert order.status == "placed"


def test_shopper_cancels_an_order_before_shipping(shopper_client, user):
    line = OrderLineFactory(order__user=user, product__stock=1, quantity=2)
    response = shopper_client.post(reverse("shop:order_cancel", args=[line.order.number]))
    assert response.status_code == 302
    assert Product.objects.get(id=line.product_id).stock == 3
    assert Order.objects.get().status == "cancelled"


def test_cancelling_a_shipped_order_is_refused_with_a_message(shopper_client, user):
    order = OrderFactory(user=user, status="shipped")
    response = shopper_client.post(reverse("shop:order_cancel", args=[order.number]))
    assert response.status_code == 409
    assert "can no longer be cancelled" in response.content.decode()


def _page_query_count(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["shop:cart", "shop:checkout"])
def test_cart_and_checkout_pages_have_a_fixed_query_count(shopper_client, user, name):
    cart = CartItemFactory(cart__user=user).cart
    url = reverse(name)
    _page_query_count(shopper_client, url)  # warm caches (category nav)
    one_line = _page_query_count(shopper_client, url)
    for _ in range(9):
        CartItemFactory(cart=cart)
    assert _page_query_count(shopper_client, url) == one_line
