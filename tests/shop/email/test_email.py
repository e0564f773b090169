"""Transactional email: queued on commit, rendered in the recipient's language with absolute links, sent once,
retried when the mail server fails, and the non-essential kinds only to shoppers who want them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from smtplib import SMTPException, SMTPServerDisconnected

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from shop import services
from shop.models import Cart, EmailLog, Order, StockAlert
from shop.services.email import (
    BACK_IN_STOCK,
    ORDER_PLACED,
    email_queue,
    email_send,
    email_send_task,
    emails_pending_requeue,
)
from social.models import Profile
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import CartItemFactory, OrderFactory, address_data

pytestmark = pytest.mark.django_db

SITE = "https://shop.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def place(user, *, key="key-00000001", capture, **kwargs):
    CartItemFactory(
        cart__user=user, product=ProductFactory(name="Teapot", price=Decimal("20.00")), quantity=2
    )
    with capture(execute=True):
        return services.order_place(
            user=user, idempotency_key=key, address=address_data(), **kwargs
        )


def test_placing_an_order_mails_the_shopper_text_and_html_with_absolute_links(
    user, django_capture_on_commit_callbacks
):
    order = place(user, capture=django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == f"Your order {order.number} is placed"
    assert message.extra_headers["Content-Language"] == "en"
    order_url = f"{SITE}/orders/{order.number}/"
    assert f"Thank you for your order {order.number}." in message.body
    assert "2 × Teapot: 40.00 EUR" in message.body
    assert f"View your order: {order_url}" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{order_url}"' in html
    assert '<html lang="en">' in html
    log = EmailLog.objects.get()
    assert (log.key, log.status, log.language, log.attempts) == (
        f"order_placed:{order.id}:{user.id}",
        "sent",
        "en",
        1,
    )


def test_the_mail_is_written_in_the_recipients_language(user, django_capture_on_commit_callbacks):
    user.language = "zh-hans"
    user.save()
    order = place(user, capture=django_capture_on_commit_callbacks)

    message = mail.outbox[0]
    assert message.subject == f"您的订单 {order.number} 已提交"
    assert message.extra_headers["Content-Language"] == "zh-hans"
    assert f"感谢您的订单 {order.number}。" in message.body
    assert f"查看订单： {SITE}/orders/{order.number}/" in message.body
    assert '<html lang="zh-hans">' in message.alternatives[0][0]


def test_an_unknown_stored_language_falls_back_to_the_default(
    user, django_capture_on_commit_callbacks
):
    user.language = "xx"
    user.save()
    order = place(user, capture=django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == f"Your order {order.number} is placed"


def test_no_mail_is_queued_before_commit_and_none_when_the_order_fails(
    user, django_capture_on_commit_callbacks
):
    CartItemFactory(cart__user=user, product=ProductFactory(price=Decimal("20.00")))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order = services.order_place(
            user=user, idempotency_key="key-00000002", address=address_data()
        )
    assert mail.outbox == []  # nothing is sent inside the order's transaction
    assert EmailLog.objects.get().status == "pending"
    for callback in callbacks:
        callback()
    assert [m.subject for m in mail.outbox] == [f"Your order {order.number} is placed"]

    mail.outbox.clear()
    CartItemFactory(cart=Cart.objects.get(user=user), product=ProductFactory(price=Decimal("20")))
    with (
        pytest.raises(services.PaymentFailed),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.order_place(
            user=user,
            idempotency_key="key-00000003",
            address=address_data(),
            payment_provider="test_card",
            card_number="4000 0000 0000 0002",
        )
    assert mail.outbox == []
    assert EmailLog.objects.count() == 1


@pytest.mark.parametrize(
    ("steps", "subject"),
    [
        (["paid"], "Payment received for order {number}"),
        (["shipped"], "Your order {number} is on its way"),
        (["shipped", "delivered"], "Your order {number} was delivered"),
        (["cancelled"], "Your order {number} is cancelled"),
    ],
)
def test_every_status_change_mails_the_shopper(
    user, moderator, steps, subject, django_capture_on_commit_callbacks
):
    order = place(user, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()
    for status in steps:
        with django_capture_on_commit_callbacks(execute=True):
            order = services.order_set_status(order=order, status=status, actor=moderator)
    assert mail.outbox[-1].subject == subject.format(number=order.number)
    assert len(mail.outbox) == len(steps)


def test_a_shopper_cancelling_gets_the_cancellation_mail(user, django_capture_on_commit_callbacks):
    order = place(user, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_cancel(order=order, actor=user)
    assert mail.outbox[-1].subject == f"Your order {order.number} is cancelled"


def test_a_retried_or_redelivered_task_never_sends_twice(user, django_capture_on_commit_callbacks):
    order = place(user, capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    # The same task delivered again, and the same event queued again: still one mail, one row.
    assert email_send_task.apply(args=["order_placed", order.id, user.id]).get() == "sent"
    with django_capture_on_commit_callbacks(execute=True):
        email_queue(kind=ORDER_PLACED, object_id=order.id, recipient_id=user.id)
    assert len(mail.outbox) == 1
    assert EmailLog.objects.count() == 1


def test_a_mail_claimed_by_a_running_task_is_not_sent_by_another(user):
    order_id = 123
    EmailLog.objects.create(
        key=f"order_placed:{order_id}:{user.id}",
        kind="order_placed",
        object_id=order_id,
        recipient=user,
        status="sending",
    )
    EmailLog.objects.update(claimed_at=timezone.now())
    assert email_send(kind="order_placed", object_id=order_id, recipient_id=user.id) == "busy"
    assert mail.outbox == []


class FlakyBackend(LocmemBackend):
    """The mail server hangs up on the first two attempts, then accepts."""

    failures_left = 0

    def send_messages(self, messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_the_task_retries_with_backoff_when_the_mail_server_fails(
    user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures_left = 2
    with django_capture_on_commit_callbacks(execute=False):
        order = place(user, capture=django_capture_on_commit_callbacks)
    # Run as a worker would (errors not propagated to the caller): Celery's autoretry re-runs it, eagerly here
    # (a worker waits 2^n seconds between attempts).
    result = email_send_task.apply(args=["order_placed", order.id, user.id], throw=False)
    assert result.get() == "sent"
    assert [m.subject for m in mail.outbox] == [f"Your order {order.number} is placed"]
    log = EmailLog.objects.get()
    assert (log.status, log.attempts) == ("sent", 3)
    assert Order.objects.get(id=order.id).status == "placed"  # the order never depended on it
    assert (
        email_send_task.autoretry_for,
        email_send_task.retry_backoff,
        email_send_task.max_retries,
    ) == ((SMTPException, OSError), True, settings.EMAIL_MAX_RETRIES)


def test_a_mail_server_that_stays_down_leaves_the_order_and_the_mail_pending(
    user, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures_left = 1000
    order = place(user, capture=django_capture_on_commit_callbacks)  # on_commit is robust
    assert Order.objects.filter(id=order.id).exists()
    log = EmailLog.objects.get()
    assert log.status == "pending"
    assert "SMTPServerDisconnected" in log.last_error
    FlakyBackend.failures_left = 0
    assert email_send(kind="order_placed", object_id=order.id, recipient_id=user.id) == "sent"
    assert len(mail.outbox) == 1


def test_a_mail_whose_task_never_reached_the_broker_is_requeued(user):
    order = OrderFactory(user=user, number="SS1")
    email_queue(kind=ORDER_PLACED, object_id=order.id, recipient_id=user.id)  # no commit: lost
    assert emails_pending_requeue() == 0  # too recent: its task may still be on its way
    EmailLog.objects.update(created_at=timezone.now() - timedelta(minutes=6))
    assert emails_pending_requeue() == 1
    assert [m.subject for m in mail.outbox] == ["Your order SS1 is placed"]
    assert emails_pending_requeue() == 0


def _back_in_stock(user, capture):
    product = ProductFactory(name="Kettle", stock=0)
    services.stock_alert_create(user=user, product=product)
    with capture(execute=True):
        services.product_restock(product=product, quantity=3)
    return product


def test_back_in_stock_mail_links_the_product(user, django_capture_on_commit_callbacks):
    product = _back_in_stock(user, django_capture_on_commit_callbacks)
    message = mail.outbox[0]
    assert message.subject == "Kettle is back in stock"
    assert f"See the product: {SITE}{product.get_absolute_url()}" in message.body
    assert f"{SITE}/accounts/" in message.body  # where to turn it off
    alert = StockAlert.objects.get()
    assert EmailLog.objects.get().key == f"back_in_stock:{alert.id}:{user.id}"


def test_non_essential_mail_respects_the_privacy_setting_order_mail_does_not(
    user, django_capture_on_commit_callbacks
):
    Profile.objects.update_or_create(user=user, defaults={"email_optional": False})
    _back_in_stock(user, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert EmailLog.objects.get(kind=BACK_IN_STOCK.name).status == "skipped"

    order = place(user, capture=django_capture_on_commit_callbacks)
    assert [m.subject for m in mail.outbox] == [f"Your order {order.number} is placed"]


def test_a_recipient_without_an_address_is_skipped(django_capture_on_commit_callbacks):
    user = UserFactory(email="")
    place(user, capture=django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert EmailLog.objects.get().status == "skipped"
