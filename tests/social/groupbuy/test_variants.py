"""Group-buy members commit to a variant: it is validated, its stock is reserved and given back, and the
member's order line is for it; the pages show the picker and the API takes `variant`."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from shop.models import OrderLine, ProductVariant
from social.models import GroupBuyMember
from social.services import GroupBuyError, group_buy_join, group_buy_leave, group_buy_open
from tests.factories import UserFactory
from tests.factories.community import APPROVE_CARD, address, group_product
from tests.factories.variants import variant_product

pytestmark = pytest.mark.django_db


def tee(stock: int | dict[str, int] = 5):
    return variant_product(
        sizes=("S", "M", "L"),
        colours=("Navy",),
        stock=stock,
        price=Decimal("19.90"),
        group_price=Decimal("15.00"),
    )


def open_group(product, variant=None, target_size=3, creator=None):
    return group_buy_open(
        creator=creator or UserFactory(),
        product=product,
        target_size=target_size,
        deadline=timezone.now() + timedelta(days=1),
        address=address(),
        payment_provider="test_card",
        card_number=APPROVE_CARD,
        variant_id=variant.id if variant is not None else None,
    )


def join(group, variant=None, user=None, quantity=1):
    return group_buy_join(
        group_id=group.id,
        user=user or UserFactory(),
        address=address(),
        payment_provider="cod",
        quantity=quantity,
        variant_id=variant.id if variant is not None else None,
    )


def stock(variant) -> int:
    return ProductVariant.objects.get(id=variant.id).stock


def test_join_with_a_chosen_variant_reserves_that_variant():
    product, variants = tee(stock=5)
    small, medium = variants["S / Navy"], variants["M / Navy"]
    group = open_group(product, small)
    member = join(group, medium, quantity=2)
    assert member.variant_id == medium.id
    assert (stock(small), stock(medium), stock(variants["L / Navy"])) == (4, 3, 5)
    product.refresh_from_db()
    assert product.stock == 15 - 3


def test_a_sold_out_first_size_does_not_stop_the_group():
    product, variants = tee(stock={"S / Navy": 0, "M / Navy": 4, "L / Navy": 4})
    group = open_group(product, variants["M / Navy"])
    assert (group.member_count, stock(variants["M / Navy"]), stock(variants["S / Navy"])) == (
        1,
        3,
        0,
    )


def test_a_sold_out_variant_is_refused_on_the_variant_field():
    product, variants = tee(stock={"S / Navy": 0, "M / Navy": 4, "L / Navy": 4})
    group = open_group(product, variants["M / Navy"])
    with pytest.raises(GroupBuyError) as refused:
        join(group, variants["S / Navy"])
    assert (refused.value.code, refused.value.field) == ("out_of_stock", "variant")
    assert refused.value.message == "Sorry, S / Navy is out of stock."
    group.refresh_from_db()
    assert group.member_count == 1


def test_a_variant_of_another_product_is_refused():
    product, variants = tee()
    _other, other_variants = tee()
    group = open_group(product, variants["S / Navy"])
    with pytest.raises(GroupBuyError) as refused:
        join(group, other_variants["M / Navy"])
    assert (refused.value.code, refused.value.field) == ("variant_invalid", "variant")
    assert "not available for this product" in refused.value.message
    assert stock(other_variants["M / Navy"]) == 5
    assert GroupBuyMember.objects.filter(group=group).count() == 1


def test_an_inactive_variant_is_refused():
    product, variants = tee()
    ProductVariant.objects.filter(id=variants["L / Navy"].id).update(is_active=False)
    with pytest.raises(GroupBuyError) as refused:
        open_group(product, variants["L / Navy"])
    assert (refused.value.code, refused.value.field) == ("variant_invalid", "variant")


@pytest.mark.parametrize("when", ["open", "join"])
def test_several_variants_and_none_chosen_asks_to_choose(when):
    product, variants = tee()
    if when == "open":
        with pytest.raises(GroupBuyError) as refused:
            open_group(product)
    else:
        group = open_group(product, variants["S / Navy"])
        with pytest.raises(GroupBuyError) as refused:
            join(group)
    assert (refused.value.code, refused.value.field, refused.value.message) == (
        "variant_required",
        "variant",
        "Choose a size or colour.",
    )


def test_a_product_with_one_variant_needs_no_choice():
    product = group_product(stock=10)
    group = open_group(product)
    member = GroupBuyMember.objects.get(group=group)
    assert member.variant == ProductVariant.objects.get(product=product)


def test_leave_restores_that_variant():
    product, variants = tee(stock=5)
    group = open_group(product, variants["S / Navy"])
    user = UserFactory()
    join(group, variants["L / Navy"], user=user, quantity=2)
    assert stock(variants["L / Navy"]) == 3
    group_buy_leave(group_id=group.id, user=user)
    assert (stock(variants["S / Navy"]), stock(variants["L / Navy"])) == (4, 5)
    product.refresh_from_db()
    assert product.stock == 14


def test_expiry_restores_each_members_variant():
    from social.services import group_buy_expire

    product, variants = tee(stock=5)
    group = open_group(product, variants["S / Navy"])
    join(group, variants["M / Navy"], quantity=3)
    group.__class__.objects.filter(id=group.id).update(deadline=timezone.now() - timedelta(1))
    assert group_buy_expire(group_id=group.id) is True
    assert [stock(v) for v in variants.values()] == [5, 5, 5]


def test_completion_order_lines_carry_each_members_variant(django_capture_on_commit_callbacks):
    product, variants = tee(stock=5)
    host, ben, cho = UserFactory(), UserFactory(), UserFactory()
    group = open_group(product, variants["S / Navy"], creator=host)
    join(group, variants["M / Navy"], user=ben)
    with django_capture_on_commit_callbacks(execute=True):
        join(group, variants["L / Navy"], user=cho, quantity=2)
    group.refresh_from_db()
    assert group.status == "completed"
    lines = OrderLine.objects.filter(order__user__in=[host, ben, cho])
    assert sorted(
        (line.order.user.username, line.variant_id, line.variant_name, line.sku, line.quantity)
        for line in lines
    ) == sorted(
        [
            (host.username, variants["S / Navy"].id, "S / Navy", variants["S / Navy"].sku, 1),
            (ben.username, variants["M / Navy"].id, "M / Navy", variants["M / Navy"].sku, 1),
            (cho.username, variants["L / Navy"].id, "L / Navy", variants["L / Navy"].sku, 2),
        ]
    )
    # Reserved at join time, not taken again when the orders are placed.
    assert [stock(v) for v in variants.values()] == [4, 4, 3]


# --- API --------------------------------------------------------------------------------------------


API_ADDRESS = {
    "full_name": "Ana Example",
    "line1": "Hauptstr. 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
}


def test_api_join_takes_a_variant(shopper_api):
    product, variants = tee()
    group = open_group(product, variants["S / Navy"])
    medium = variants["M / Navy"]
    response = shopper_api.post(
        f"/api/v1/social/group-buys/{group.id}/join/",
        {"address": API_ADDRESS, "payment_provider": "cod", "variant": medium.id},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["variant"], body["variant_name"], body["status"]) == (
        medium.id,
        "M / Navy",
        "active",
    )
    assert stock(medium) == 4


def test_api_open_without_a_variant_of_a_sized_product_is_400(shopper_api):
    product, _variants = tee()
    response = shopper_api.post(
        "/api/v1/social/group-buys/",
        {
            "product_id": product.id,
            "target_size": 3,
            "deadline": (timezone.now() + timedelta(days=1)).isoformat(),
            "address": API_ADDRESS,
            "payment_provider": "cod",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["variant"] == ["Choose a size or colour."]


def test_openapi_schema_says_join_takes_a_variant(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    schemas = schema["components"]["schemas"]
    for name in ("GroupBuyCommit", "GroupBuyOpen"):
        assert schemas[name]["properties"]["variant"]["type"] == "integer"
        assert schemas[name]["properties"]["variant"]["nullable"] is True
        assert "variant" not in schemas[name].get("required", [])
    assert "variant" in schemas["GroupBuyCommitValidationError"]["properties"]
    membership = schemas["GroupBuyMembership"]["properties"]
    assert {"variant", "variant_name"} <= set(membership)


# --- pages ------------------------------------------------------------------------------------------


FORM = {
    "full_name": "Ana Example",
    "line1": "Hauptstr. 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "DE",
    "quantity": "1",
    "payment_provider": "cod",
}


def test_join_form_offers_the_variants_with_sold_out_ones_disabled(shopper_client):
    product, variants = tee(stock={"S / Navy": 0, "M / Navy": 4, "L / Navy": 4})
    group = open_group(product, variants["M / Navy"])
    html = shopper_client.get(group.get_absolute_url()).content.decode()
    small, medium = variants["S / Navy"], variants["M / Navy"]
    assert f'name="variant" value="{small.id}" disabled' in html
    assert f'name="variant" value="{medium.id}" checked' in html


def test_open_form_offers_the_variants(shopper_client):
    product, variants = tee()
    html = shopper_client.get(reverse("social:groupbuy_start", args=[product.slug])).content
    assert f'value="{variants["L / Navy"].id}"'.encode() in html


def test_join_from_the_page_with_a_variant(shopper_client, user):
    product, variants = tee()
    group = open_group(product, variants["S / Navy"])
    response = shopper_client.post(
        reverse("social:groupbuy_join", args=[group.id]),
        {**FORM, "variant": str(variants["L / Navy"].id)},
    )
    assert response.status_code == 302
    assert GroupBuyMember.objects.get(user=user).variant_id == variants["L / Navy"].id


def test_join_from_the_page_without_a_variant_shows_the_error(shopper_client):
    product, variants = tee()
    group = open_group(product, variants["S / Navy"])
    response = shopper_client.post(reverse("social:groupbuy_join", args=[group.id]), FORM)
    assert response.status_code == 400
    assert "Choose a size or colour." in response.content.decode()


def test_admin_shows_the_members_variant(admin_client):
    product, variants = tee()
    group = open_group(product, variants["M / Navy"])
    member = GroupBuyMember.objects.get(group=group)
    page = admin_client.get(reverse("admin:social_groupbuymember_change", args=[member.id]))
    assert page.status_code == 200
    assert variants["M / Navy"].sku in page.content.decode()
    listing = admin_client.get(reverse("admin:social_groupbuy_change", args=[group.id]))
    assert variants["M / Navy"].sku in listing.content.decode()
