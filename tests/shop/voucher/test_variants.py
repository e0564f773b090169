"""Vouchers scoped to variants: a code for "M / Navy" discounts only the cart lines of that variant, the same
refusal when no line matches, and the order's lines keep the split."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from common.errors import ServiceError
from shop import selectors, services
from tests.factories.commerce import address_data
from tests.factories.promotions import VoucherFactory
from tests.factories.variants import variant_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee():
    return variant_product(
        sizes=("S", "M"), colours=("Navy", "Red"), stock=10, price=Decimal("20.00")
    )


@pytest.fixture
def cart(user, tee):
    """Three lines of one T-shirt: S / Navy, M / Navy (2 units) and M / Red."""
    product, variants = tee
    cart = services.cart_get_or_create(user=user)
    for name, quantity in (("S / Navy", 1), ("M / Navy", 2), ("M / Red", 1)):
        services.cart_add_item(
            cart=cart, product_id=product.id, quantity=quantity, variant_id=variants[name].id
        )
    return cart


def test_a_code_scoped_to_m_navy_discounts_only_that_line(cart, tee):
    _product, variants = tee
    VoucherFactory(code="NAVYM", value=Decimal("10"), variants=[variants["M / Navy"]])
    quote = services.voucher_apply(cart=cart, code="NAVYM")
    lines = selectors.cart_view(cart=cart).lines
    discounts = dict(zip((line.variant_name for line in lines), quote.line_discounts, strict=True))
    assert quote.discount == Decimal("4.00")  # 10 % of 2 x 20.00
    assert discounts == {
        "S / Navy": Decimal("0.00"),
        "M / Navy": Decimal("4.00"),
        "M / Red": Decimal("0.00"),
    }


def test_a_variant_scope_with_no_matching_line_is_not_applicable(cart, tee):
    _product, variants = tee
    VoucherFactory(code="REDS", value=Decimal("10"), variants=[variants["S / Red"]])
    with pytest.raises(ServiceError) as refused:
        services.voucher_apply(cart=cart, code="REDS")
    assert (refused.value.code, refused.value.message) == (
        "voucher_not_applicable",
        "This code does not apply to the items in your cart.",
    )


def test_variant_and_product_scopes_add_up(cart, tee, product):
    _tee, variants = tee
    services.cart_add_item(cart=cart, product_id=product.id, quantity=1)
    VoucherFactory(
        code="MIX",
        kind="fixed",
        value=Decimal("100"),
        variants=[variants["S / Navy"]],
        products=[product],
    )
    quote = services.voucher_apply(cart=cart, code="MIX")
    assert quote.discount == Decimal("20.00") + product.price


def test_the_order_keeps_the_discount_on_the_variants_line(cart, user, tee):
    _product, variants = tee
    VoucherFactory(code="NAVYM", value=Decimal("10"), variants=[variants["M / Navy"]])
    services.voucher_apply(cart=cart, code="NAVYM")
    order = services.order_place(user=user, idempotency_key="navy-m-1", address=address_data())
    assert order.discount == Decimal("4.00")
    assert sorted((line.variant_name, line.discount) for line in order.lines.all()) == [
        ("M / Navy", Decimal("4.00")),
        ("M / Red", Decimal("0.00")),
        ("S / Navy", Decimal("0.00")),
    ]


def test_api_prices_a_variant_code_on_its_line_only(shopper_api, cart, tee):
    _product, variants = tee
    VoucherFactory(code="NAVYM", value=Decimal("10"), variants=[variants["M / Navy"]])
    response = shopper_api.post("/api/v1/cart/voucher/", {"code": "navym"}, format="json")
    assert response.status_code == 200
    assert (response.json()["subtotal"], response.json()["discount"]) == ("80.00", "4.00")


def test_admin_offers_variants_by_autocomplete(admin_client, tee):
    html = admin_client.get(reverse("admin:shop_voucher_add")).content.decode()
    assert 'name="variants"' in html
    assert "admin-autocomplete" in html
    _product, variants = tee
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "shop", "model_name": "voucher", "field_name": "variants", "term": "M-NAVY"},
    )
    assert found.status_code == 200
    assert [row["id"] for row in found.json()["results"]] == [str(variants["M / Navy"].id)]
