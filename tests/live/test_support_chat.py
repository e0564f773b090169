"""Support chat on real processes: two uvicorn servers sharing Redis, and the shopper/moderator journey in
Chromium with the real assistant (answered by the live Celery worker when Redis is there)."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.live.helpers import login

pytestmark = [pytest.mark.live]


def _session_and_conversation(live_stack, *, username: str) -> tuple[str, int]:
    """Log `username` in (a real session row) and give them a conversation waiting for a person."""
    out = live_stack.shell(
        "from django.test import Client\n"
        "from shop.models import User\n"
        "from support import services\n"
        f"user = User.objects.get(username={username!r})\n"
        "client = Client()\n"
        "client.force_login(user)\n"
        "conversation = services.conversation_start(user=user, session_key=None)\n"
        "services.conversation_request_human(conversation=conversation)\n"
        "print(client.cookies['sessionid'].value, conversation.id)\n"
    )
    session, conversation_id = out.split()[-2:]
    return session, int(conversation_id)


def _session(live_stack, *, username: str) -> str:
    out = live_stack.shell(
        "from django.test import Client\n"
        "from shop.models import User\n"
        "client = Client()\n"
        f"client.force_login(User.objects.get(username={username!r}))\n"
        "print(client.cookies['sessionid'].value)\n"
    )
    return out.split()[-1]


async def _next_message(socket, timeout: float = 10) -> dict:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] == "message.new":
            return frame


@pytest.mark.redis
def test_messages_cross_between_two_server_processes(live_stack, second_server):
    import websockets

    shopper_session, conversation_id = _session_and_conversation(live_stack, username="shopper")
    moderator_session = _session(live_stack, username="moderator")
    path = f"/ws/support/{conversation_id}/"
    server_a = live_stack.ws_url
    server_b = second_server.replace("http://", "ws://")

    async def journey() -> tuple[dict, dict, list[int]]:
        async with (
            websockets.connect(
                server_a + path,
                origin=live_stack.url,
                additional_headers={"Cookie": f"sessionid={shopper_session}"},
            ) as shopper,
            websockets.connect(
                server_b + path,
                origin=second_server,
                additional_headers={"Cookie": f"sessionid={moderator_session}"},
            ) as moderator,
        ):
            for socket in (shopper, moderator):
                assert json.loads(await socket.recv())["type"] == "conversation.status"
            await shopper.send(
                json.dumps({"type": "message.send", "client_id": "x1", "body": "from A"})
            )
            at_moderator = await _next_message(moderator)
            await moderator.send(
                json.dumps({"type": "message.send", "client_id": "y1", "body": "from B"})
            )
            # The moderator's first reply claims the conversation ("joined"), then the reply itself.
            at_shopper = await _next_message(shopper)
            while at_shopper["body"] != "from B":
                at_shopper = await _next_message(shopper)
            await shopper.send(json.dumps({"type": "sync", "after_id": 0}))
            replayed = []
            while True:
                frame = json.loads(await asyncio.wait_for(shopper.recv(), 10))
                if frame["type"] == "message.new":
                    replayed.append(frame["id"])
                if frame["type"] == "sync.done":
                    return at_moderator, at_shopper, replayed

    at_moderator, at_shopper, replayed = asyncio.run(journey())
    assert (at_moderator["body"], at_moderator["role"]) == ("from A", "shopper")
    assert (at_shopper["body"], at_shopper["role"]) == ("from B", "moderator")
    stored = live_stack.shell(
        "from support.models import Message\n"
        f"print(list(Message.objects.filter(conversation_id={conversation_id}).exclude(kind='note')"
        ".order_by('id').values_list('id', flat=True)))\n"
    )
    assert replayed == json.loads(stored.strip().splitlines()[-1])


@pytest.mark.browser
def test_shopper_asks_assistant_then_a_person_and_rates(live_stack, browser):
    shopper_context = browser.new_context(viewport={"width": 390, "height": 844})
    moderator_context = browser.new_context(viewport={"width": 1280, "height": 900})
    for context in (shopper_context, moderator_context):
        context.set_default_timeout(20_000)
    shopper = shopper_context.new_page()
    moderator = moderator_context.new_page()
    expected_status = live_stack.shell(
        "from shop.models import Order\n"
        "order = Order.objects.filter(user__username='shopper').order_by('-created_at', '-id').first()\n"
        "print(order.number)\n"
        "print(order.get_status_display())\n"
    )
    number, status = expected_status.strip().splitlines()[-2:]
    # A start continues the shopper's open conversation (issue 12): earlier journeys on this stack (the CSP and
    # Redis-outage drills) may have left one handed to a person. Close them, as the shopper would, so this
    # journey starts with the assistant.
    live_stack.shell(
        "from shop.models import User\n"
        "from support.models import Conversation\n"
        "from support.services import conversation_close\n"
        "user = User.objects.get(username='shopper')\n"
        "for c in Conversation.objects.filter(user=user).exclude(status=Conversation.Status.CLOSED):\n"
        "    conversation_close(conversation=c, actor=user)\n"
    )

    login(shopper, live_stack.url, "shopper")
    shopper.goto(live_stack.url + "/")
    shopper.click("#support-launcher [data-role=toggle]")
    shopper.wait_for_selector("#support-launcher li.support-assistant")
    shopper.fill("#support-input", "Where is my order?")
    shopper.press("#support-input", "Enter")
    answer = shopper.locator("#support-launcher li.support-assistant").filter(has_text=number)
    try:
        answer.wait_for()
    except Exception:
        print(shopper.locator("#support-launcher").inner_text())
        shopper.screenshot(path="/tmp/support-journey.png")
        raise
    assert status.lower() in answer.inner_text().lower()

    shopper.click("#support-launcher [data-action=handoff]")
    shopper.wait_for_selector("#support-launcher li.support-system")

    login(moderator, live_stack.url, "moderator")
    moderator.goto(live_stack.url + "/support/console/")
    claim = (
        moderator.locator("[data-role=waiting] li")
        .filter(has_text="shopper")
        .first.locator("button")
    )
    claim.click()
    pane = moderator.locator(".console-pane").first
    pane.locator("li.support-shopper").filter(has_text="Where is my order?").wait_for()
    pane.locator("[data-role=composer] input[name=body]").fill("Hi, I'm checking your parcel now.")
    pane.locator("[data-role=composer] button[type=submit]").click()

    reply = shopper.locator("#support-launcher li.support-moderator").filter(
        has_text="checking your parcel"
    )
    reply.wait_for()
    assert "moderator" in reply.inner_text().lower()

    shopper.click("#support-launcher [data-action=end]")
    shopper.wait_for_selector("#support-launcher [data-role=rating]:not([hidden])")
    shopper.check("#support-launcher [data-role=rating] input[value='5']")
    shopper.fill("#support-rating-comment", "Quick and friendly")
    shopper.click("#support-launcher [data-role=rating] button[type=submit]")
    shopper.wait_for_selector("#support-launcher [data-role=rated]:not([hidden])")
    rated = live_stack.shell(
        "from support.models import Conversation\n"
        "c = Conversation.objects.filter(user__username='shopper').order_by('-id').first()\n"
        "print(c.rating, c.status, c.assigned_to.username)\n"
    ).split()
    assert rated[-3:] == ["5", "closed", "moderator"]
    shopper_context.close()
    moderator_context.close()
