"""The voucher and promotion rules in their one home (`shop.services`): each broken rule names its field, and a
refused save stores nothing."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shop import services
from shop.models import Promotion, Voucher
from tests.factories import CategoryFactory, ProductFactory
from tests.factories.promotions import PromotionFactory, VoucherFactory

pytestmark = pytest.mark.django_db


def voucher_errors(voucher: Voucher | None = None, **values) -> dict[str, list[str]]:
    data = services.VoucherData(**{"code": "SPRING", "value": Decimal("10"), **values})
    with pytest.raises(ValidationError) as caught:
        services.voucher_validate(data=data, voucher=voucher)
    return caught.value.message_dict


def test_a_valid_voucher_is_stored_with_its_scope():
    product = ProductFactory()
    voucher = services.voucher_save(
        data=services.VoucherData(code=" spring ", value=Decimal("15"), product_ids=(product.id,))
    )
    assert (voucher.code, list(voucher.products.all())) == ("SPRING", [product])


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("100.01"), Decimal("-5")])
def test_a_percentage_outside_0_to_100_is_refused(value):
    assert voucher_errors(value=value) == {
        "value": ["A percentage must be above 0 and at most 100."]
    }


def test_a_fixed_amount_of_zero_is_refused():
    assert "value" in voucher_errors(kind=Voucher.Kind.FIXED, value=Decimal("0"))


def test_a_window_that_ends_before_it_starts_is_refused():
    now = timezone.now()
    assert voucher_errors(starts_at=now, ends_at=now - timedelta(days=1)) == {
        "ends_at": ["The end must be later than the start."]
    }


def test_a_scope_naming_missing_rows_lists_their_ids():
    errors = voucher_errors(product_ids=(987654,), category_ids=(876543,), variant_ids=(765432,))
    assert errors == {
        "product_ids": ["There is no product with id 987654."],
        "category_ids": ["There is no category with id 876543."],
        "variant_ids": ["There is no variant with id 765432."],
    }


def test_a_total_limit_below_the_uses_so_far_is_refused():
    voucher = VoucherFactory(code="USED", max_uses=10, used_count=4)
    errors = voucher_errors(voucher, code="USED", max_uses=3)
    assert errors == {"max_uses": ["The total limit must be at least 4 (the uses so far)."]}


def test_a_per_shopper_limit_below_one_is_refused():
    assert "max_uses_per_user" in voucher_errors(max_uses_per_user=0)


def test_a_code_taken_by_another_voucher_is_refused():
    VoucherFactory(code="SPRING")
    assert voucher_errors(code="spring") == {"code": ["Another voucher has this code."]}


def test_a_code_with_spaces_inside_is_refused():
    assert "code" in voucher_errors(code="TWO WORDS")


def test_a_personal_code_for_an_unknown_shopper_is_refused():
    assert voucher_errors(user_id=999999) == {"user_id": ["There is no shopper with id 999999."]}


def test_a_refused_update_changes_nothing():
    product = ProductFactory()
    voucher = VoucherFactory(code="KEEP", value=Decimal("10"), products=[product])
    data = dataclasses.replace(
        services.VoucherData.of(voucher), value=Decimal("50"), product_ids=(product.id, 999999)
    )
    with pytest.raises(ValidationError):
        services.voucher_save(data=data, voucher=voucher)
    voucher.refresh_from_db()
    assert (voucher.value, list(voucher.products.all())) == (Decimal("10.00"), [product])


def test_deactivating_a_voucher_refuses_it_from_then_on():
    voucher = services.voucher_deactivate(voucher=VoucherFactory(code="STOP"))
    assert not Voucher.objects.get(pk=voucher.pk).is_active


def promotion_data(**values) -> services.PromotionData:
    now = timezone.now()
    return services.PromotionData(
        **{
            "name": "Spring sale",
            "percent_off": Decimal("20"),
            "starts_at": now,
            "ends_at": now + timedelta(days=3),
            "category_ids": (CategoryFactory.create().pk,),
            **values,
        }
    )


def test_a_valid_promotion_is_stored():
    promotion = services.promotion_save(data=promotion_data())
    assert Promotion.objects.get(pk=promotion.pk).percent_off == Decimal("20.00")


@pytest.mark.parametrize("percent", [Decimal("0"), Decimal("100")])
def test_a_promotion_percentage_must_be_inside_0_and_100(percent):
    with pytest.raises(ValidationError) as caught:
        services.promotion_validate(data=promotion_data(percent_off=percent))
    assert caught.value.message_dict == {
        "percent_off": ["The percentage must be above 0 and below 100."]
    }


def test_a_promotion_without_a_scope_is_refused():
    with pytest.raises(ValidationError) as caught:
        services.promotion_validate(data=promotion_data(category_ids=()))
    assert list(caught.value.message_dict) == ["product_ids"]


def test_a_refused_promotion_stores_nothing():
    with pytest.raises(ValidationError):
        services.promotion_save(data=promotion_data(category_ids=(999999,)))
    assert not Promotion.objects.exists()


def test_deactivating_a_promotion_ends_the_sale():
    promotion = PromotionFactory(products=[ProductFactory()])
    services.promotion_deactivate(promotion=promotion)
    assert not Promotion.objects.get(pk=promotion.pk).is_active
