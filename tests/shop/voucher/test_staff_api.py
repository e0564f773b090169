"""The staff voucher API: model permissions guard it, usage figures come with each voucher, every broken rule is
a 400 on its field, and a refused write stores nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from shop.models import User, Voucher, VoucherRedemption
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import OrderFactory
from tests.factories.promotions import VoucherFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/vouchers/"


def staff_api(*codenames: str) -> APIClient:
    member: User = UserFactory(is_staff=True)  # type: ignore[assignment]
    member.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client = APIClient()
    client.force_authenticate(member)
    return client


@pytest.fixture
def manager():
    return staff_api("view_voucher", "add_voucher", "change_voucher")


def test_listing_shows_usage_figures(manager):
    voucher = VoucherFactory(code="USED", used_count=2)
    for amount in ("3.00", "4.50"):
        order = OrderFactory()
        VoucherRedemption.objects.create(
            voucher=voucher, user=order.user, order=order, sequence=1, amount=Decimal(amount)
        )
    row = manager.get(URL).json()["results"][0]
    assert row["usage"] == {"times_used": 2, "discount_given": "7.50", "orders": 2}


def test_staff_without_view_permission_get_a_403():
    VoucherFactory()
    assert staff_api("add_voucher").get(URL).status_code == 403


def test_a_shopper_with_the_permission_but_no_staff_flag_gets_a_403(user):
    user.user_permissions.set(Permission.objects.filter(codename="view_voucher"))
    client = APIClient()
    client.force_authenticate(user)
    assert client.get(URL).status_code == 403


def test_creating_needs_the_add_permission():
    response = staff_api("view_voucher").post(URL, {"code": "NEW", "value": "5"}, format="json")
    assert response.status_code == 403


def test_creating_a_voucher_with_a_scope(manager):
    product = ProductFactory()
    response = manager.post(
        URL,
        {"code": "spring", "kind": "fixed", "value": "5.00", "product_ids": [product.id]},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["code"], response.json()["product_ids"]) == ("SPRING", [product.id])


def test_a_scope_naming_a_missing_product_is_a_400_and_stores_nothing(manager):
    response = manager.post(
        URL, {"code": "GHOST", "value": "5", "product_ids": [999999]}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"product_ids": ["There is no product with id 999999."]}
    assert not Voucher.objects.exists()


def test_a_percentage_above_100_is_a_400_on_value(manager):
    response = manager.post(URL, {"code": "BIG", "value": "150"}, format="json")
    assert response.json() == {"value": ["A percentage must be above 0 and at most 100."]}


def test_updating_changes_only_the_fields_sent(manager):
    voucher = VoucherFactory(code="KEEP", value=Decimal("10"), min_spend=Decimal("20"))
    response = manager.patch(f"{URL}{voucher.id}/", {"value": "12.50"}, format="json")
    assert (response.json()["value"], response.json()["min_spend"]) == ("12.50", "20.00")


def test_lowering_the_limit_below_the_uses_so_far_is_a_400_and_keeps_the_limit(manager):
    voucher = VoucherFactory(code="LIMIT", max_uses=10, used_count=6)
    response = manager.patch(f"{URL}{voucher.id}/", {"max_uses": 5}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["max_uses"]
    assert Voucher.objects.get(pk=voucher.pk).max_uses == 10


def test_updating_needs_the_change_permission():
    voucher = VoucherFactory()
    response = staff_api("view_voucher").patch(f"{URL}{voucher.id}/", {"value": "5"}, format="json")
    assert response.status_code == 403


def test_deactivating_a_voucher(manager):
    voucher = VoucherFactory(code="STOP")
    response = manager.post(f"{URL}{voucher.id}/deactivate/")
    assert response.json()["is_active"] is False
    assert not Voucher.objects.get(pk=voucher.pk).is_active


def test_deactivating_needs_the_change_permission():
    voucher = VoucherFactory()
    assert (
        staff_api("view_voucher", "add_voucher").post(f"{URL}{voucher.id}/deactivate/").status_code
        == 403
    )


def test_an_unknown_voucher_is_a_404(manager):
    assert manager.get(f"{URL}999999/").status_code == 404


def test_the_schema_lists_the_staff_operations(api_client):
    paths = api_client.get("/api/schema/", {"format": "json"}).json()["paths"]
    assert {
        "/api/v1/staff/vouchers/",
        "/api/v1/staff/vouchers/{voucher_id}/",
        "/api/v1/staff/vouchers/{voucher_id}/deactivate/",
        "/api/v1/staff/promotions/",
        "/api/v1/staff/promotions/{promotion_id}/",
        "/api/v1/staff/promotions/{promotion_id}/deactivate/",
    } <= set(paths)
