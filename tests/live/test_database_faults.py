"""PostgreSQL fault drill: backends are terminated (`pg_terminate_backend`) again and again while a shopper adds
to the cart, checks out and chats through the API of a live uvicorn (with its psycopg pool).

What must hold (issue 12, item 7): every answer is a success or a 503 with Retry-After (JSON `{"detail"}`), never
a 500 or a traceback; once the terminations stop, the next requests succeed (the pool dropped the dead
connections); nothing partial is stored: every order has its lines and a total that adds up, every key placed at
most one order, and each chat message retried with its client_id is stored exactly once.
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

import pytest

from tests.live.conftest import LIVE_NAME, LiveStack, require

pytestmark = [pytest.mark.live]

FAULT_SECONDS = 12
SUCCESS = {200, 201}


@dataclass
class Answers:
    statuses: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def record(self, what: str, status: int, headers, body: bytes) -> None:
        self.statuses.append(status)
        if status in SUCCESS:
            return
        if status == 503:
            if headers.get("Retry-After") is None or "detail" not in json.loads(body):
                self.problems.append(f"{what}: 503 without Retry-After/detail: {body[:200]!r}")
            return
        self.problems.append(f"{what}: {status} {body[:300]!r}")


def _request(url: str, token: str, method: str = "GET", body: dict | None = None):
    request = urllib.request.Request(
        url,
        method=method,
        headers={
            "Authorization": f"Token {token}",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
        data=json.dumps(body).encode() if body is not None else None,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


class Terminator(threading.Thread):
    """Terminates every backend of the live database, except its own, every 150 ms until stopped."""

    def __init__(self, database_url: str) -> None:
        super().__init__(daemon=True)
        self.database_url = database_url
        self.stopped = threading.Event()
        self.terminated = 0

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            while not self.stopped.is_set():
                rows = connection.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid()",
                    [LIVE_NAME],
                ).fetchall()
                self.terminated += sum(1 for (done,) in rows if done)
                time.sleep(0.15)


def _setup(stack: LiveStack) -> tuple[str, int, int]:
    out = stack.shell(
        "from shop.services import api_token_issue\n"
        "from shop.models import Product, User\n"
        "from support import services\n"
        "user = User.objects.get(username='shopper')\n"
        "product = Product.objects.filter(is_active=True).order_by('id').first()\n"
        "Product.objects.filter(pk=product.pk).update(stock=100000)\n"
        "conversation = services.conversation_start(user=user, session_key=None)\n"
        "services.conversation_request_human(conversation=conversation)\n"
        "print(api_token_issue(user=user).key, product.id, conversation.id)\n"
    )
    token, product_id, conversation_id = out.strip().splitlines()[-1].split()
    return token, int(product_id), int(conversation_id)


def _stored(stack: LiveStack, keys: list[str], client_ids: list[str]) -> dict:
    code = (
        "import json\n"
        "from django.db.models import Count, Sum\n"
        "from shop.models import Order\n"
        "from support.models import Message\n"
        f"orders = Order.objects.filter(idempotency_key__in={keys!r})\n"
        "bad = [o.number for o in orders.annotate(n=Count('lines'), s=Sum('lines__line_total'))"
        " if o.n == 0 or o.s != o.subtotal or o.total != o.subtotal + o.shipping_cost]\n"
        f"messages = list(Message.objects.filter(client_id__in={client_ids!r})"
        ".values_list('client_id', flat=True))\n"
        "print(json.dumps({'orders': orders.count(), 'bad_orders': bad, 'messages': messages}))\n"
    )
    return json.loads(stack.shell(code).strip().splitlines()[-1])


def test_terminated_postgres_backends_give_503s_then_successes_and_nothing_partial(live_stack):
    require(
        live_stack.env.get("DATABASE_URL", "").startswith("postgres"),
        "the database fault drill needs PostgreSQL (set DATABASE_URL)",
    )
    stack = live_stack
    token, product_id, conversation_id = _setup(stack)
    api = stack.url + "/api/v1"
    run = f"dbdrill-{os.getpid()}"
    answers = Answers()

    def add_to_cart():
        return _request(
            api + "/cart/items/", token, "POST", {"product_id": product_id, "quantity": 1}
        )

    def checkout(key: str):
        return _request(
            api + "/checkout/",
            token,
            "POST",
            {
                "idempotency_key": key,
                "full_name": "Drill Shopper",
                "line1": "1 Fault Street",
                "city": "Berlin",
                "postal_code": "10115",
                "country": "DE",
                "card_number": "4242 4242 4242 4242",
            },
        )

    def chat(client_id: str):
        return _request(
            f"{api}/support/conversations/{conversation_id}/messages/",
            token,
            "POST",
            {"client_id": client_id, "body": f"message {client_id}"},
        )

    log_path = stack.tmp / f"uvicorn-{stack.url.rsplit(':', 1)[1]}.log"
    log_start = log_path.stat().st_size
    keys: list[str] = []
    client_ids: list[str] = []
    pending_keys: list[str] = []
    pending_messages: list[str] = []

    # During the fault every request is sent once: it succeeds or answers 503.
    terminator = Terminator(os.environ["DATABASE_URL"])
    terminator.start()
    deadline = time.monotonic() + FAULT_SECONDS
    round_ = 0
    try:
        while time.monotonic() < deadline:
            round_ += 1
            client_id = f"{run}-{round_:04d}"
            client_ids.append(client_id)
            status, headers, body = chat(client_id)
            answers.record("chat", status, headers, body)
            if status not in SUCCESS:
                pending_messages.append(client_id)
            status, headers, body = add_to_cart()
            answers.record("cart", status, headers, body)
            if status not in SUCCESS:
                continue  # the cart may be empty: no checkout this round
            key = f"{run}-{round_:04d}"
            keys.append(key)
            status, headers, body = checkout(key)
            answers.record("checkout", status, headers, body)
            if status not in SUCCESS:
                pending_keys.append(key)
    finally:
        terminator.stopped.set()
        terminator.join(timeout=10)

    assert terminator.terminated > 0
    assert 503 in answers.statuses, "the drill never hit a terminated connection"
    assert not answers.problems, answers.problems

    # The fault is over: the very next requests succeed (the pool dropped the dead connections), and a client
    # that resends what got a 503, with the same key or client_id, ends with each stored exactly once.
    for _ in range(5):
        status, _headers, body = _request(api + "/cart/", token)
        assert status == 200, body
    for key in pending_keys:
        status, _headers, body = add_to_cart()
        assert status in SUCCESS, body
        status, _headers, body = checkout(key)
        assert status in SUCCESS, body
    for client_id in pending_messages:
        status, _headers, body = chat(client_id)
        assert status in SUCCESS, body

    stored = _stored(stack, keys, client_ids)
    assert stored["bad_orders"] == []
    assert stored["orders"] == len(keys)
    assert sorted(stored["messages"]) == sorted(client_ids)
    with log_path.open(errors="replace") as log:
        log.seek(log_start)
        assert "Traceback" not in log.read()
