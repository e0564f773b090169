"""Admin for returns, vouchers and promotions: pages render, the decision goes through the service, a refusal
shows on the form, and a promotion saved in admin refreshes cached catalogue pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from shop.models import Refund, ReturnRequest
from shop.selectors.categories import catalogue_cache_version
from tests.factories import UserFactory
from tests.factories.promotions import PromotionFactory, VoucherFactory, delivered_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def requested(user):
    from shop import services

    order = delivered_order(user=user, provider="test_card")
    return services.return_request_create(
        user=user, order=order, lines={order.lines.get().id: 1}, reason="Broken"
    )


@pytest.mark.parametrize(
    "name",
    [
        "admin:shop_returnrequest_changelist",
        "admin:shop_voucher_changelist",
        "admin:shop_promotion_changelist",
        "admin:shop_voucher_add",
        "admin:shop_promotion_add",
    ],
)
def test_pages_render(admin_client, requested, name):
    VoucherFactory()
    PromotionFactory()
    assert admin_client.get(reverse(name)).status_code == 200


def test_staff_approve_with_a_partial_refund(admin_client, requested):
    url = reverse("admin:shop_returnrequest_decide", args=[requested.id])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(
        url, {"decision": "approve", "note": "Sorry", "refund_amount": "10.00", "restock": "on"}
    )
    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, Refund.objects.get().amount) == ("refunded", Decimal("10.00"))


def test_refusing_without_a_note_shows_the_error(admin_client, requested):
    url = reverse("admin:shop_returnrequest_decide", args=[requested.id])
    response = admin_client.post(url, {"decision": "refuse", "note": ""})
    assert response.status_code == 400
    assert "Say why the return is refused." in response.content.decode()
    assert ReturnRequest.objects.get().status == "requested"


def test_saving_a_promotion_in_admin_refreshes_catalogue_pages(admin_client, product):
    before = catalogue_cache_version()
    response = admin_client.post(
        reverse("admin:shop_promotion_add"),
        {
            "name": "Spring",
            "badge": "",
            "percent_off": "15",
            "starts_at_0": "2026-01-01",
            "starts_at_1": "00:00:00",
            "ends_at_0": "2099-01-01",
            "ends_at_1": "00:00:00",
            "is_active": "on",
            "products": [product.id],
        },
    )
    assert response.status_code == 302
    assert catalogue_cache_version() != before
