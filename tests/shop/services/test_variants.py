"""Variants: names from typed values, stock per variant (and the product's sum), the cart's choice rules, orders
that take and give back a variant's stock, per-variant back-in-stock alerts and the bulk stock edit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from shop import selectors, services
from shop.models import CartItem, OrderLine, ProductVariant, StockAlert
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import CartFactory, address_data
from tests.factories.variants import variant_product

pytestmark = pytest.mark.django_db


def test_variant_names_follow_attribute_order_and_product_stock_is_the_sum():
    product, variants = variant_product(sizes=("S", "M"), colours=("Navy", "Red"), stock=3)
    assert sorted(variants) == ["M / Navy", "M / Red", "S / Navy", "S / Red"]
    assert product.stock == 12


def test_a_product_with_real_options_retires_its_default_variant():
    product = ProductFactory(stock=4)
    assert product.variants.get().sku == f"P-{product.id}"
    size = services.attribute_get_or_create(name="Size", kind="size")
    services.variant_create(
        product=product,
        sku="TEE-M",
        values=[services.attribute_value_get_or_create(attribute=size, value="M")],
        stock=2,
    )
    assert list(product.variants.filter(is_active=True).values_list("sku", flat=True)) == ["TEE-M"]
    product.refresh_from_db()
    assert product.stock == 2


def test_duplicate_sku_is_refused():
    product, _ = variant_product(sizes=("M",))
    with pytest.raises(ValidationError, match="already used"):
        services.variant_create(product=product, sku=f"{product.slug}-M-Navy".upper())


def test_cart_needs_a_choice_when_the_product_has_several_options():
    product, _ = variant_product()
    with pytest.raises(ValidationError) as error:
        services.cart_add_item(cart=CartFactory(), product_id=product.id, quantity=1)
    assert error.value.code == "variant_required"


def test_cart_takes_the_only_variant_without_a_choice():
    product = ProductFactory(stock=3)
    item = services.cart_add_item(cart=CartFactory(), product_id=product.id, quantity=1)
    assert item.variant.sku == f"P-{product.id}"


@pytest.mark.parametrize(
    ("setup", "code"),
    [
        ("unknown", "variant_unavailable"),
        ("inactive", "variant_unavailable"),
        ("other_product", "variant_mismatch"),
        ("garbage", "variant_unavailable"),
    ],
)
def test_cart_refuses_a_bad_variant(setup, code):
    product, variants = variant_product()
    other, other_variants = variant_product()
    variant_id: object = {
        "unknown": 10**9,
        "inactive": variants["M / Navy"].id,
        "other_product": other_variants["M / Navy"].id,
        "garbage": "1; DROP",
    }[setup]
    if setup == "inactive":
        ProductVariant.objects.filter(id=variant_id).update(is_active=False)
    with pytest.raises(ValidationError) as error:
        services.cart_add_item(
            cart=CartFactory(), product_id=product.id, variant_id=variant_id, quantity=1
        )
    assert error.value.code == code
    assert not CartItem.objects.exists()


def test_cart_checks_the_variants_own_stock():
    product, variants = variant_product(stock={"S / Navy": 0, "M / Navy": 2, "L / Navy": 9})
    cart = CartFactory()
    with pytest.raises(ValidationError, match=r"S / Navy\) is sold out"):
        services.cart_add_item(
            cart=cart, product_id=product.id, variant_id=variants["S / Navy"].id, quantity=1
        )
    with pytest.raises(ValidationError, match="Only 2"):
        services.cart_add_item(
            cart=cart, product_id=product.id, variant_id=variants["M / Navy"].id, quantity=3
        )


def test_two_options_of_one_product_are_two_lines_with_their_own_prices():
    product, variants = variant_product(
        sizes=("M", "XL"), price=Decimal("20.00"), prices={"XL / Navy": Decimal("24.00")}
    )
    cart = CartFactory()
    for name in ("M / Navy", "XL / Navy"):
        services.cart_add_item(
            cart=cart, product_id=product.id, variant_id=variants[name].id, quantity=1
        )
    view = selectors.cart_view(cart=cart)
    assert [(line.name, line.unit_price) for line in view.lines] == [
        (f"{product.name} (M / Navy)", Decimal("20.00")),
        (f"{product.name} (XL / Navy)", Decimal("24.00")),
    ]
    assert view.subtotal == Decimal("44.00")


def test_order_takes_the_variants_stock_and_cancel_gives_it_back():
    user = UserFactory()
    product, variants = variant_product(stock=5)
    medium = variants["M / Navy"]
    services.cart_add_item(
        cart=services.cart_get_or_create(user=user),
        product_id=product.id,
        variant_id=medium.id,
        quantity=2,
    )
    order = services.order_place(user=user, idempotency_key="variant-0001", address=address_data())
    line = OrderLine.objects.get(order=order)
    assert (line.variant_id, line.variant_name, line.sku) == (medium.id, "M / Navy", medium.sku)
    medium.refresh_from_db()
    product.refresh_from_db()
    assert (medium.stock, product.stock) == (3, 13)
    services.order_cancel(order=order, actor=user)
    medium.refresh_from_db()
    product.refresh_from_db()
    assert (medium.stock, product.stock) == (5, 15)


def test_back_in_stock_alert_waits_for_its_own_variant(django_capture_on_commit_callbacks):
    user = UserFactory()
    product, variants = variant_product(stock={"S / Navy": 0, "M / Navy": 0, "L / Navy": 4})
    alert = services.stock_alert_create(
        user=user, product=product, variant_id=variants["S / Navy"].id
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.product_restock(product=product, quantity=3, variant=variants["M / Navy"])
    alert.refresh_from_db()
    assert alert.notified_at is None
    with django_capture_on_commit_callbacks(execute=True):
        services.variant_stock_set(
            changes=[services.VariantStockChange(variants["S / Navy"].id, expected=0, stock=2)]
        )
    alert.refresh_from_db()
    assert alert.notified_at is not None


def test_an_alert_for_an_option_in_stock_is_refused():
    product, variants = variant_product(stock=2)
    with pytest.raises(ValidationError, match="in stock"):
        services.stock_alert_create(
            user=UserFactory(), product=product, variant_id=variants["M / Navy"].id
        )
    with pytest.raises(ValidationError, match="Choose the option"):
        services.stock_alert_create(user=UserFactory(), product=product)
    assert not StockAlert.objects.exists()


def test_bulk_stock_edit_is_all_or_nothing_when_a_row_moved_meanwhile():
    product, variants = variant_product(stock=5)
    small, medium = variants["S / Navy"], variants["M / Navy"]
    ProductVariant.objects.filter(id=medium.id).update(stock=4)  # an order took one meanwhile
    with pytest.raises(ValidationError, match="changed meanwhile"):
        services.variant_stock_set(
            changes=[
                services.VariantStockChange(small.id, expected=5, stock=50),
                services.VariantStockChange(medium.id, expected=5, stock=50),
            ]
        )
    assert list(product.variants.order_by("position").values_list("stock", flat=True)) == [5, 4, 5]


def test_bulk_stock_edit_sets_stock_and_the_products_sum():
    product, variants = variant_product(stock=5)
    changed = services.variant_stock_set(
        changes=[services.VariantStockChange(variants["L / Navy"].id, expected=5, stock=0)]
    )
    product.refresh_from_db()
    assert (changed, product.stock) == (1, 10)


@pytest.mark.parametrize("stock", [-1, 1_000_001, "7", True])
def test_bulk_stock_edit_refuses_bad_numbers(stock):
    _, variants = variant_product(stock=5)
    with pytest.raises(ValidationError):
        services.variant_stock_set(
            changes=[services.VariantStockChange(variants["S / Navy"].id, expected=5, stock=stock)]
        )


def test_the_picker_chooses_the_first_option_in_stock_and_marks_sold_out_ones():
    product, variants = variant_product(stock={"S / Navy": 0, "M / Navy": 3, "L / Navy": 1})
    choice = selectors.variant_choice(product=product)
    assert choice.selected.name == "M / Navy"
    assert [(o.name, o.available) for o in choice.options] == [
        ("S / Navy", False),
        ("M / Navy", True),
        ("L / Navy", True),
    ]
    assert choice.max_quantity == 3


def test_facets_list_only_values_with_stock():
    variant_product(sizes=("S", "M"), stock={"S / Navy": 0, "M / Navy": 2})
    facets = selectors.attribute_facets()
    assert [(f.attribute.name, [v.value for v in f.values]) for f in facets] == [
        ("Size", ["M"]),
        ("Colour", ["Navy"]),
    ]


def test_back_in_stock_mail_names_the_option_and_links_to_it(django_capture_on_commit_callbacks):
    from django.core import mail

    user = UserFactory(email="ana@example.com")
    product, variants = variant_product(stock={"S / Navy": 0, "M / Navy": 1, "L / Navy": 1})
    small = variants["S / Navy"]
    services.stock_alert_create(user=user, product=product, variant_id=small.id)
    with django_capture_on_commit_callbacks(execute=True):
        services.variant_stock_set(
            changes=[services.VariantStockChange(small.id, expected=0, stock=3)]
        )
    body = mail.outbox[-1].body
    assert "Option: S / Navy" in body
    assert f"?variant={small.id}" in body
