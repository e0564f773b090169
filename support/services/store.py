"""Storing a chat message: the one statement every message goes through, and the messages the site writes
itself (the greeting, system notices, the assistant's answers).

A message is stored first and broadcast after commit (support.services.broadcasting). Its sequence number comes
from a conditional UPDATE of `Conversation.last_seq` in the same statement as the insert, which also serialises
concurrent writers of one conversation. A resend with the same `client_id` from the same author returns the
stored message instead of a second row (a unique constraint, not a read before the write).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import User
from support.models import Conversation, Message
from support.selectors import message_frame
from support.services.broadcasting import broadcast_on_commit, conversation_group, staff_group

__all__ = [
    "PAGE_PRODUCT_KEY",
    "page_product_payload",
    "ASSISTANT_KEY",
    "SYSTEM_KEY",
    "MessagePost",
    "StoreRule",
    "automatic_message_post",
    "body_validate",
    "client_id_validate",
    "message_existing",
    "message_store",
    "system_message_post",
]

MAX_CLIENT_ID_LENGTH = 64
ASSISTANT_KEY = "assistant"
SYSTEM_KEY = "system"


@dataclass(frozen=True)
class MessagePost:
    message: Message
    created: bool


def body_validate(body: Any, *, limit_size: bool = True) -> str:
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


def client_id_validate(client_id: Any) -> str:
    if client_id is None:
        return ""
    if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID_LENGTH:
        raise ValidationError(
            _("client_id must be text of at most %(n)d characters.") % {"n": MAX_CLIENT_ID_LENGTH},
            code="invalid",
        )
    return client_id


class _NotStored(Exception):
    """The insert met an existing row (a resend racing its twin): roll the sequence bump back."""


@dataclass(frozen=True)
class StoreRule:
    """What the storing statement itself checks, so that the common case needs no read before the write."""

    refuse_closed: bool = False
    # Shopper messages: the conversation must still be this participant's ("u<id>" owner or the visitor's
    # session), the same rule as `conversation_access`, checked again on every write at no extra cost.
    owner_id: int | None = None
    owner_session: str | None = None
    first_response: bool = False


def message_store(
    *,
    conversation: Conversation,
    body: str,
    role: str,
    author: User | None,
    author_key: str,
    client_id: str,
    kind: str,
    payload: dict[str, Any],
    rule: StoreRule | None = None,
) -> MessagePost:
    """Insert with the conversation's next sequence number, or return the message this client_id already stored.

    One statement on PostgreSQL: the conditional `UPDATE ... SET last_seq = last_seq + 1 ... RETURNING` and the
    `INSERT ... ON CONFLICT DO NOTHING RETURNING id` run as one CTE. The row lock the UPDATE takes is held until
    commit, so writers of one conversation are serialised and message ids increase in commit order; the
    `client_id` unique constraint makes a resend a no-op instead of a read-then-write. Only when nothing was
    stored (a resend, a closed or foreign conversation) does a second query find out why.
    """
    rule = rule or StoreRule()
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
        existing = message_existing(conversation, author_key, client_id)
        if existing is not None:
            return MessagePost(message=existing, created=False)
        _raise_not_stored(conversation, rule)
    message.id, message.seq, status = row
    message._state.adding = False
    message._state.db = connection.alias
    conversation.last_seq = message.seq
    conversation.status = status
    group = staff_group if kind == Message.Kind.NOTE else conversation_group
    broadcast_on_commit(
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


def _insert_next(
    message: Message, *, rule: StoreRule, now: datetime
) -> tuple[int, int, str] | None:
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
    sets = ["last_seq = last_seq + 1", "updated_at = %s"]
    set_params: list[Any] = [stamp]
    if rule.first_response:
        sets.append("first_response_at = COALESCE(first_response_at, %s)")
        set_params.append(stamp)
    where = ["id = %s"]
    where_params: list[Any] = [message.conversation_id]
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


def _raise_not_stored(conversation: Conversation, rule: StoreRule) -> NoReturn:
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


def message_existing(conversation: Conversation, author_key: str, client_id: str) -> Message | None:
    if not client_id:
        return None
    return (
        Message.objects.select_related("author")
        .filter(conversation_id=conversation.pk, author_key=author_key, client_id=client_id)
        .first()
    )


def system_message_post(*, conversation: Conversation, body: str) -> None:
    """A notice from the site in the conversation ("X joined", "closed"); no client_id, never deduplicated."""
    message_store(
        conversation=conversation,
        body=body,
        role=Message.Role.SYSTEM,
        author=None,
        author_key=SYSTEM_KEY,
        client_id="",
        kind=Message.Kind.TEXT,
        payload={},
    )


def automatic_message_post(
    *,
    conversation: Conversation,
    body: Any,
    role: str,
    client_id: Any = "",
    kind: str = Message.Kind.TEXT,
    payload: dict[str, Any] | None = None,
) -> MessagePost:
    """A message the site writes itself (the assistant's answers, system texts): validated like any other but
    without the people's size limit, rate limit and participant rule; idempotent on `client_id`.
    `message_post` hands these roles here, so there is one way to store them."""
    return message_store(
        conversation=conversation,
        body=body_validate(body, limit_size=False),
        role=role,
        author=None,
        author_key=ASSISTANT_KEY if role == Message.Role.ASSISTANT else SYSTEM_KEY,
        client_id=client_id_validate(client_id),
        kind=kind,
        payload=payload or {},
        rule=StoreRule(),
    )


# A shopper's message may carry the product whose page the chat was sent from (a hint for the assistant).
PAGE_PRODUCT_KEY = "page_product_id"


def page_product_payload(product_id: Any) -> dict[str, Any]:
    """The stored payload of a shopper's message sent from a product page: `{PAGE_PRODUCT_KEY: id}`, or
    nothing when no (positive whole-number) id came with it. Only a hint: the assistant re-reads the product
    through the shop's selectors and ignores an inactive or unknown one."""
    if isinstance(product_id, bool) or not isinstance(product_id, int) or product_id <= 0:
        return {}
    return {PAGE_PRODUCT_KEY: product_id}
