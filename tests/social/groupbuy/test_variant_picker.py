"""The group-buy open and join forms pick the option with the product page's htmx picker: sold-out options are
disabled, and picking one swaps in its price and picture (the shop's `product_variant` view) without a reload."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import ProductImage
from social.services import group_buy_open
from tests.factories import ProductImageFactory, UserFactory
from tests.factories.community import APPROVE_CARD, address
from tests.factories.variants import variant_product

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tee():
    return variant_product(
        sizes=("S", "M", "L"),
        stock={"S / Navy": 0, "M / Navy": 4, "L / Navy": 4},
        price=Decimal("19.90"),
        prices={"L / Navy": Decimal("24.00")},
        group_price=Decimal("15.00"),
    )


def open_group(product, variant):
    return group_buy_open(
        creator=UserFactory(),
        product=product,
        target_size=3,
        deadline=timezone.now() + timedelta(days=1),
        address=address(),
        payment_provider="test_card",
        card_number=APPROVE_CARD,
        variant_id=variant.id,
    )


def summary_url(product) -> str:
    return reverse("shop:product_variant", args=[product.slug]) + "?panel=summary"


def pick(client, product, variant):
    """What htmx asks when the shopper picks `variant` in a group-buy form."""
    return client.get(
        reverse("shop:product_variant", args=[product.slug]),
        {"panel": "summary", "variant": variant.id},
        **HTMX,
    )


def test_the_open_form_uses_the_htmx_picker(shopper_client, tee):
    product, _variants = tee
    html = shopper_client.get(
        reverse("social:groupbuy_start", args=[product.slug])
    ).content.decode()
    assert f'hx-get="{summary_url(product)}"' in html
    assert 'hx-target="#variant-summary"' in html


def test_the_join_form_uses_the_htmx_picker_with_sold_out_options_disabled(shopper_client, tee):
    product, variants = tee
    group = open_group(product, variants["M / Navy"])
    html = shopper_client.get(group.get_absolute_url()).content.decode()
    assert f'hx-get="{summary_url(product)}"' in html
    assert f'name="variant" value="{variants["S / Navy"].id}" disabled' in html


def test_picking_an_option_swaps_in_its_price_and_keeps_the_forms_field(shopper_client, tee):
    product, variants = tee
    large = variants["L / Navy"]
    html = pick(shopper_client, product, large).content.decode()
    assert html.lstrip().startswith('<div id="variant-summary"')
    assert "24.00" in html
    assert f'name="variant" value="{large.id}" checked' in html


def test_picking_an_option_swaps_in_its_picture(shopper_client, tee):
    product, variants = tee
    picture: ProductImage = ProductImageFactory.create(product=product, alt_text="Large tee, back")
    variants["L / Navy"].images.add(picture)
    html = pick(shopper_client, product, variants["L / Navy"]).content.decode()
    assert 'alt="Large tee, back"' in html


def test_an_option_of_another_product_is_a_404(shopper_client, tee):
    product, _variants = tee
    _other, other_variants = variant_product(sizes=("XS",))
    assert pick(shopper_client, product, other_variants["XS / Navy"]).status_code == 404


def test_a_join_form_sent_back_with_errors_keeps_the_chosen_option(shopper_client, tee):
    product, variants = tee
    group = open_group(product, variants["M / Navy"])
    large = variants["L / Navy"]
    response = shopper_client.post(
        reverse("social:groupbuy_join", args=[group.id]),
        {"variant": str(large.id), "quantity": "1", "payment_provider": "cod"},
    )
    assert response.status_code == 400
    assert f'name="variant" value="{large.id}" checked' in response.content.decode()
