"""The chat websockets through the real ASGI application (session auth, Origin check, routing)."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client

from config.asgi import application
from support import services
from support.models import Conversation, Message

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("fake_assistant")]


def session_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def anonymous_session() -> str:
    store = SessionStore()
    store.create()
    assert store.session_key is not None
    return store.session_key


async def open_socket(path: str, session_key: str | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver")]
    if session_key:
        headers.append((b"cookie", f"sessionid={session_key}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def receive_until(communicator, frame_type: str, timeout: float = 3) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


@pytest.fixture
def waiting(conversation):
    """A conversation handed to people, so no assistant answers appear between frames."""
    return services.conversation_request_human(conversation=conversation)


@pytest.fixture
def shopper_session(user):
    return session_for(user)


@pytest.fixture
def moderator_session(moderator):
    return session_for(moderator)


async def test_shopper_joins_and_gets_the_status_first(waiting, shopper_session):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    frame = await socket.receive_json_from()
    assert (frame["type"], frame["conversation"], frame["status"]) == (
        "conversation.status",
        waiting.id,
        "waiting",
    )
    await socket.disconnect()


async def test_message_send_is_stored_then_broadcast_to_the_sender(waiting, shopper_session):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await socket.send_json_to({"type": "message.send", "client_id": "c-1", "body": "Hello <b>"})
    frame = await receive_until(socket, "message.new")
    stored = await database_sync_to_async(Message.objects.get)(client_id="c-1")
    assert frame == {
        "type": "message.new",
        "id": stored.id,
        "conversation": waiting.id,
        "seq": stored.seq,
        "author": "shopper1",
        "author_id": stored.author_id,
        "author_avatar": None,  # no avatar yet (tests/support/api/test_console_avatars.py)
        "role": "shopper",
        "kind": "text",
        "body": "Hello <b>",
        "payload": {},
        "created_at": stored.created_at.isoformat(),
        "client_id": "c-1",
    }
    await socket.disconnect()


async def test_shopper_message_reaches_the_moderator(waiting, shopper_session, moderator_session):
    shopper = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    moderator = await open_socket(f"/ws/support/{waiting.id}/", moderator_session)
    await shopper.send_json_to({"type": "message.send", "client_id": "c-2", "body": "Anyone?"})
    frame = await receive_until(moderator, "message.new")
    assert (frame["body"], frame["role"]) == ("Anyone?", "shopper")
    await shopper.disconnect()
    await moderator.disconnect()


async def test_bot_mode_answer_arrives_after_the_question(conversation, shopper_session):
    socket = await open_socket(f"/ws/support/{conversation.id}/", shopper_session)
    await socket.send_json_to({"type": "message.send", "client_id": "q", "body": "Shipping?"})
    mine = await receive_until(socket, "message.new")
    answer = await receive_until(socket, "message.new")
    assert (mine["body"], answer["role"], answer["body"]) == (
        "Shipping?",
        "assistant",
        "Answer to: Shipping?",
    )
    await socket.disconnect()


async def test_another_shopper_is_closed_with_4403_before_any_data(waiting, other_user):
    session = await database_sync_to_async(session_for)(other_user)
    socket = await open_socket(f"/ws/support/{waiting.id}/", session)
    output = await socket.receive_output()
    assert output == {"type": "websocket.close", "code": 4403}


async def test_anonymous_visitor_cannot_join_a_shoppers_conversation(waiting):
    session = await database_sync_to_async(anonymous_session)()
    socket = await open_socket(f"/ws/support/{waiting.id}/", session)
    assert await socket.receive_output() == {"type": "websocket.close", "code": 4403}


async def test_unknown_conversation_is_4403_too(shopper_session):
    socket = await open_socket("/ws/support/999999/", shopper_session)
    assert await socket.receive_output() == {"type": "websocket.close", "code": 4403}


async def test_anonymous_visitor_chats_in_their_own_conversation(db):
    session = await database_sync_to_async(anonymous_session)()
    conversation = await database_sync_to_async(services.conversation_start)(
        user=None, session_key=session
    )
    await database_sync_to_async(services.conversation_request_human)(conversation=conversation)
    socket = await open_socket(f"/ws/support/{conversation.id}/", session)
    await socket.send_json_to({"type": "message.send", "client_id": "v1", "body": "Hi"})
    frame = await receive_until(socket, "message.new")
    assert (frame["author"], frame["author_id"]) == ("Visitor", None)
    await socket.disconnect()


async def test_resend_with_the_same_client_id_is_stored_once(waiting, shopper_session):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    frame = {"type": "message.send", "client_id": "dup", "body": "Once"}
    await socket.send_json_to(frame)
    first = await receive_until(socket, "message.new")
    await socket.send_json_to(frame)
    second = await receive_until(socket, "message.new")
    count = await database_sync_to_async(
        Message.objects.filter(conversation=waiting, client_id="dup").count
    )()
    assert (second["id"], count) == (first["id"], 1)
    await socket.disconnect()


async def test_reconnect_with_sync_replays_exactly_what_was_missed(
    waiting, shopper_session, moderator
):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await socket.send_json_to({"type": "sync", "after_id": 0})
    seen = []
    while True:
        frame = await socket.receive_json_from()
        if frame["type"] == "message.new":
            seen.append(frame["id"])
        if frame["type"] == "sync.done":
            break
    await socket.disconnect()

    def moderator_writes() -> list[int]:
        conversation = Conversation.objects.get(pk=waiting.pk)
        return [
            services.message_post(
                conversation=conversation, body=f"reply {n}", role="moderator", author=moderator
            ).message.id
            for n in range(3)
        ]

    await database_sync_to_async(moderator_writes)()
    expected = await database_sync_to_async(
        lambda: list(
            Message.objects.filter(conversation=waiting, id__gt=seen[-1])
            .order_by("id")
            .values_list("id", flat=True)
        )
    )()

    again = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await again.send_json_to({"type": "sync", "after_id": seen[-1]})
    replayed = []
    while True:
        frame = await again.receive_json_from()
        if frame["type"] == "message.new":
            replayed.append(frame["id"])
        if frame["type"] == "sync.done":
            assert frame["last_id"] == expected[-1]
            break
    all_ids = seen + replayed
    assert replayed == expected  # joined "x joined" + 3 replies, in order
    assert len(all_ids) == len(set(all_ids))
    await again.disconnect()


async def test_internal_notes_reach_moderators_only(
    waiting, shopper_session, moderator_session, moderator
):
    shopper = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    staff = await open_socket(f"/ws/support/{waiting.id}/", moderator_session)
    await receive_until(shopper, "conversation.status")
    await receive_until(staff, "conversation.status")

    def write() -> None:
        conversation = Conversation.objects.get(pk=waiting.pk)
        services.message_post(
            conversation=conversation,
            body="VIP customer",
            role="moderator",
            author=moderator,
            kind="note",
        )
        services.conversation_close(conversation=conversation, actor=moderator)

    await database_sync_to_async(write)()
    note = await receive_until(staff, "message.new")
    assert (note["kind"], note["body"]) == ("note", "VIP customer")
    # The shopper's next frames are the close; the note never appears.
    frames = []
    while True:
        frame = await shopper.receive_json_from()
        frames.append(frame)
        if frame["type"] == "conversation.status":
            break
    assert all(f.get("kind") != "note" for f in frames)
    await shopper.send_json_to({"type": "sync", "after_id": 0})
    replay = []
    while (frame := await shopper.receive_json_from())["type"] != "sync.done":
        replay.append(frame)
    assert "VIP customer" not in json.dumps(replay)
    await shopper.disconnect()
    await staff.disconnect()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "bad_json"),
        ("[" * 6000 + "]" * 6000, "bad_json"),  # nested deeper than the decoder recurses
        ("[1, 2]", "bad_frame"),
        ('{"type": 5}', "bad_frame"),
        ('{"type": "launch.rockets"}', "unknown_type"),
        ('{"type": "message.send", "client_id": "a", "body": 42}', "invalid"),
        ('{"type": "message.send", "client_id": 7, "body": "x"}', "invalid"),
        ('{"type": "message.send", "client_id": "a", "body": ""}', "empty"),
        ('{"type": "read", "up_to_id": "ten"}', "invalid"),
        ('{"type": "sync", "after_id": -1}', "invalid"),
        ('{"type": "message.send", "client_id": "big", "body": "' + "x" * 5000 + '"}', "too_large"),
        ("x" * 20000, "too_large"),
    ],
)
async def test_bad_frames_get_an_error_and_the_socket_stays_open(
    waiting, shopper_session, raw, code
):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await receive_until(socket, "conversation.status")
    await socket.send_to(text_data=raw)
    error = await socket.receive_json_from()
    assert (error["type"], error["code"]) == ("error", code)
    assert error["message"]
    await socket.send_json_to({"type": "message.send", "client_id": "after", "body": "still here"})
    frame = await receive_until(socket, "message.new")
    assert frame["body"] == "still here"
    await socket.disconnect()


async def test_binary_frame_is_an_error_not_a_crash(waiting, shopper_session):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await receive_until(socket, "conversation.status")
    await socket.send_to(bytes_data=b"\xff\xfe")
    error = await socket.receive_json_from()
    assert error["code"] == "bad_json"
    await socket.disconnect()


async def test_rate_limit_gives_an_error_frame(waiting, shopper_session, settings):
    settings.SUPPORT_RATE_LIMIT_MESSAGES = 2
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    for n in range(3):
        await socket.send_json_to({"type": "message.send", "client_id": f"r{n}", "body": "spam"})
    error = await receive_until(socket, "error")
    assert error["code"] == "rate_limited"
    await socket.disconnect()


async def test_typing_goes_to_the_others_not_back(waiting, shopper_session, moderator_session):
    shopper = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    staff = await open_socket(f"/ws/support/{waiting.id}/", moderator_session)
    await receive_until(shopper, "conversation.status")
    await receive_until(staff, "conversation.status")
    await staff.send_json_to({"type": "typing"})
    frame = await shopper.receive_json_from()
    assert (frame["type"], frame["role"], frame["author"]) == ("typing", "moderator", "mod1")
    assert await staff.receive_nothing(timeout=0.3)
    await shopper.disconnect()
    await staff.disconnect()


async def test_read_receipt_reaches_the_moderator(waiting, shopper_session, moderator_session):
    shopper = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    staff = await open_socket(f"/ws/support/{waiting.id}/", moderator_session)
    await receive_until(staff, "conversation.status")
    last = await database_sync_to_async(
        lambda: Message.objects.filter(conversation=waiting).order_by("-id").first().id
    )()
    await shopper.send_json_to({"type": "read", "up_to_id": last})
    frame = await receive_until(staff, "read")
    assert (frame["role"], frame["up_to_id"]) == ("shopper", last)
    await shopper.disconnect()
    await staff.disconnect()


async def test_handoff_frame_puts_the_conversation_in_the_queue(conversation, shopper_session):
    socket = await open_socket(f"/ws/support/{conversation.id}/", shopper_session)
    await receive_until(socket, "conversation.status")
    await socket.send_json_to({"type": "handoff"})
    frame = await receive_until(socket, "conversation.status")
    assert frame["status"] == "waiting"
    await socket.disconnect()


async def test_account_closed_event_closes_the_socket(waiting, shopper_session, user):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await receive_until(socket, "conversation.status")
    await get_channel_layer().group_send(f"user.{user.id}", {"type": "account.closed"})
    assert (await socket.receive_output())["type"] == "websocket.close"


async def test_other_events_on_the_user_group_are_ignored(waiting, shopper_session, user):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await receive_until(socket, "conversation.status")
    await get_channel_layer().group_send(
        f"user.{user.id}", {"type": "notification.new", "message": "hi"}
    )
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_socket_cap_per_user(waiting, shopper_session, settings):
    settings.SUPPORT_MAX_SOCKETS_PER_USER = 2
    first = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    second = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    third = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    assert await third.receive_output() == {"type": "websocket.close", "code": 4429}
    await first.disconnect()
    fourth = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    assert (await fourth.receive_json_from())["type"] == "conversation.status"
    await second.disconnect()
    await fourth.disconnect()


async def test_console_refuses_shoppers(shopper_session):
    socket = await open_socket("/ws/support/console/", shopper_session)
    assert await socket.receive_output() == {"type": "websocket.close", "code": 4403}


async def test_console_hears_the_queue_change(conversation, moderator_session):
    console = await open_socket("/ws/support/console/", moderator_session)
    await database_sync_to_async(services.conversation_request_human)(conversation=conversation)
    frame = await receive_until(console, "queue.changed")
    assert (frame["conversation"], frame["status"]) == (conversation.id, "waiting")
    await console.disconnect()


async def test_console_presence_frame(moderator_session):
    console = await open_socket("/ws/support/console/", moderator_session)
    await console.send_json_to({"type": "presence", "status": "away"})
    frame = await receive_until(console, "presence")
    assert frame["status"] == "away"
    await console.send_json_to({"type": "presence", "status": "sleeping"})
    error = await receive_until(console, "error")
    assert error["code"] == "invalid"
    await console.disconnect()


async def test_foreign_origin_is_refused(waiting, shopper_session):
    communicator = WebsocketCommunicator(
        application,
        f"/ws/support/{waiting.id}/",
        headers=[
            (b"origin", b"https://evil.example"),
            (b"cookie", f"sessionid={shopper_session}".encode()),
        ],
    )
    connected, _code = await communicator.connect()
    assert connected is False


async def test_console_hears_new_messages_at_most_once_per_interval(
    waiting, shopper_session, moderator_session, monkeypatch
):
    """The first message is announced at once; the next ones inside the interval come as one trailing hint."""
    from support.services import broadcasting

    monkeypatch.setattr(broadcasting, "CONSOLE_PING_SECONDS", 0.4)
    console = await open_socket("/ws/support/console/", moderator_session)
    shopper = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await receive_until(shopper, "conversation.status")
    await shopper.send_json_to({"type": "message.send", "client_id": "k1", "body": "one"})
    first = await receive_until(console, "queue.changed")
    assert (first["conversation"], first["status"]) == (waiting.id, "waiting")
    for n in (2, 3):
        await shopper.send_json_to({"type": "message.send", "client_id": f"k{n}", "body": "more"})
        await receive_until(shopper, "message.new")
    trailing = await receive_until(console, "queue.changed", timeout=2)
    assert (trailing["conversation"], trailing["status"]) == (waiting.id, "waiting")
    assert await console.receive_nothing(timeout=0.8)
    await shopper.disconnect()
    await console.disconnect()


async def test_a_message_sent_from_a_product_page_stores_the_product(waiting, shopper_session):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await socket.send_json_to(
        {"type": "message.send", "client_id": "pp-1", "body": "Waterproof?", "product_id": 41}
    )
    await receive_until(socket, "message.new")
    stored = await database_sync_to_async(Message.objects.get)(client_id="pp-1")
    assert stored.payload == {"page_product_id": 41}
    await socket.disconnect()


async def test_a_product_id_that_is_not_a_number_gets_an_error_frame(waiting, shopper_session):
    socket = await open_socket(f"/ws/support/{waiting.id}/", shopper_session)
    await socket.send_json_to(
        {"type": "message.send", "client_id": "pp-2", "body": "Waterproof?", "product_id": "x"}
    )
    frame = await receive_until(socket, "error")
    assert "product_id" in frame["message"]
    exists = await database_sync_to_async(Message.objects.filter(client_id="pp-2").exists)()
    assert not exists
    await socket.disconnect()
