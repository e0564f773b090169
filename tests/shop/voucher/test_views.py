"""The voucher form on the cart and checkout pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories.commerce import CartItemFactory
from tests.factories.promotions import VoucherFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart(user):
    return CartItemFactory(cart__user=user, product__price=Decimal("10.00"), quantity=2).cart


def test_applying_a_code_from_the_cart_redirects_and_shows_the_discount(shopper_client, cart):
    VoucherFactory(code="TEN", value=Decimal("10"))
    response = shopper_client.post("/cart/voucher/", {"code": "ten", "next": "cart"})
    assert (response.status_code, response["Location"]) == (302, "/cart/")
    html = shopper_client.get("/cart/").content.decode()
    assert 'id="cart-discount">−2.00' in html


def test_a_refused_code_shows_on_the_field_with_a_4xx(shopper_client, cart):
    VoucherFactory(code="OLD", ends_at=timezone.now() - timedelta(days=1))
    response = shopper_client.post("/cart/voucher/", {"code": "OLD", "next": "cart"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="voucher-error">This code expired on' in html
    assert 'value="OLD"' in html


def test_htmx_refusal_is_a_plain_text_4xx(shopper_client, cart):
    VoucherFactory(code="GONE", max_uses=1, used_count=1)
    response = shopper_client.post(
        "/cart/voucher/", {"code": "GONE", "next": "checkout"}, HTTP_HX_REQUEST="true"
    )
    assert (response.status_code, response.content.decode()) == (409, "This code has been used up.")


def test_htmx_apply_at_checkout_answers_the_summary(shopper_client, cart):
    VoucherFactory(code="TEN", value=Decimal("10"))
    response = shopper_client.post(
        "/cart/voucher/",
        {"code": "TEN", "next": "checkout", "shipping_method": "express"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'id="checkout-discount">−2.00' in html
    assert 'id="checkout-total">30.90' in html  # 20.00 - 2.00 + 12.90 express


def test_checkout_page_offers_the_voucher_form(shopper_client, cart):
    html = shopper_client.get("/checkout/").content.decode()
    assert 'id="voucher-code-checkout"' in html


def test_removing_the_code(shopper_client, cart):
    VoucherFactory(code="TEN")
    shopper_client.post("/cart/voucher/", {"code": "TEN"})
    shopper_client.post("/cart/voucher/remove/", {"next": "cart"})
    assert "cart-discount" not in shopper_client.get("/cart/").content.decode()


def test_checkout_with_a_used_up_code_keeps_the_cart_and_says_why(shopper_client, cart):
    from shop.models import Voucher

    voucher = VoucherFactory(code="LAST", max_uses=1)
    shopper_client.post("/cart/voucher/", {"code": "LAST"})
    Voucher.objects.filter(id=voucher.id).update(used_count=1)
    page = shopper_client.get("/checkout/")
    form = page.context["form"]
    response = shopper_client.post(
        "/checkout/",
        {
            "idempotency_key": form.initial["idempotency_key"],
            "address_id": "new",
            "full_name": "Ada",
            "line1": "Street 1",
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
            "shipping_method": "standard",
            "payment_provider": "cod",
        },
    )
    assert response.status_code == 409
    assert "This code has been used up." in response.content.decode()
    assert cart.items.count() == 1
