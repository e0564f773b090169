"""The chat and notification websockets when the channel layer fails (Redis down): sockets close with 1013 instead
of dying with a 500 or 1006, socket counts are released, and a message sent while the room cannot be told is
stored and comes back to its sender. The same with real processes and a real Redis: tests/live/test_redis_outage.py.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer
from channels.testing import WebsocketCommunicator
from django.test import Client
from redis.exceptions import ConnectionError as RedisConnectionError

from common.realtime import CLOSE_TRY_AGAIN_LATER
from config.asgi import application
from support import selectors, services
from support.models import Message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_assistant")]


class FlakyLayer(InMemoryChannelLayer):
    """The in-memory layer, with switches that make it fail the way channels-redis does when Redis is down."""

    fail_group_add = False
    fail_group_send = False
    fail_receive = False

    @staticmethod
    def _refused() -> RedisConnectionError:
        return RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    async def group_add(self, group, channel):
        if type(self).fail_group_add:
            raise self._refused()
        await super().group_add(group, channel)

    async def group_send(self, group, message):
        if type(self).fail_group_send:
            raise self._refused()
        await super().group_send(group, message)

    async def receive(self, channel):
        while not type(self).fail_receive:
            try:
                return await asyncio.wait_for(super().receive(channel), 0.05)
            except TimeoutError:
                continue
        raise self._refused()


@pytest.fixture
def flaky_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": f"{__name__}.FlakyLayer"}}
    yield FlakyLayer
    FlakyLayer.fail_group_add = FlakyLayer.fail_group_send = FlakyLayer.fail_receive = False


@pytest.fixture
def waiting(conversation):
    return services.conversation_request_human(conversation=conversation)


@pytest.fixture
def shopper_session(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _communicator(path: str, session_key: str) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application,
        path,
        headers=[
            (b"origin", b"http://testserver"),
            (b"cookie", f"sessionid={session_key}".encode()),
        ],
    )


async def _connected(path: str, session_key: str) -> WebsocketCommunicator:
    communicator = _communicator(path, session_key)
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def test_handshake_while_the_layer_is_down_closes_with_try_again_later(
    flaky_layer, waiting, shopper_session, settings
):
    settings.SUPPORT_MAX_SOCKETS_PER_USER = 1
    flaky_layer.fail_group_add = True
    refused = await _connected(f"/ws/support/{waiting.id}/", shopper_session)
    assert await refused.receive_output() == {
        "type": "websocket.close",
        "code": CLOSE_TRY_AGAIN_LATER,
    }

    # The refused socket did not keep its place under the one-socket cap: once the layer is back, a new one opens.
    flaky_layer.fail_group_add = False
    socket = await _connected(f"/ws/support/{waiting.id}/", shopper_session)
    assert (await socket.receive_json_from())["type"] == "conversation.status"
    await socket.disconnect()


async def test_open_socket_closes_with_try_again_later_when_the_layer_fails(
    flaky_layer, waiting, shopper_session, settings
):
    settings.SUPPORT_MAX_SOCKETS_PER_USER = 1
    socket = await _connected(f"/ws/support/{waiting.id}/", shopper_session)
    assert (await socket.receive_json_from())["type"] == "conversation.status"
    flaky_layer.fail_receive = True
    assert await socket.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": CLOSE_TRY_AGAIN_LATER,
    }

    flaky_layer.fail_receive = False
    again = await _connected(f"/ws/support/{waiting.id}/", shopper_session)
    assert (await again.receive_json_from())["type"] == "conversation.status"
    await again.disconnect()


async def test_message_is_stored_and_returned_to_its_sender_when_the_broadcast_fails(
    flaky_layer, waiting, shopper_session
):
    socket = await _connected(f"/ws/support/{waiting.id}/", shopper_session)
    assert (await socket.receive_json_from())["type"] == "conversation.status"
    flaky_layer.fail_group_send = True
    await socket.send_json_to(
        {"type": "message.send", "client_id": "c-down", "body": "Still there?"}
    )
    frame = await socket.receive_json_from(timeout=3)
    await socket.disconnect()

    stored = await Message.objects.aget(conversation_id=waiting.id, client_id="c-down")
    assert (frame["type"], frame["id"], frame["body"], frame["client_id"]) == (
        "message.new",
        stored.id,
        "Still there?",
        "c-down",
    )

    # Everyone else gets it when they resync: `sync` replays it from the database.
    flaky_layer.fail_group_send = False
    other = await _connected(f"/ws/support/{waiting.id}/", shopper_session)
    assert (await other.receive_json_from())["type"] == "conversation.status"
    await other.send_json_to({"type": "sync", "after_id": stored.id - 1})
    assert await other.receive_json_from() == await _frame(stored)
    assert (await other.receive_json_from())["type"] == "sync.done"
    await other.disconnect()


async def _frame(message: Message) -> dict:
    """The message as `sync` sends it (JSON, so datetimes are strings)."""
    frame = await database_sync_to_async(selectors.message_frame)(
        await Message.objects.select_related("author").aget(pk=message.pk)
    )
    return json.loads(json.dumps(frame, default=str))


async def test_notification_socket_closes_with_try_again_later_when_the_layer_is_down(
    flaky_layer, shopper_session
):
    flaky_layer.fail_group_add = True
    refused = await _connected("/ws/notifications/", shopper_session)
    assert await refused.receive_output() == {
        "type": "websocket.close",
        "code": CLOSE_TRY_AGAIN_LATER,
    }
