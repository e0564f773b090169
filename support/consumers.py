"""Support chat websockets: one conversation (shopper and moderators) and the moderators' queue console.

A consumer authenticates (the session, through AuthMiddlewareStack in config/asgi.py), checks access with
`support.selectors.conversation_access`, joins its groups and hands every frame to a service through
`database_sync_to_async`. It never stores rows itself and never echoes: the sender receives its own message from
the group broadcast the service sends after commit. Bad frames get an `error` frame; the socket stays open.
Protocol: docs/support-protocol.md.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async as _database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from common.realtime import CHANNEL_LAYER_ERRORS, LayerOutageMixin
from social.selectors import user_is_moderator
from social.services import user_group_name
from support import selectors, services
from support.models import Message
from support.services.broadcasting import (
    CONSOLE_GROUP,
    Broadcast,
    broadcasts_collected,
    conversation_group,
    outbox_send,
    staff_group,
)

logger = logging.getLogger(__name__)


def database_sync_to_async(func: Any) -> Any:
    """Channels' wrapper (closes stale connections around each call). On PostgreSQL it runs on the thread
    pool, so one process serves many sockets' database work at once; the default (thread-sensitive) mode runs
    every socket's calls one at a time on a single thread, which capped a process at ~60 messages/s here.
    SQLite keeps the default: its shared-cache test database is not safe for concurrent connections."""
    return _database_sync_to_async(func, thread_sensitive=not settings.IS_POSTGRES)


CLOSE_FORBIDDEN = 4403
CLOSE_TOO_MANY_SOCKETS = 4429
TYPING_INTERVAL_SECONDS = 1.0
SOCKET_COUNT_TTL = 3600


def _socket_key(participant: str) -> str:
    return f"support:sockets:{participant}"


def _socket_acquire(participant: str) -> bool:
    """Count this socket against the participant's cap (shared across server processes via the cache)."""
    key = _socket_key(participant)
    cache.add(key, 0, timeout=SOCKET_COUNT_TTL)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=SOCKET_COUNT_TTL)
        count = 1
    cache.touch(key, SOCKET_COUNT_TTL)
    if count > settings.SUPPORT_MAX_SOCKETS_PER_USER:
        _socket_release(participant)
        return False
    return True


def _socket_release(participant: str) -> None:
    try:
        if cache.decr(_socket_key(participant)) < 0:
            cache.set(_socket_key(participant), 0, timeout=SOCKET_COUNT_TTL)
    except ValueError:
        pass


class _FrameError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class _SupportSocket(LayerOutageMixin, AsyncWebsocketConsumer):
    """Shared plumbing: socket cap, the user group, JSON parsing, error frames, ignoring foreign events;
    a channel layer outage closes the socket with 1013 and the client resyncs (common/realtime.py)."""

    participant: str | None = None
    groups_joined: list[str]

    def _identity(self) -> tuple[Any, str | None]:
        user = self.scope.get("user")
        session = self.scope.get("session")
        session_key = getattr(session, "session_key", None) if session is not None else None
        return user, session_key

    async def _start(self, groups: list[str]) -> bool:
        """Apply the socket cap, accept, join groups. False (and closed) when over the cap."""
        user, session_key = self._identity()
        self.groups_joined = []
        try:
            self.participant = selectors.author_key_for(user=user, session_key=session_key)
        except PermissionDenied:
            await self.accept()
            await self.close(code=CLOSE_FORBIDDEN)
            return False
        if not await database_sync_to_async(_socket_acquire)(self.participant):
            self.participant = None
            await self.accept()
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return False
        if user is not None and user.is_authenticated:
            groups = [*groups, user_group_name(user.id)]
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        return True

    async def _refuse(self) -> None:
        # Accept then close, so that browsers see the 4403 code (a refused handshake only shows 1006).
        await self.accept()
        await self.close(code=CLOSE_FORBIDDEN)

    async def disconnect(self, code: int) -> None:
        try:
            for group in getattr(self, "groups_joined", []):
                await self.channel_layer.group_discard(group, self.channel_name)
        except CHANNEL_LAYER_ERRORS:
            pass  # Redis is down: its group entries expire on their own; still release the socket below.
        self.groups_joined = []
        if self.participant:
            await database_sync_to_async(_socket_release)(self.participant)
            self.participant = None

    async def dispatch(self, message: dict) -> None:
        """Run the handler of a websocket or channel-layer message; the user group also carries other areas'
        events (notifications), which are ignored. Unlike channels' own `dispatch` there is no
        `aclose_old_connections()` per message: it hopped to the process's one sync thread for every frame
        and every forwarded chat event (three per chat message), while every database call here already runs
        through `database_sync_to_async`, which closes stale connections around itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is not None:
            await handler(message)
        elif message.get("type", "").startswith("websocket."):
            raise ValueError(f"No handler for message type {message['type']}")

    async def send_frame(self, frame: dict) -> None:
        await self.send(text_data=json.dumps(frame, default=str))

    async def send_error(self, code: str, message: str) -> None:
        await self.send_frame({"type": "error", "code": code, "message": message})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        raw = text_data if text_data is not None else bytes_data
        if raw is None or len(raw) > settings.SUPPORT_MAX_FRAME_BYTES:
            await self.send_error("too_large", _("The frame is too large."))
            return
        try:
            frame = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):  # nested past the parser's depth
            await self.send_error("bad_json", _("The frame is not valid JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error("bad_frame", _("A frame is a JSON object with a string 'type'."))
            return
        handler = self.frame_handlers().get(frame["type"])
        if handler is None:
            await self.send_error("unknown_type", _("Unknown frame type."))
            return
        try:
            await handler(frame)
        except _FrameError as exc:
            await self.send_error(exc.code, exc.message)
        except ValidationError as exc:
            await self.send_error(getattr(exc, "code", None) or "invalid", " ".join(exc.messages))
        except (PermissionDenied, Http404) as exc:
            await self.send_error("forbidden", str(exc) or _("Not allowed."))

    def frame_handlers(self) -> dict:
        return {"ping": self.on_ping}

    async def on_ping(self, frame: dict) -> None:
        await self.send_frame({"type": "pong"})

    async def account_closed(self, event: dict) -> None:
        await self.close(code=4401)


def _int_field(frame: dict, name: str) -> int:
    value = frame.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _FrameError(
            "invalid", _("'%(name)s' must be a non-negative integer.") % {"name": name}
        )
    return value


class ConversationConsumer(_SupportSocket):
    """`ws/support/<conversation_id>/`: the shopper's chat, or a moderator working one conversation."""

    conversation_id: int
    is_staff_view: bool = False
    last_typing: float = 0.0

    async def connect(self) -> None:
        user, session_key = self._identity()

        def access() -> tuple[Any, str]:
            conversation = selectors.conversation_access(
                user=user,
                session_key=session_key,
                conversation_id=self.scope["url_route"]["kwargs"]["conversation_id"],
            )
            selectors.author_profile_load(user)  # each posted frame's avatar then asks nothing
            return conversation, selectors.conversation_role_for(
                conversation=conversation, user=user
            )

        try:
            conversation, self.role = await database_sync_to_async(access)()
        except (PermissionDenied, Http404):
            await self._refuse()
            return
        # Kept for the socket's life: access was decided here, and `message_post` reads only its id (the
        # storing statement checks the conversation's current state and ownership on every message).
        self.conversation = conversation
        self.conversation_id = conversation.id
        self.is_staff_view = self.role == Message.Role.MODERATOR
        groups = [conversation_group(conversation.id)]
        if self.is_staff_view:
            groups.append(staff_group(conversation.id))
        if not await self._start(groups):
            return
        frame = await database_sync_to_async(selectors.conversation_frame)(conversation)
        await self.send_frame(frame)

    def frame_handlers(self) -> dict:
        return {
            **super().frame_handlers(),
            "message.send": self.on_message_send,
            "typing": self.on_typing,
            "read": self.on_read,
            "sync": self.on_sync,
            "handoff": self.on_handoff,
        }

    @database_sync_to_async
    def _conversation(self) -> Any:
        user, session_key = self._identity()
        return selectors.conversation_access(
            user=user, session_key=session_key, conversation_id=self.conversation_id
        )

    async def on_message_send(self, frame: dict) -> None:
        body = frame.get("body")
        client_id = frame.get("client_id", "")
        if not isinstance(body, str):
            raise _FrameError("invalid", _("'body' must be text."))
        if not isinstance(client_id, str) or not client_id:
            raise _FrameError("invalid", _("'client_id' must be a non-empty string."))
        product_id = frame.get("product_id")
        payload = services.page_product_payload(product_id)
        if product_id is not None and not payload:
            raise _FrameError("invalid", _("'product_id' must be a positive whole number."))
        user, session_key = self._identity()
        conversation = self.conversation

        def post() -> tuple[dict | None, list[Broadcast]]:
            with broadcasts_collected() as outbox:
                result = services.message_post(
                    conversation=conversation,
                    body=body,
                    role=self.role,
                    author=user,
                    session_key=session_key,
                    client_id=client_id,
                    payload=payload,
                )
            return (None if result.created else selectors.message_frame(result.message)), outbox

        # One worker-thread hop per message; the broadcasts go out from this event loop afterwards.
        duplicate, outbox = await database_sync_to_async(post)()
        if duplicate is not None:
            # A resend of a stored message: the room already has it, this socket alone gets it again.
            await self.send_frame(duplicate)
        await self._broadcast(outbox)

    async def _broadcast(self, outbox: list[Broadcast]) -> None:
        """Send what the service committed (support.services.broadcasting.outbox_send). A failed send loses
        nothing, the rows are stored and the others replay them with `sync`; this socket gets its messages
        directly, so the sender learns that its message was stored instead of waiting for an echo that never
        comes."""
        for item in await outbox_send(self.channel_layer, outbox):
            if item.event.get("type") == "chat.message" and (
                item.group == conversation_group(self.conversation_id) or self.is_staff_view
            ):
                await self.send_frame(item.event["frame"])

    async def on_typing(self, frame: dict) -> None:
        now = time.monotonic()
        if now - self.last_typing < TYPING_INTERVAL_SECONDS:
            return
        self.last_typing = now
        user, _session = self._identity()
        await self.channel_layer.group_send(
            conversation_group(self.conversation_id),
            {
                "type": "chat.typing",
                "sender": self.channel_name,
                "frame": {
                    "type": "typing",
                    "conversation": self.conversation_id,
                    "role": self.role,
                    "author": selectors.display_name(
                        user if user is not None and user.is_authenticated else None
                    )
                    if self.role == Message.Role.MODERATOR
                    else "",
                },
            },
        )

    async def on_read(self, frame: dict) -> None:
        up_to_id = _int_field(frame, "up_to_id")
        user, session_key = self._identity()

        def mark() -> None:
            conversation = selectors.conversation_access(
                user=user, session_key=session_key, conversation_id=self.conversation_id
            )
            services.conversation_mark_read(
                conversation=conversation, user=user, session_key=session_key, up_to_id=up_to_id
            )

        await database_sync_to_async(mark)()

    async def on_sync(self, frame: dict) -> None:
        after_id = _int_field(frame, "after_id")

        def replay() -> list[dict]:
            conversation = selectors.conversation_access(
                user=self._identity()[0],
                session_key=self._identity()[1],
                conversation_id=self.conversation_id,
            )
            messages = selectors.messages_after(
                conversation=conversation, after_id=after_id, include_notes=self.is_staff_view
            )
            return [selectors.message_frame(m) for m in messages]

        frames = await database_sync_to_async(replay)()
        for item in frames:
            await self.send_frame(item)
        last_id = frames[-1]["id"] if frames else after_id
        await self.send_frame(
            {
                "type": "sync.done",
                "after_id": after_id,
                "last_id": last_id,
                "has_more": len(frames) >= selectors.SYNC_PAGE_SIZE,
            }
        )

    async def on_handoff(self, frame: dict) -> None:
        conversation = await self._conversation()
        await database_sync_to_async(services.conversation_request_human)(conversation=conversation)

    # --- events from the channel layer ---

    async def chat_message(self, event: dict) -> None:
        await self.send_frame(event["frame"])

    async def chat_status(self, event: dict) -> None:
        await self.send_frame(event["frame"])

    async def chat_read(self, event: dict) -> None:
        await self.send_frame(event["frame"])

    async def chat_typing(self, event: dict) -> None:
        if event.get("sender") != self.channel_name:
            await self.send_frame(event["frame"])


class ConsoleConsumer(_SupportSocket):
    """`ws/support/console/`: moderators hear when the queue or their conversations change."""

    async def connect(self) -> None:
        user, _session = self._identity()
        if not await database_sync_to_async(user_is_moderator)(user):
            await self._refuse()
            return
        await self._start([CONSOLE_GROUP])

    def frame_handlers(self) -> dict:
        return {**super().frame_handlers(), "presence": self.on_presence}

    async def on_presence(self, frame: dict) -> None:
        status = frame.get("status")
        if not isinstance(status, str):
            raise _FrameError("invalid", _("'status' must be text."))
        user, _session = self._identity()
        presence = await database_sync_to_async(services.presence_set)(user=user, status=status)
        await self.send_frame({"type": "presence", "status": presence.status})

    async def queue_changed(self, event: dict) -> None:
        await self.send_frame(
            {
                "type": "queue.changed",
                "conversation": event.get("conversation"),
                "status": event.get("status"),
            }
        )
