"""Return approved and refund issued mails: sent once after commit, in the shopper's language, with the order's
link; the refund mail says whether the money went back to the card or is paid back by hand."""

from __future__ import annotations

import pytest
from django.core import mail

from shop import services
from tests.factories import UserFactory
from tests.factories.promotions import delivered_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://shop.example"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _approve(order, capture):
    request = services.return_request_create(
        user=order.user, order=order, lines={order.lines.get().id: 1}, reason="x"
    )
    with capture(execute=True):
        services.return_approve(return_request=request, actor=UserFactory(is_staff=True))
    return request


def test_approval_and_refund_mails_arrive_once(user, django_capture_on_commit_callbacks):
    order = delivered_order(user=user, provider="test_card")
    _approve(order, django_capture_on_commit_callbacks)
    subjects = sorted(message.subject for message in mail.outbox)
    assert subjects == [
        f"Refund for order {order.number}",
        f"Your return for order {order.number} is approved",
    ]
    refund_mail = next(m for m in mail.outbox if m.subject.startswith("Refund"))
    assert "We refunded 19.90 EUR to your card" in refund_mail.body
    assert f"https://shop.example/orders/{order.number}/" in refund_mail.body
    assert "19.90" in refund_mail.alternatives[0][0]


def test_pay_on_delivery_refund_mail_says_bank_transfer(user, django_capture_on_commit_callbacks):
    order = delivered_order(user=user, provider="cod")
    _approve(order, django_capture_on_commit_callbacks)
    refund_mail = next(m for m in mail.outbox if m.subject.startswith("Refund"))
    assert "we pay it back by bank transfer" in refund_mail.body


def test_mails_in_chinese_for_a_chinese_shopper(django_capture_on_commit_callbacks):
    shopper = UserFactory(username="li", language="zh-hans")
    order = delivered_order(user=shopper, provider="test_card")
    _approve(order, django_capture_on_commit_callbacks)
    assert sorted(message.subject for message in mail.outbox) == [
        f"您的订单 {order.number} 退货已批准",
        f"订单 {order.number} 的退款",
    ]
