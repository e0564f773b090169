"""Redis outage drill: a uvicorn server on PostgreSQL and on a Redis of its own (started here on a free port, never
the shared one), with a shopper connected. Redis is stopped: pages still render, the shopper's socket is closed
with 1013 and new handshakes get 1013 (not a 500), and messages sent meanwhile (the HTTP fallback, a moderator's
reply through the service) are stored. Redis is started again: the shopper reconnects, resyncs with
`sync {after_id}` and holds every message exactly once, in order, and new messages flow live again.

Done twice: with a plain websocket client (the protocol), and in Chromium (the chat script shows "Reconnecting…",
keeps the conversation going over HTTP, and ends with each message once, in order).
"""

from __future__ import annotations

import asyncio
import http.cookies
import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live.conftest import LIVE_NAME, LiveStack, free_port, require
from tests.live.helpers import login

pytestmark = [pytest.mark.live]

CLOSE_TRY_AGAIN_LATER = 1013


@dataclass
class RedisServer:
    """A throwaway redis-server (no persistence: a restart starts empty, like a replaced instance)."""

    port: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=self.log_path.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited:\n{self.log_path.read_text()[-2000:]}")
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"redis-server did not answer:\n{self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture
def own_redis(tmp_path) -> Iterator[RedisServer]:
    require(shutil.which("redis-server") is not None, "needs redis-server (Debian's redis-server)")
    server = RedisServer(port=free_port(), log_path=tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def outage_stack(live_stack, own_redis, tmp_path) -> Iterator[LiveStack]:
    """A server on the live database and on `own_redis` (cache, channel layer, Celery broker)."""
    prefix = f"{LIVE_NAME}_outage"
    env = {
        **live_stack.env,
        "REDIS_URL": own_redis.url,
        "REDIS_PREFIX": prefix,
        "CELERY_QUEUE": prefix,
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    stack = LiveStack(url="", ws_url="", env=env, tmp=tmp_path, uses_redis=True)
    try:
        stack.url, stack.server = stack.start_server()
        stack.ws_url = stack.url.replace("http://", "ws://")
        yield stack
    finally:
        stack.close()


def _last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


def _shopper_session(stack: LiveStack) -> str:
    return _last_line(
        stack.shell(
            "from django.test import Client\n"
            "from shop.models import User\n"
            "client = Client()\n"
            "client.force_login(User.objects.get(username='shopper'))\n"
            "print(client.cookies['sessionid'].value)\n"
        )
    )


def _waiting_conversation(stack: LiveStack, *, conversation_id: int | None = None) -> int:
    """The shopper's conversation (a new one unless given), handed to people: no assistant between frames."""
    pick = (
        f"Conversation.objects.get(pk={conversation_id})"
        if conversation_id
        else "services.conversation_start(user=user, session_key=None)"
    )
    return int(
        _last_line(
            stack.shell(
                "from shop.models import User\n"
                "from support import services\n"
                "from support.models import Conversation\n"
                "user = User.objects.get(username='shopper')\n"
                f"conversation = {pick}\n"
                "services.conversation_request_human(conversation=conversation)\n"
                "print(conversation.id)\n"
            )
        )
    )


def _moderator_says(stack: LiveStack, conversation_id: int, body: str) -> int:
    """A moderator's reply through the one service (as the console's API would); returns the stored id."""
    return int(
        _last_line(
            stack.shell(
                "from shop.models import User\n"
                "from support import services\n"
                "from support.models import Conversation, Message\n"
                f"conversation = Conversation.objects.get(pk={conversation_id})\n"
                "result = services.message_post(conversation=conversation, body="
                f"{body!r}, role=Message.Role.MODERATOR, "
                f"author=User.objects.get(username='moderator'), client_id={body!r})\n"
                "print(result.message.id)\n"
            )
        )
    )


def _stored_ids(stack: LiveStack, conversation_id: int) -> list[int]:
    return json.loads(
        _last_line(
            stack.shell(
                "from support.models import Message\n"
                f"print(list(Message.objects.filter(conversation_id={conversation_id})"
                ".exclude(kind='note').order_by('id').values_list('id', flat=True)))\n"
            )
        )
    )


def _http(url: str, *, session: str, method: str = "GET", body: dict | None = None):
    """One request with the shopper's session; POSTs carry the CSRF token a page set, as the chat script does."""
    cookies = {"sessionid": session}
    headers = {"Accept": "application/json"}
    if method != "GET":
        status, page_headers, _ = _http(url.split("/api/")[0] + "/", session=session)
        assert status == 200
        jar = http.cookies.SimpleCookie()
        for value in page_headers.get_all("Set-Cookie") or []:
            jar.load(value)
        cookies["csrftoken"] = jar["csrftoken"].value
        headers.update({"X-CSRFToken": jar["csrftoken"].value, "Content-Type": "application/json"})
    headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    request = urllib.request.Request(
        url,
        method=method,
        headers=headers,
        data=json.dumps(body).encode() if body is not None else None,
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


async def _frames_until(socket, predicate, timeout: float = 15) -> list[dict]:
    frames = []
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        frames.append(frame)
        if predicate(frame):
            return frames


def test_websocket_chat_survives_a_redis_outage_without_loss(outage_stack, own_redis):
    import websockets

    stack = outage_stack
    session = _shopper_session(stack)
    conversation_id = _waiting_conversation(stack)
    path = f"{stack.ws_url}/ws/support/{conversation_id}/"
    connect_args = {"origin": stack.url, "additional_headers": {"Cookie": f"sessionid={session}"}}
    held: list[
        int
    ] = []  # what the shopper's client holds, as the chat script keeps it: each id once

    def hold(frames: list[dict]) -> None:
        for frame in frames:
            if frame["type"] == "message.new" and frame["id"] not in held:
                held.append(frame["id"])

    async def before_outage() -> None:
        async with websockets.connect(path, **connect_args) as socket:
            await _frames_until(socket, lambda f: f["type"] == "conversation.status")
            await socket.send(json.dumps({"type": "sync", "after_id": 0}))
            hold(await _frames_until(socket, lambda f: f["type"] == "sync.done"))
            reply_id = await asyncio.to_thread(_moderator_says, stack, conversation_id, "before")
            hold(await _frames_until(socket, lambda f: f.get("id") == reply_id))

            own_redis.stop()
            with pytest.raises(websockets.ConnectionClosed):
                await _frames_until(socket, lambda f: False, timeout=20)
            assert socket.close_code == CLOSE_TRY_AGAIN_LATER

    asyncio.run(before_outage())

    # Redis is down. Pages and the API render (the cache serves from process memory).
    for page in ("/", "/products/", "/orders/", "/api/v1/products/"):
        status, _headers, _body = _http(stack.url + page, session=session)
        assert status == 200, page
    # The shopper's message through the HTTP fallback is stored; so is the moderator's reply through the service.
    status, _headers, body = _http(
        f"{stack.url}/api/v1/support/conversations/{conversation_id}/messages/",
        session=session,
        method="POST",
        body={"client_id": "during-http", "body": "during, over HTTP"},
    )
    assert status == 201, body
    during_http = json.loads(body)
    during_reply = _moderator_says(stack, conversation_id, "during, from a moderator")
    assert {during_http["id"], during_reply} <= set(_stored_ids(stack, conversation_id))

    async def handshake_during_outage() -> int | None:
        async with websockets.connect(path, **connect_args) as socket:
            with pytest.raises(websockets.ConnectionClosed):
                await _frames_until(socket, lambda f: False, timeout=20)
            return socket.close_code

    # A new socket is accepted and closed with "try again later", not refused with a 500.
    assert asyncio.run(handshake_during_outage()) == CLOSE_TRY_AGAIN_LATER

    own_redis.start()

    async def after_outage() -> tuple[list[dict], dict, dict]:
        deadline = time.monotonic() + 45
        while True:
            try:
                socket = await websockets.connect(path, **connect_args)
                await _frames_until(socket, lambda f: f["type"] == "conversation.status", 5)
                break
            except (websockets.ConnectionClosed, OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
        async with socket:
            await socket.send(json.dumps({"type": "sync", "after_id": held[-1]}))
            replay = await _frames_until(socket, lambda f: f["type"] == "sync.done")
            hold(replay)
            # Live again, both ways.
            reply_id = await asyncio.to_thread(_moderator_says, stack, conversation_id, "after")
            live_reply = (await _frames_until(socket, lambda f: f.get("id") == reply_id))[-1]
            await socket.send(
                json.dumps({"type": "message.send", "client_id": "after-ws", "body": "after, live"})
            )
            own = (await _frames_until(socket, lambda f: f.get("client_id") == "after-ws"))[-1]
            hold([live_reply, own])
            return replay, live_reply, own

    replay, live_reply, own = asyncio.run(after_outage())
    replayed_ids = [f["id"] for f in replay if f["type"] == "message.new"]
    assert during_http["id"] in replayed_ids
    assert during_reply in replayed_ids
    assert replayed_ids == sorted(set(replayed_ids))  # each once, in order
    assert (live_reply["body"], live_reply["role"]) == ("after", "moderator")
    assert (own["type"], own["body"]) == ("message.new", "after, live")
    assert held == _stored_ids(stack, conversation_id)
    log = (stack.tmp / f"uvicorn-{stack.url.rsplit(':', 1)[1]}.log").read_text()
    assert "cache: Redis unavailable" in log
    assert "channel layer unavailable" in log


@pytest.mark.browser
def test_chat_in_chromium_shows_reconnecting_and_ends_with_every_message_once(
    outage_stack, own_redis, browser
):
    stack = outage_stack
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(20_000)
    page = context.new_page()
    login(page, stack.url, "shopper")
    page.goto(stack.url + "/")
    page.click("#support-launcher [data-role=toggle]")
    page.wait_for_selector("#support-launcher li.support-assistant")
    conversation_id = int(
        page.evaluate("fetch('/api/v1/support/conversations/current/').then(r => r.json())")[
            "conversation"
        ]
    )
    _waiting_conversation(stack, conversation_id=conversation_id)
    panel = page.locator("#support-launcher")
    banner = panel.locator("[data-role=banner]")
    messages = panel.locator("[data-role=messages] li.support-message")
    stored = panel.locator("[data-role=messages] li.support-message:not(.support-pending)")

    _moderator_says(stack, conversation_id, "before the outage")
    messages.filter(has_text="before the outage").wait_for()

    own_redis.stop()
    banner.wait_for(state="visible")
    assert "Reconnecting" in banner.inner_text()
    assert page.request.get(stack.url + "/products/").status == 200

    # While the socket is down the script keeps the conversation going over HTTP.
    page.fill("#support-input", "sent while Redis is down")
    page.press("#support-input", "Enter")
    stored.filter(has_text="sent while Redis is down").wait_for()
    _moderator_says(stack, conversation_id, "answered while Redis is down")
    messages.filter(has_text="answered while Redis is down").wait_for()
    assert banner.is_visible()

    own_redis.start()
    banner.wait_for(state="hidden", timeout=60_000)
    _moderator_says(stack, conversation_id, "after the outage")
    messages.filter(has_text="after the outage").wait_for()
    page.fill("#support-input", "and live again")
    page.press("#support-input", "Enter")
    stored.filter(has_text="and live again").wait_for()

    shown = [int(i) for i in messages.evaluate_all("items => items.map(li => li.dataset.id)")]
    assert shown == _stored_ids(stack, conversation_id)
    context.close()
