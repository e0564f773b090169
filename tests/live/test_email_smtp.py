"""An order's mail over real SMTP: a local aiosmtpd server (with AUTH), the app configured only by EMAIL_URL,
the order placed in a separate process, the mail sent by a real Celery worker when Redis is there (else eagerly
in the placing process). The mail arrives once, in the shopper's language, with absolute links and both parts."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
import threading
import time
from email.message import EmailMessage

import pytest

from tests.live.conftest import LIVE_NAME, ROOT, free_port, require

pytestmark = [pytest.mark.live]

SITE = "https://shop.example"
PLACE_ORDER = """
import json
from shop.models import Product, User
from shop import services
user = User.objects.create_user("mailtest", "mailtest@example.com", "a-long-pass-9911")
user.language = "zh-hans"
user.save()
product = Product.objects.filter(is_active=True, stock__gt=2).order_by("id").first()
variant = product.variants.filter(is_active=True, stock__gt=0).order_by("position", "id").first()
cart = services.cart_get_or_create(user=user)
services.cart_add_item(cart=cart, product_id=product.id, variant_id=variant.id, quantity=1)
order = services.order_place(
    user=user,
    idempotency_key="live-mail-0001",
    address={"full_name": "Mei Lin", "line1": "Main St 1", "city": "Berlin", "postal_code": "10115"},
)
print(json.dumps({"number": order.number, "path": order.get_absolute_url()}))
"""


class Inbox:
    """aiosmtpd handler: keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.logins: list[tuple[bytes, bytes]] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.arrived.set()
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        self.logins.append((auth_data.login, auth_data.password))
        ok = (auth_data.login, auth_data.password) == (b"shop", b"s3cret")
        return AuthResult(success=ok)


@pytest.fixture
def smtp_server():
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        require(False, "needs aiosmtpd (pip install -e '.[dev]')")
    inbox = Inbox()
    port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_an_order_mail_arrives_over_smtp_in_the_shoppers_language(live_stack, smtp_server):
    inbox, port = smtp_server
    extra = {
        "EMAIL_URL": f"smtp://shop:s3cret@127.0.0.1:{port}?timeout=5",
        "SITE_URL": SITE,
        "DEFAULT_FROM_EMAIL": "Socialshop <orders@shop.example>",
        # A queue of its own, so only the worker started here (with EMAIL_URL) takes the mail.
        "CELERY_QUEUE": f"{LIVE_NAME}_email",
    }
    worker = None
    if live_stack.uses_redis:
        worker = live_stack.start_worker("email", queue=extra["CELERY_QUEUE"], extra_env=extra)
    placed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PLACE_ORDER],
        cwd=ROOT,
        env={**live_stack.env, **extra},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert placed.returncode == 0, placed.stderr[-4000:]
    order = json.loads(placed.stdout.strip().splitlines()[-1])

    arrived = inbox.arrived.wait(timeout=60)
    assert arrived, "no mail reached the SMTP server\n" + (
        worker.log()[-4000:] if worker else placed.stderr[-4000:]
    )
    time.sleep(1.0)  # a duplicate would arrive right behind the first
    assert len(inbox.messages) == 1
    assert inbox.logins == [(b"shop", b"s3cret")]
    message = inbox.messages[0]
    assert message["To"] == "mailtest@example.com"
    assert message["From"] == "Socialshop <orders@shop.example>"
    assert message["Subject"] == f"您的订单 {order['number']} 已提交"
    assert message["Content-Language"] == "zh-hans"
    order_url = f"{SITE}{order['path']}"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None
    assert html is not None
    assert f"查看订单： {order_url}" in text.get_content()
    assert f'href="{order_url}"' in html.get_content()
    assert '<html lang="zh-hans">' in html.get_content()
