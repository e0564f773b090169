"""Vouchers and returns speak Simplified Chinese to shoppers who chose it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from common.errors import ServiceError
from shop import services
from tests.factories.commerce import CartItemFactory
from tests.factories.promotions import VoucherFactory

pytestmark = pytest.mark.django_db


def test_voucher_refusal_in_chinese(user):
    cart = CartItemFactory(cart__user=user).cart
    VoucherFactory(code="GONE", max_uses=1, used_count=1)
    with translation.override("zh-hans"), pytest.raises(ServiceError) as refused:
        services.voucher_apply(cart=cart, code="GONE")
    assert refused.value.message == "此优惠码已被用完。"


def test_cart_voucher_form_in_chinese(client, user):
    client.force_login(user)
    CartItemFactory(cart__user=user, product__price=Decimal("10.00"))
    VoucherFactory(code="OLD", ends_at=timezone.now() - timedelta(days=1))
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/cart/"})
    response = client.post("/cart/voucher/", {"code": "OLD"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "此优惠码已于" in html
