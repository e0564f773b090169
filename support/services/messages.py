"""Chat messages from people: `message_post` is the one path for every message, whether it came from the
websocket, the HTTP fallback, the console, Django admin or the demo seeder (the assistant's answers and system
texts go through it too, to `store.automatic_message_post`); plus product cards, read receipts and reporting a
message to the moderation queue.

A message is validated, rate limited per author (one cache round trip shared by all server processes), stored
with the conversation's next sequence number (support.services.store) and broadcast after commit. A shopper's
message in a conversation still with the assistant queues the assistant's answer on commit.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.ratelimit import window_count
from shop.models import User
from social.models import Report
from social.selectors import user_is_moderator
from social.services import report_create
from support.models import CannedReply, Conversation, Message, ReadState
from support.selectors import Participant, author_key_for, display_name, product_card_payload
from support.services.assignment import conversation_claim
from support.services.assistant import assistant_reply_queue
from support.services.broadcasting import CONSOLE_GROUP, broadcast_on_commit, conversation_group
from support.services.store import (
    MessagePost,
    StoreRule,
    automatic_message_post,
    body_validate,
    client_id_validate,
    message_existing,
    message_store,
)

__all__ = [
    "conversation_mark_read",
    "message_post",
    "message_rate_limit",
    "message_report",
    "product_card_post",
]

_SHORTCUT = re.compile(r"^/([-a-zA-Z0-9_]{1,40})$")


def message_rate_limit(author_key: str) -> None:
    """Count one message against the author's window (one Redis round trip; shared by all server processes).
    A voice message is counted when it is uploaded, so its transcript is posted without counting again."""
    window = max(1, settings.SUPPORT_RATE_LIMIT_WINDOW_SECONDS)
    key = f"support:rate:{author_key}:{int(timezone.now().timestamp()) // window}"
    if window_count(key, timeout=window * 2) > settings.SUPPORT_RATE_LIMIT_MESSAGES:
        raise ValidationError(
            _("You are sending messages too fast; wait a few seconds."), code="rate_limited"
        )


def message_post(
    *,
    conversation: Conversation,
    body: Any,
    role: str,
    author: Participant = None,
    session_key: str | None = None,
    client_id: Any = "",
    kind: str = Message.Kind.TEXT,
    payload: dict[str, Any] | None = None,
    rate_limit: bool = True,
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
    if not people:
        return automatic_message_post(
            conversation=conversation,
            body=body,
            role=role,
            client_id=client_id,
            kind=kind,
            payload=payload,
        )
    body = body_validate(body)
    client_id = client_id_validate(client_id)
    author_key = author_key_for(user=author, session_key=session_key)
    authenticated = author is not None and author.is_authenticated
    rule = StoreRule(refuse_closed=True)
    if role == Message.Role.SHOPPER:
        rule = StoreRule(
            refuse_closed=True,
            owner_id=author.pk if authenticated and author is not None else None,
            owner_session=None if authenticated else session_key,
        )
    elif role == Message.Role.MODERATOR:
        # Cached on the user object: the socket's user asks once.
        if not isinstance(author, User) or not user_is_moderator(author):
            raise PermissionDenied(_("Only moderators can answer here."))
        if kind == Message.Kind.TEXT:
            match = _SHORTCUT.match(body)
            canned = match and CannedReply.objects.filter(shortcut=match.group(1)).first()
            if canned:
                body = canned.text
        if kind != Message.Kind.NOTE:
            rule = StoreRule(refuse_closed=True, first_response=True)
    try:
        if rate_limit:
            message_rate_limit(author_key)
    except ValidationError:
        existing = message_existing(conversation, author_key, client_id)
        if existing is None:
            raise
        return MessagePost(message=existing, created=False)

    def store() -> MessagePost:
        return message_store(
            conversation=conversation,
            body=body,
            role=role,
            author=author if isinstance(author, User) else None,
            author_key=author_key,
            client_id=client_id,
            kind=kind,
            payload=payload or {},
            rule=rule,
        )

    if rule.first_response:
        # A moderator's reply claims an unassigned conversation first ("X joined" comes before the reply).
        with transaction.atomic():
            existing = message_existing(conversation, author_key, client_id)
            if existing is not None:
                return MessagePost(message=existing, created=False)
            state = (
                Conversation.objects.filter(pk=conversation.pk)
                .values_list("assigned_to_id", flat=True)
                .first()
            )
            if state is None and not Conversation.objects.filter(pk=conversation.pk).exists():
                raise ValidationError(_("This conversation no longer exists."), code="gone")
            if state is None and isinstance(author, User):
                conversation_claim(conversation=conversation, moderator=author)
            return store()

    result = store()
    if result.created and role == Message.Role.SHOPPER:
        message_id = result.message.id
        if conversation.status == Conversation.Status.BOT:
            assistant_reply_queue(message_id=message_id)
        else:
            # A hint for the consoles (last message, unread counts); the websocket path coalesces these.
            broadcast_on_commit(
                CONSOLE_GROUP,
                {
                    "type": "queue.changed",
                    "conversation": conversation.pk,
                    "status": conversation.status,
                    "cause": "message",
                },
            )
    return result


def product_card_post(
    *, conversation: Conversation, moderator: User, product_id: int, client_id: str = ""
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


def conversation_mark_read(
    *, conversation: Conversation, user: Participant, session_key: str | None, up_to_id: Any
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
    account = user if isinstance(user, User) and user.is_authenticated else None
    with transaction.atomic():
        state, _created = ReadState.objects.get_or_create(
            conversation=conversation,
            participant_key=key,
            defaults={"user": account, "last_read_id": latest},
        )
        if not _created:
            ReadState.objects.filter(pk=state.pk, last_read_id__lt=latest).update(
                last_read_id=latest
            )
            state.refresh_from_db()
        role = (
            Message.Role.SHOPPER
            if account is None or conversation.user_id == account.id
            else Message.Role.MODERATOR
        )
        broadcast_on_commit(
            conversation_group(conversation.pk),
            {
                "type": "chat.read",
                "frame": {
                    "type": "read",
                    "conversation": conversation.pk,
                    "role": role,
                    "reader": display_name(account),
                    "up_to_id": state.last_read_id,
                },
            },
        )
    return state.last_read_id


def message_report(*, message: Message, reporter: User, reason: str, note: str = "") -> Report:
    """Send a chat message to the one moderation queue (social's reports)."""
    if not user_is_moderator(reporter):
        raise PermissionDenied(_("Only moderators can report chat messages."))
    return report_create(reporter=reporter, target=message, reason=reason, note=note)
