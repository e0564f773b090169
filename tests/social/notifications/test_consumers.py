from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from social import services
from social.routing import websocket_urlpatterns
from tests.factories import UserFactory
from tests.factories.social import FollowFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    """Consumers and sync_to_async calls open connections in asgiref's worker thread; with persistent
    connections (DATABASE_URL sets conn_max_age) they would outlive the test and block dropping the test
    database on PostgreSQL."""
    yield
    from django.db import connections

    await sync_to_async(connections.close_all)()


def _communicator(user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/notifications/")
    communicator.scope["user"] = user
    return communicator


async def test_anonymous_socket_is_refused():
    communicator = _communicator(AnonymousUser())

    connected, code = await communicator.connect()

    assert connected is False
    assert code == 4401


async def test_connect_sends_unread_count():
    user = await sync_to_async(UserFactory)(username="ws1")
    other = await sync_to_async(UserFactory)(username="ws2")
    await sync_to_async(services.follow_create)(follower=other, followee=user)
    communicator = _communicator(user)

    connected, _ = await communicator.connect()

    assert connected
    assert await communicator.receive_json_from() == {"type": "hello", "unread": 1}
    await communicator.disconnect()


async def test_new_notification_is_pushed_with_unread_count():
    user = await sync_to_async(UserFactory)(username="ws3")
    other = await sync_to_async(UserFactory)(username="ws4")
    communicator = _communicator(user)
    await communicator.connect()
    await communicator.receive_json_from()

    await sync_to_async(services.follow_create)(follower=other, followee=user)

    frame = await communicator.receive_json_from(timeout=2)
    assert frame["type"] == "notification.new"
    assert frame["kind"] == "follow"
    assert frame["message"] == "@ws4 started following you."
    assert frame["unread"] == 1
    await communicator.disconnect()


async def test_new_post_from_followee_is_pushed_to_feed():
    reader = await sync_to_async(UserFactory)(username="reader")
    author = await sync_to_async(UserFactory)(username="author")
    await sync_to_async(FollowFactory)(follower=reader, followee=author)
    communicator = _communicator(reader)
    await communicator.connect()
    await communicator.receive_json_from()

    post = await sync_to_async(services.post_create)(author=author, body="fresh")

    assert await communicator.receive_json_from(timeout=2) == {
        "type": "feed.post",
        "post_id": post.pk,
        "author": "author",
    }
    await communicator.disconnect()


async def test_account_closed_closes_the_socket():
    user = await sync_to_async(UserFactory)(username="closing")
    communicator = _communicator(user)
    await communicator.connect()
    await communicator.receive_json_from()

    await get_channel_layer().group_send(
        services.user_group_name(user.pk), {"type": "account.closed"}
    )

    assert await communicator.receive_json_from() == {"type": "account.closed"}
    assert (await communicator.receive_output(timeout=1))["type"] == "websocket.close"


async def test_account_delete_closes_open_socket():
    user = await sync_to_async(UserFactory)(username="deleting")
    communicator = _communicator(user)
    await communicator.connect()
    await communicator.receive_json_from()

    await sync_to_async(services.account_delete)(user=user)

    assert await communicator.receive_json_from(timeout=2) == {"type": "account.closed"}
    output = await communicator.receive_output(timeout=1)
    assert output == {"type": "websocket.close", "code": 4000}


async def test_bad_frame_gets_error_frame():
    user = await sync_to_async(UserFactory)(username="chatty")
    communicator = _communicator(user)
    await communicator.connect()
    await communicator.receive_json_from()

    await communicator.send_to(text_data="not json")

    frame = await communicator.receive_json_from()
    assert frame["type"] == "error"
    assert frame["code"] == "bad_frame"
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from() == {"type": "pong"}
    await communicator.disconnect()
