"""Support chat writes. `message_post` is the one path for every message: the websocket, the HTTP fallback,
the assistant's task, the console and Django admin all call it.

A message is stored first and broadcast after commit (the channel layer may drop a push; the database may not,
and clients replay from it with `sync`). Its sequence number comes from a conditional UPDATE of
`Conversation.last_seq` in the same statement as the insert, which also serialises concurrent writers of one
conversation. A resend with the same `client_id` from the same author returns the stored message instead of a
second row (a unique constraint, not a read before the write).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.ratelimit import window_count
from support.models import CannedReply, Conversation, Message, ModeratorPresence, ReadState
from support.selectors import (
    author_key_for,
    conversation_frame,
    display_name,
    is_moderator,
    message_frame,
)

logger = logging.getLogger(__name__)

__all__ = [
    "CONSOLE_GROUP",
    "MessagePost",
    "Broadcast",
    "assistant_reply_post",
    "broadcasts_collected",
    "conversation_adopt",
    "conversation_assign",
    "conversation_claim",
    "conversation_close",
    "conversation_group",
    "conversation_mark_read",
    "conversation_rate",
    "conversation_request_human",
    "conversation_start",
    "conversations_close_idle",
    "message_post",
    "message_report",
    "presence_set",
    "product_card_post",
    "queue_auto_assign",
    "staff_group",
]

CONSOLE_GROUP = "support.console"
MAX_CLIENT_ID_LENGTH = 64
ASSISTANT_KEY = "assistant"
SYSTEM_KEY = "system"
_SHORTCUT = re.compile(r"^/([-a-zA-Z0-9_]{1,40})$")


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

    The websocket consumer runs a service in a worker thread and then sends what was collected from its own
    event loop: no thread-to-loop hop per `group_send`, the worker thread is free for the next message's
    database work at once, and the consumer sees a failed send (channel layer down) and answers its sender
    directly. The list is filled by on-commit callbacks, so only committed changes are ever announced; called
    outside a transaction, they have all run when the service returns.
    """
    collected: list[Broadcast] = []
    token = _collected_broadcasts.set(collected)
    try:
        yield collected
    finally:
        _collected_broadcasts.reset(token)


def _broadcast_on_commit(group: str, event: dict[str, Any]) -> None:
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


def _broadcast_status(conversation: Conversation) -> None:
    conversation.refresh_from_db()
    _broadcast_on_commit(
        conversation_group(conversation.id),
        {"type": "chat.status", "frame": conversation_frame(conversation)},
    )
    _broadcast_on_commit(
        CONSOLE_GROUP,
        {"type": "queue.changed", "conversation": conversation.id, "status": conversation.status},
    )


# --- starting ---------------------------------------------------------------------------------------------------


def conversation_start(
    *, user: Any, session_key: str | None, order_number: str | None = None
) -> Conversation:
    """A new conversation for the shopper (or visitor), optionally about one of the shopper's own orders."""
    order = None
    authenticated = user is not None and user.is_authenticated
    if order_number:
        if not authenticated:
            raise PermissionDenied(_("Please log in to ask about an order."))
        from shop.selectors import order_access

        order = order_access(user=user, number=str(order_number))
    if not authenticated and not session_key:
        raise PermissionDenied(_("Your session has expired; reload the page to chat."))
    conversation = Conversation.objects.create(
        user=user if authenticated else None,
        session_key="" if authenticated else session_key,
        order=order,
    )
    greeting = (
        _("Hi! I'm the Socialshop assistant. How can I help with order %(number)s?")
        % {"number": order.number}
        if order
        else _("Hi! I'm the Socialshop assistant. Ask me anything, or ask for a person.")
    )
    _store(
        conversation=conversation,
        body=greeting,
        role=Message.Role.ASSISTANT,
        author=None,
        author_key=ASSISTANT_KEY,
        client_id="greeting",
        kind=Message.Kind.TEXT,
        payload={},
    )
    return conversation


def conversation_adopt(*, conversation: Conversation, user: Any) -> Conversation:
    """A visitor logged in: the conversation their session holds becomes their account's."""
    if conversation.user_id is None and user.is_authenticated:
        Conversation.objects.filter(pk=conversation.pk, user__isnull=True).update(
            user=user, session_key=""
        )
        conversation.refresh_from_db()
    return conversation


# --- messages ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MessagePost:
    message: Message
    created: bool


def _validate_body(body: Any, *, limit_size: bool = True) -> str:
    if not isinstance(body, str):
        raise ValidationError(_("The message must be text."), code="invalid")
    body = body.strip()
    if not body:
        raise ValidationError(_("The message is empty."), code="empty")
    if limit_size and len(body.encode("utf-8")) > settings.SUPPORT_MAX_MESSAGE_BYTES:
        raise ValidationError(
            _("The message is too long (at most %(limit)d bytes).")
            % {"limit": settings.SUPPORT_MAX_MESSAGE_BYTES},
            code="too_large",
        )
    return body


def _validate_client_id(client_id: Any) -> str:
    if client_id is None:
        return ""
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise ValidationError(
            _("client_id must be text of at most %(n)d characters.") % {"n": MAX_CLIENT_ID_LENGTH},
            code="invalid",
        )
    return client_id


def _rate_limit(author_key: str) -> None:
    """Count one message against the author's window (one Redis round trip; shared by all server processes)."""
    window = max(1, settings.SUPPORT_RATE_LIMIT_WINDOW_SECONDS)
    key = f"support:rate:{author_key}:{int(timezone.now().timestamp()) // window}"
    if window_count(key, timeout=window * 2) > settings.SUPPORT_RATE_LIMIT_MESSAGES:
        raise ValidationError(
            _("You are sending messages too fast; wait a few seconds."), code="rate_limited"
        )


class _NotStored(Exception):
    """The insert met an existing row (a resend racing its twin): roll the sequence bump back."""


@dataclass(frozen=True)
class _StoreRule:
    """What the storing statement itself checks, so that the common case needs no read before the write."""

    refuse_closed: bool = False
    # Shopper messages: the conversation must still be this participant's ("u<id>" owner or the visitor's
    # session), the same rule as `conversation_access`, checked again on every write at no extra cost.
    owner_id: int | None = None
    owner_session: str | None = None
    first_response: bool = False


def _store(
    *,
    conversation: Conversation,
    body: str,
    role: str,
    author: Any,
    author_key: str,
    client_id: str,
    kind: str,
    payload: dict,
    rule: _StoreRule | None = None,
) -> MessagePost:
    """Insert with the conversation's next sequence number, or return the message this client_id already stored.

    One statement on PostgreSQL: the conditional `UPDATE ... SET last_seq = last_seq + 1 ... RETURNING` and the
    `INSERT ... ON CONFLICT DO NOTHING RETURNING id` run as one CTE. The row lock the UPDATE takes is held until
    commit, so writers of one conversation are serialised and message ids increase in commit order; the
    `client_id` unique constraint makes a resend a no-op instead of a read-then-write. Only when nothing was
    stored (a resend, a closed or foreign conversation) does a second query find out why.
    """
    rule = rule or _StoreRule()
    now = timezone.now()
    message = Message(
        conversation_id=conversation.pk,
        author=author,
        author_key=author_key,
        role=role,
        kind=kind,
        body=body,
        payload=payload,
        client_id=client_id,
        is_hidden=False,
        created_at=now,
    )
    try:
        row = _insert_next(message, rule=rule, now=now)
    except _NotStored:
        row = None
    if row is None:
        existing = _existing(conversation, author_key, client_id)
        if existing is not None:
            return MessagePost(message=existing, created=False)
        _raise_not_stored(conversation, rule)
    message.id, message.seq, status = row
    message._state.adding = False
    message._state.db = connection.alias
    conversation.last_seq = message.seq
    conversation.status = status
    group = staff_group if kind == Message.Kind.NOTE else conversation_group
    _broadcast_on_commit(
        group(conversation.pk), {"type": "chat.message", "frame": message_frame(message)}
    )
    return MessagePost(message=message, created=True)


_INSERT_COLUMNS = (
    "conversation_id",
    "seq",
    "author_id",
    "author_key",
    "role",
    "kind",
    "body",
    "payload",
    "client_id",
    "is_hidden",
    "created_at",
)


def _insert_next(message: Message, *, rule: _StoreRule, now: Any) -> tuple[int, int, str] | None:
    """(id, seq, conversation status) of the stored message, or None when the checks or the unique
    `client_id` stopped it. PostgreSQL: one statement; SQLite (no UPDATE inside WITH): two, in a transaction."""
    quote = connection.ops.quote_name
    conversations = quote(Conversation._meta.db_table)
    messages = quote(Message._meta.db_table)
    fields = {f.column: f for f in Message._meta.concrete_fields}

    def prep(column: str) -> Any:
        field = fields[column]
        return field.get_db_prep_save(getattr(message, field.attname), connection)

    stamp = Conversation._meta.get_field("updated_at").get_db_prep_save(now, connection)
    sets, set_params = ["last_seq = last_seq + 1", "updated_at = %s"], [stamp]
    if rule.first_response:
        sets.append("first_response_at = COALESCE(first_response_at, %s)")
        set_params.append(stamp)
    where, where_params = ["id = %s"], [message.conversation_id]
    if rule.refuse_closed:
        where.append("status <> %s")
        where_params.append(Conversation.Status.CLOSED)
    if rule.owner_id is not None:
        where.append("user_id = %s")
        where_params.append(rule.owner_id)
    elif rule.owner_session is not None:
        where.append("user_id IS NULL AND session_key = %s")
        where_params.append(rule.owner_session)
    if message.client_id:
        # A resend (the common duplicate) neither bumps the sequence nor tries the insert.
        where.append(
            f"NOT EXISTS (SELECT 1 FROM {messages} WHERE conversation_id = %s "  # noqa: S608
            "AND author_key = %s AND client_id = %s)"
        )
        where_params += [message.conversation_id, message.author_key, message.client_id]
    update = f"UPDATE {conversations} SET {', '.join(sets)} WHERE {' AND '.join(where)}"  # noqa: S608
    values = [prep(column) for column in _INSERT_COLUMNS[2:]]
    columns = ", ".join(quote(column) for column in _INSERT_COLUMNS)

    if connection.vendor == "postgresql":
        # Typed placeholders: the values sit in a SELECT list, where bare literals would be text.
        casts = ["bigint", "varchar", "varchar", "varchar", "text", "jsonb", "varchar", "boolean"]
        selected = ", ".join(f"%s::{cast}" for cast in casts) + ", %s::timestamptz"
        sql = (
            f"WITH bumped AS ({update} RETURNING id, last_seq, status), "
            f"stored AS (INSERT INTO {messages} ({columns}) "  # noqa: S608
            f"SELECT id, last_seq, {selected} FROM bumped ON CONFLICT DO NOTHING RETURNING id, seq) "
            "SELECT stored.id, stored.seq, bumped.status FROM stored, bumped"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*set_params, *where_params, *values])
            found = cursor.fetchone()
        return (found[0], found[1], found[2]) if found else None

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"{update} RETURNING last_seq, status", [*set_params, *where_params])
        bumped = cursor.fetchone()
        if bumped is None:
            return None
        placeholders = ", ".join(["%s"] * len(_INSERT_COLUMNS))
        cursor.execute(
            f"INSERT INTO {messages} ({columns}) VALUES ({placeholders}) "  # noqa: S608
            "ON CONFLICT DO NOTHING RETURNING id",
            [message.conversation_id, bumped[0], *values],
        )
        inserted = cursor.fetchone()
        if inserted is None:
            raise _NotStored
    return inserted[0], bumped[0], bumped[1]


def _raise_not_stored(conversation: Conversation, rule: _StoreRule) -> None:
    """Nothing was stored and it was no resend: say why (gone, closed, or no longer this participant's)."""
    state = (
        Conversation.objects.filter(pk=conversation.pk)
        .values("status", "user_id", "session_key")
        .first()
    )
    if state is None:
        raise ValidationError(_("This conversation no longer exists."), code="gone")
    if rule.refuse_closed and state["status"] == Conversation.Status.CLOSED:
        raise ValidationError(
            _("This conversation is closed. Start a new one to ask something else."), code="closed"
        )
    raise PermissionDenied(_("This is not your conversation."))


def _existing(conversation: Conversation, author_key: str, client_id: str) -> Message | None:
    if not client_id:
        return None
    return (
        Message.objects.select_related("author")
        .filter(conversation_id=conversation.pk, author_key=author_key, client_id=client_id)
        .first()
    )


def message_post(
    *,
    conversation: Conversation,
    body: Any,
    role: str,
    author: Any = None,
    session_key: str | None = None,
    client_id: Any = "",
    kind: str = Message.Kind.TEXT,
    payload: dict | None = None,
) -> MessagePost:
    """Validate, store with the next sequence number, broadcast on commit; idempotent on `client_id`.

    Raises ValidationError with a code (`invalid`, `empty`, `too_large`, `rate_limited`, `closed`) that the
    websocket turns into an error frame and the API into a 400. Only `conversation.pk` is read from the
    instance (the storing statement checks the conversation's current state); its `status` and `last_seq` are
    updated from what that statement returned. A shopper's message (the hot path) costs one SQL statement and
    one cache round trip; a resend returns the stored message even when over the rate limit.
    """
    # The size limit protects people's input; the assistant's and system texts are ours.
    people = role in (Message.Role.SHOPPER, Message.Role.MODERATOR)
    body = _validate_body(body, limit_size=people)
    client_id = _validate_client_id(client_id)
    if role == Message.Role.ASSISTANT:
        author_key = ASSISTANT_KEY
    elif role == Message.Role.SYSTEM:
        author_key = SYSTEM_KEY
    else:
        author_key = author_key_for(user=author, session_key=session_key)
    authenticated = getattr(author, "is_authenticated", False)
    rule = _StoreRule(refuse_closed=people)
    if role == Message.Role.SHOPPER:
        rule = _StoreRule(
            refuse_closed=True,
            owner_id=author.pk if authenticated else None,
            owner_session=None if authenticated else session_key,
        )
    elif role == Message.Role.MODERATOR:
        if not is_moderator(author):  # cached on the user object: the socket's user asks once
            raise PermissionDenied(_("Only moderators can answer here."))
        if kind == Message.Kind.TEXT:
            match = _SHORTCUT.match(body)
            canned = match and CannedReply.objects.filter(shortcut=match.group(1)).first()
            if canned:
                body = canned.text
        if kind != Message.Kind.NOTE:
            rule = _StoreRule(refuse_closed=True, first_response=True)
    if people:
        try:
            _rate_limit(author_key)
        except ValidationError:
            existing = _existing(conversation, author_key, client_id)
            if existing is None:
                raise
            return MessagePost(message=existing, created=False)

    store = {
        "conversation": conversation,
        "body": body,
        "role": role,
        "author": author if authenticated else None,
        "author_key": author_key,
        "client_id": client_id,
        "kind": kind,
        "payload": payload or {},
        "rule": rule,
    }
    if rule.first_response:
        # A moderator's reply claims an unassigned conversation first ("X joined" comes before the reply).
        with transaction.atomic():
            existing = _existing(conversation, author_key, client_id)
            if existing is not None:
                return MessagePost(message=existing, created=False)
            state = (
                Conversation.objects.filter(pk=conversation.pk)
                .values_list("assigned_to_id", flat=True)
                .first()
            )
            if state is None and not Conversation.objects.filter(pk=conversation.pk).exists():
                raise ValidationError(_("This conversation no longer exists."), code="gone")
            if state is None:
                conversation_claim(conversation=conversation, moderator=author)
            return _store(**store)

    result = _store(**store)
    if result.created and role == Message.Role.SHOPPER:
        message_id = result.message.id
        if conversation.status == Conversation.Status.BOT:
            transaction.on_commit(lambda: _enqueue_assistant(message_id))
        else:
            # A hint for the consoles (last message, unread counts); the websocket path coalesces these.
            _broadcast_on_commit(
                CONSOLE_GROUP,
                {
                    "type": "queue.changed",
                    "conversation": conversation.pk,
                    "status": conversation.status,
                    "cause": "message",
                },
            )
    return result


def _enqueue_assistant(message_id: int) -> None:
    from support.tasks import assistant_reply

    try:
        assistant_reply.delay(message_id)
    except Exception:  # noqa: BLE001 - broker down: hand the shopper to a person rather than go silent.
        logger.exception("could not queue the assistant for message %s", message_id)
        message = Message.objects.select_related("conversation").filter(pk=message_id).first()
        if message is not None:
            conversation_request_human(conversation=message.conversation)


def product_card_post(
    *, conversation: Conversation, moderator: Any, product_id: int, client_id: str = ""
) -> MessagePost:
    """A moderator sends one product as a card (name, price, link, picture)."""
    cards = product_card_payload(product_ids=[product_id])
    if not cards:
        raise ValidationError(_("No such product."), code="invalid")
    return message_post(
        conversation=conversation,
        body=cards[0]["name"],
        role=Message.Role.MODERATOR,
        author=moderator,
        client_id=client_id,
        kind=Message.Kind.PRODUCT_CARD,
        payload={"product_ids": [product_id], "products": cards},
    )


def product_card_payload(*, product_ids: list[int]) -> list[dict]:
    """A snapshot of the products for the chat (the card shows what was sent, even if prices change)."""
    from shop.selectors import product_cards

    return [
        {
            "id": product.id,
            "name": product.name,
            "price": str(product.price),
            "url": product.get_absolute_url(),
            "image": getattr(product, "card_image_url", "") or "",
        }
        for product in product_cards(product_ids=product_ids)
    ]


# --- read receipts ---------------------------------------------------------------------------------------------


def conversation_mark_read(
    *, conversation: Conversation, user: Any, session_key: str | None, up_to_id: Any
) -> int:
    """Move the participant's read mark forward (never back) and tell the others; returns the mark."""
    if isinstance(up_to_id, bool) or not isinstance(up_to_id, int) or up_to_id < 0:
        raise ValidationError(_("up_to_id must be a message id."), code="invalid")
    # Never beyond what exists in this conversation.
    latest = (
        Message.objects.filter(conversation=conversation, id__lte=up_to_id)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
    )
    if latest is None:
        return 0
    key = author_key_for(user=user, session_key=session_key)
    authenticated = user is not None and user.is_authenticated
    with transaction.atomic():
        state, _created = ReadState.objects.get_or_create(
            conversation=conversation,
            participant_key=key,
            defaults={"user": user if authenticated else None, "last_read_id": latest},
        )
        if not _created:
            ReadState.objects.filter(pk=state.pk, last_read_id__lt=latest).update(
                last_read_id=latest
            )
            state.refresh_from_db()
        role = (
            Message.Role.SHOPPER
            if not authenticated or conversation.user_id == user.id
            else Message.Role.MODERATOR
        )
        _broadcast_on_commit(
            conversation_group(conversation.pk),
            {
                "type": "chat.read",
                "frame": {
                    "type": "read",
                    "conversation": conversation.pk,
                    "role": role,
                    "reader": display_name(user if authenticated else None),
                    "up_to_id": state.last_read_id,
                },
            },
        )
    return state.last_read_id


# --- people: handoff, claim, assign, close, rate ------------------------------------------------------------


def _system_message(conversation: Conversation, body: str) -> None:
    _store(
        conversation=conversation,
        body=body,
        role=Message.Role.SYSTEM,
        author=None,
        author_key=SYSTEM_KEY,
        client_id="",
        kind=Message.Kind.TEXT,
        payload={},
    )


def conversation_request_human(*, conversation: Conversation) -> Conversation:
    """ "Talk to a person": the conversation joins the waiting queue (and is auto-assigned if someone is free)."""
    with transaction.atomic():
        moved = Conversation.objects.filter(
            pk=conversation.pk, status=Conversation.Status.BOT
        ).update(status=Conversation.Status.WAITING, waiting_since=timezone.now())
        conversation.refresh_from_db()
        if not moved:
            return conversation
        _system_message(
            conversation, _("A person from our team will join shortly. You can keep writing.")
        )
        _broadcast_status(conversation)
    if settings.SUPPORT_AUTO_ASSIGN:
        queue_auto_assign()
        conversation.refresh_from_db()
    return conversation


def conversation_claim(*, conversation: Conversation, moderator: Any) -> Conversation:
    """A moderator takes an unassigned conversation; refused if another moderator has it already."""
    if not is_moderator(moderator):
        raise PermissionDenied(_("Only moderators can claim conversations."))
    with transaction.atomic():
        now = timezone.now()
        claimed = Conversation.objects.filter(
            pk=conversation.pk,
            status__in=[Conversation.Status.BOT, Conversation.Status.WAITING],
            assigned_to__isnull=True,
        ).update(
            status=Conversation.Status.ASSIGNED,
            assigned_to=moderator,
            waiting_since=_waiting_since_or_now(),
            updated_at=now,
        )
        conversation.refresh_from_db()
        if not claimed:
            if conversation.assigned_to_id == moderator.id:
                return conversation
            if conversation.is_closed:
                raise ValidationError(_("This conversation is closed."), code="closed")
            raise ValidationError(
                _("%(name)s already has this conversation.")
                % {"name": display_name(conversation.assigned_to)},
                code="taken",
            )
        _touch_round_robin(moderator, now)
        _system_message(
            conversation, _("%(name)s joined the conversation.") % {"name": display_name(moderator)}
        )
        _broadcast_status(conversation)
    return conversation


def _waiting_since_or_now() -> Any:
    """`waiting_since` keeps its first value; a conversation claimed straight from the bot gets now()."""
    from django.db.models import DateTimeField, Value
    from django.db.models.functions import Coalesce

    return Coalesce(F("waiting_since"), Value(timezone.now(), output_field=DateTimeField()))


def _touch_round_robin(moderator: Any, when: Any) -> None:
    presence, _created = ModeratorPresence.objects.get_or_create(user=moderator)
    ModeratorPresence.objects.filter(pk=presence.pk).update(last_assigned_at=when)


def conversation_assign(*, conversation: Conversation, moderator: Any, actor: Any) -> Conversation:
    """Assign (or transfer) a conversation to a moderator; only moderators may do it."""
    if not is_moderator(actor):
        raise PermissionDenied(_("Only moderators can assign conversations."))
    if not is_moderator(moderator):
        raise ValidationError(_("That person is not a moderator."), code="invalid")
    with transaction.atomic():
        now = timezone.now()
        updated = (
            Conversation.objects.filter(pk=conversation.pk)
            .exclude(status=Conversation.Status.CLOSED)
            .update(
                status=Conversation.Status.ASSIGNED,
                assigned_to=moderator,
                waiting_since=_waiting_since_or_now(),
                updated_at=now,
            )
        )
        if not updated:
            raise ValidationError(_("This conversation is closed."), code="closed")
        previous = conversation.assigned_to_id
        conversation.refresh_from_db()
        _touch_round_robin(moderator, now)
        if previous != moderator.id:
            _system_message(
                conversation,
                _("%(name)s joined the conversation.") % {"name": display_name(moderator)},
            )
        _broadcast_status(conversation)
    return conversation


def queue_auto_assign() -> int:
    """Round-robin: waiting conversations (oldest first) go to online moderators with free capacity,
    the one assigned longest ago first. Returns how many were assigned."""
    assigned = 0
    while True:
        waiting = (
            Conversation.objects.filter(
                status=Conversation.Status.WAITING, assigned_to__isnull=True
            )
            .order_by("waiting_since", "id")
            .first()
        )
        if waiting is None:
            return assigned
        candidates = (
            ModeratorPresence.objects.filter(status=ModeratorPresence.Status.ONLINE)
            .annotate(
                open_count=Count(
                    "user__assigned_support_conversations",
                    filter=Q(
                        user__assigned_support_conversations__status=Conversation.Status.ASSIGNED
                    ),
                )
            )
            .filter(open_count__lt=F("capacity"))
            .select_related("user")
            .order_by(F("last_assigned_at").asc(nulls_first=True), "id")
        )
        presence = next((p for p in candidates if is_moderator(p.user)), None)
        if presence is None:
            return assigned
        try:
            conversation_claim(conversation=waiting, moderator=presence.user)
        except ValidationError:
            continue  # someone claimed it meanwhile; look again
        assigned += 1


def conversation_close(
    *, conversation: Conversation, actor: Any, session_key: str | None = None
) -> Conversation:
    """Close the conversation (the shopper or a moderator). Counted as resolved by the assistant alone when
    no person was ever asked for."""
    with transaction.atomic():
        conversation.refresh_from_db()
        if conversation.is_closed:
            return conversation
        by_assistant = conversation.waiting_since is None and conversation.assigned_to_id is None
        Conversation.objects.filter(pk=conversation.pk).exclude(
            status=Conversation.Status.CLOSED
        ).update(
            status=Conversation.Status.CLOSED,
            closed_at=timezone.now(),
            resolved_by_assistant=by_assistant,
        )
        conversation.refresh_from_db()
        _system_message(conversation, _("The conversation was closed. How did we do?"))
        _broadcast_status(conversation)
    if settings.SUPPORT_AUTO_ASSIGN and conversation.assigned_to_id:
        queue_auto_assign()
    return conversation


def conversation_rate(
    *,
    conversation: Conversation,
    user: Any,
    session_key: str | None,
    rating: Any,
    comment: Any = "",
) -> Conversation:
    """The shopper rates a closed conversation once, 1 to 5 with an optional comment."""
    if is_moderator(user) and conversation.user_id != getattr(user, "id", None):
        raise PermissionDenied(_("Only the shopper can rate this conversation."))
    if isinstance(rating, str) and rating.strip().isdigit():
        rating = int(rating)
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."), code="invalid")
    if not isinstance(comment, str) or len(comment) > 2000:
        raise ValidationError(
            _("The comment must be text of at most 2000 characters."), code="invalid"
        )
    with transaction.atomic():
        rated = Conversation.objects.filter(
            pk=conversation.pk, status=Conversation.Status.CLOSED, rating__isnull=True
        ).update(rating=rating, rating_comment=comment.strip(), rated_at=timezone.now())
        conversation.refresh_from_db()
        if not rated:
            if not conversation.is_closed:
                raise ValidationError(
                    _("You can rate the conversation once it is closed."), code="open"
                )
            raise ValidationError(_("You already rated this conversation."), code="rated")
        _broadcast_status(conversation)
    return conversation


def conversations_close_idle(*, idle_minutes: int = 30) -> int:
    """Close assistant-only conversations nobody wrote in for a while (resolved by the assistant)."""
    cutoff = timezone.now() - timedelta(minutes=idle_minutes)
    closed = 0
    for conversation in Conversation.objects.filter(
        status=Conversation.Status.BOT, updated_at__lt=cutoff
    )[:500]:
        conversation_close(conversation=conversation, actor=None)
        closed += 1
    return closed


# --- presence and moderation ------------------------------------------------------------------------------------


def presence_set(*, user: Any, status: str, capacity: int | None = None) -> ModeratorPresence:
    if not is_moderator(user):
        raise PermissionDenied(_("Only moderators have a presence."))
    if status not in ModeratorPresence.Status.values:
        raise ValidationError(_("Unknown presence status."), code="invalid")
    if capacity is not None and (
        isinstance(capacity, bool) or not isinstance(capacity, int) or not 0 <= capacity <= 50
    ):
        raise ValidationError(_("Capacity must be between 0 and 50."), code="invalid")
    presence, _created = ModeratorPresence.objects.get_or_create(user=user)
    presence.status = status
    presence.last_seen_at = timezone.now()
    fields = ["status", "last_seen_at"]
    if capacity is not None:
        presence.capacity = capacity
        fields.append("capacity")
    presence.save(update_fields=fields)
    _broadcast_on_commit(
        CONSOLE_GROUP, {"type": "queue.changed", "conversation": None, "status": status}
    )
    if status == ModeratorPresence.Status.ONLINE and settings.SUPPORT_AUTO_ASSIGN:
        transaction.on_commit(queue_auto_assign)
    return presence


def message_report(*, message: Message, reporter: Any, reason: str, note: str = "") -> Any:
    """Send a chat message to the one moderation queue (social-community's reports)."""
    if not is_moderator(reporter):
        raise PermissionDenied(_("Only moderators can report chat messages."))
    from social.services import report_create

    return report_create(reporter=reporter, target=message, reason=reason, note=note)


# --- the assistant ----------------------------------------------------------------------------------------------

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class _FallbackAnswer:
    """Same shape as `support.assistant.AssistantAnswer`, used when the assistant is missing or fails."""

    body: str
    kind: str = "text"
    payload: dict = field(default_factory=dict)
    handoff: bool = True
    confidence: float = 0.0
    source: str = "fallback"


@dataclass(frozen=True)
class _FallbackContext:
    user: Any = None
    order_number: str | None = None
    history: list = field(default_factory=list)


def _fallback_answer() -> Any:
    return _FallbackAnswer(
        body=_("I can't answer that right now, so let me get a person to help you.")
    )


def _context_types() -> tuple[Any, Any]:
    try:
        from support.assistant.types import AssistantContext, HistoryItem
    except Exception:  # noqa: BLE001 - the assistant package is optional for the chat to work
        return _FallbackContext, dict
    return AssistantContext, HistoryItem


def _call_assistant(*, text: str, context: Any) -> Any:
    try:
        import support.assistant as assistant

        answer = getattr(assistant, "answer", None)
        if answer is None:
            return _fallback_answer()
        return answer(text=text, context=context)
    except Exception:  # noqa: BLE001 - any assistant failure becomes a handoff, never silence.
        logger.exception("support assistant failed")
        return _fallback_answer()


def assistant_reply_post(*, message_id: int) -> Message | None:
    """Answer one shopper message with the assistant and post it (idempotent: one answer per message)."""
    message = (
        Message.objects.select_related("conversation", "conversation__user", "conversation__order")
        .filter(pk=message_id, role=Message.Role.SHOPPER)
        .first()
    )
    if message is None:
        return None
    conversation = message.conversation
    if conversation.status != Conversation.Status.BOT:
        return None  # a person has taken over
    client_id = f"reply-{message_id}"
    if Message.objects.filter(
        conversation=conversation, author_key=ASSISTANT_KEY, client_id=client_id
    ).exists():
        return None
    AssistantContext, HistoryItem = _context_types()  # noqa: N806
    earlier = list(
        Message.objects.filter(conversation=conversation, id__lt=message.id)
        .exclude(kind=Message.Kind.NOTE)
        .order_by("-id")
        .values_list("role", "body", "payload")[:HISTORY_LIMIT]
    )
    context = AssistantContext(
        user=conversation.user,
        order_number=conversation.order.number if conversation.order_id else None,
        history=[HistoryItem(role=r, body=b, payload=p or {}) for r, b, p in reversed(earlier)],
    )
    answer = _call_assistant(text=message.body, context=context)
    payload = dict(answer.payload or {})
    payload.update(
        {"source": answer.source, "confidence": answer.confidence, "reply_to": message_id}
    )
    kind = Message.Kind.TEXT
    if answer.kind == "product_cards" and payload.get("product_ids"):
        payload["products"] = product_card_payload(product_ids=list(payload["product_ids"]))
        kind = Message.Kind.PRODUCT_CARD
    result = message_post(
        conversation=conversation,
        body=answer.body or _("Let me get a person to help you."),
        role=Message.Role.ASSISTANT,
        client_id=client_id,
        kind=kind,
        payload=payload,
    )
    if answer.handoff:
        conversation_request_human(conversation=conversation)
    return result.message
