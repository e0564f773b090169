"""The one home for telling sockets about a committed change: groups, after-commit broadcasts, and the
consumers' way of sending them.

Every service stores first and broadcasts on commit (`broadcast_on_commit`): the channel layer may drop a push
(channels-redis is at-most-once), the database may not, and clients replay from it with `sync`. Outside a
websocket consumer the on-commit callback sends to the channel layer itself. Inside one, the consumer collects
the block's broadcasts (`broadcasts_collected`) and sends them from its own event loop with `outbox_send`: no
thread-to-loop hop per `group_send`, the worker thread is free for the next message's database work at once,
and the consumer sees a failed send and can answer its own sender directly.

`outbox_send` also coalesces the consoles' "a conversation has a new message" hint (`queue.changed` with cause
`message`): at most one per `CONSOLE_PING_SECONDS` from one server process, instead of a second group send per
chat message and every open console reloading its lists at the chat's message rate. The first message after a
quiet interval is announced at once; messages inside the interval are announced together when it ends (with
the conversation's id when only one changed, else null: consoles reload their whole lists either way), so a
console is never more than one interval behind. Status changes (claims, handoffs, closing) are never held
back. The coalescing lives on the event loop, so only a long-lived loop (a consumer's) can hold a hint back;
the HTTP fallback sends its hint at once (its event loop ends with the call, and it carries little traffic).
"""

from __future__ import annotations

import asyncio
import logging
import math
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from support.models import Conversation
from support.selectors import conversation_frame

logger = logging.getLogger(__name__)

__all__ = [
    "CONSOLE_GROUP",
    "CONSOLE_PING_SECONDS",
    "Broadcast",
    "broadcast_on_commit",
    "broadcasts_collected",
    "conversation_group",
    "outbox_send",
    "staff_group",
    "status_broadcast",
]

CONSOLE_GROUP = "support.console"
CONSOLE_PING_SECONDS = 1.0


def conversation_group(conversation_id: int) -> str:
    """Every socket on the conversation (shopper and moderators) joins this group."""
    return f"support.conversation.{conversation_id}"


def staff_group(conversation_id: int) -> str:
    """Only moderators' sockets join this one: internal notes go here."""
    return f"support.staff.{conversation_id}"


@dataclass(frozen=True)
class Broadcast:
    """One committed change for the channel layer: `event` goes to every socket in `group`."""

    group: str
    event: dict[str, Any]


# While a caller collects broadcasts (`broadcasts_collected()`), on-commit pushes land in its list instead.
_collected_broadcasts: ContextVar[list[Broadcast] | None] = ContextVar(
    "support_collected_broadcasts", default=None
)


@contextmanager
def broadcasts_collected() -> Iterator[list[Broadcast]]:
    """Hand this block's after-commit broadcasts to the caller instead of sending them from this thread.

    The list is filled by on-commit callbacks, so only committed changes are ever announced; called outside a
    transaction, they have all run when the service returns. The caller sends them with `outbox_send`.
    """
    collected: list[Broadcast] = []
    token = _collected_broadcasts.set(collected)
    try:
        yield collected
    finally:
        _collected_broadcasts.reset(token)


def broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
    """Send `event` to `group` once the current transaction commits (at once outside a transaction)."""

    def push() -> None:
        collected = _collected_broadcasts.get()
        if collected is not None:
            collected.append(Broadcast(group=group, event=event))
            return
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:  # noqa: BLE001 - the row is stored; clients replay it with `sync`.
            logger.warning("support broadcast to %s failed", group, exc_info=True)

    transaction.on_commit(push)


def status_broadcast(conversation: Conversation) -> None:
    """The conversation's new state to its sockets, and a queue change to the consoles (after commit)."""
    conversation.refresh_from_db()
    broadcast_on_commit(
        conversation_group(conversation.id),
        {"type": "chat.status", "frame": conversation_frame(conversation)},
    )
    broadcast_on_commit(
        CONSOLE_GROUP,
        {"type": "queue.changed", "conversation": conversation.id, "status": conversation.status},
    )


class _ConsolePings:
    """The coalesced console hint of one event loop (see the module docstring)."""

    def __init__(self) -> None:
        self.last_sent = -math.inf
        self.pending: dict[int, str] = {}
        self.flush: asyncio.Task[None] | None = None

    async def ping(self, layer: Any, event: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        wait = self.last_sent + CONSOLE_PING_SECONDS - loop.time()
        if wait <= 0 and self.flush is None:
            self.last_sent = loop.time()
            await layer.group_send(CONSOLE_GROUP, event)
            return
        self.pending[event["conversation"]] = event["status"]
        if self.flush is None:
            self.flush = loop.create_task(self._send_pending(layer, max(wait, 0.0)))

    async def _send_pending(self, layer: Any, wait: float) -> None:
        await asyncio.sleep(wait)
        pending, self.pending = self.pending, {}
        self.flush = None
        self.last_sent = asyncio.get_running_loop().time()
        conversation, status = next(iter(pending.items())) if len(pending) == 1 else (None, None)
        try:
            await layer.group_send(
                CONSOLE_GROUP,
                {"type": "queue.changed", "conversation": conversation, "status": status},
            )
        except Exception:  # noqa: BLE001 - a hint only; consoles also reload every 15 s
            logger.warning("support console hint failed", exc_info=True)


_console_pings_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _ConsolePings] = (
    weakref.WeakKeyDictionary()
)


def _console_pings() -> _ConsolePings:
    loop = asyncio.get_running_loop()
    pings = _console_pings_by_loop.get(loop)
    if pings is None:
        pings = _console_pings_by_loop[loop] = _ConsolePings()
    return pings


async def outbox_send(layer: Any, outbox: list[Broadcast]) -> list[Broadcast]:
    """Send collected broadcasts in order from the running event loop (console message hints coalesced);
    returns the ones whose send failed (channel layer down). Nothing is lost by a failure: the rows are stored
    and sockets replay them with `sync`; the caller decides whether its own socket gets them directly."""
    failed: list[Broadcast] = []
    for item in outbox:
        try:
            if item.group == CONSOLE_GROUP and item.event.get("cause") == "message":
                await _console_pings().ping(layer, item.event)
            else:
                await layer.group_send(item.group, item.event)
        except Exception:  # noqa: BLE001 - see the docstring
            logger.warning("support broadcast to %s failed", item.group, exc_info=True)
            failed.append(item)
    return failed
