"""The "support" section of the account's data export: conversations, messages (internal notes left out) and
voice recordings (with a link to each audio file).

Social's privacy page collects it through `social.hooks.account_exporting`, registered in `SupportConfig.ready`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from shop.models import User
from support.models import Conversation, Message
from support.selectors.messages import message_frame
from support.selectors.voice import voice_export_rows

__all__ = ["export_for_user"]


def export_for_user(*, user: User) -> dict[str, Any]:
    """The account's conversations, messages and voice recordings for the data export (no internal notes)."""
    conversations = list(
        Conversation.objects.filter(user=user).select_related("order").order_by("created_at", "id")
    )
    voices = voice_export_rows(conversation_ids=[c.id for c in conversations])
    messages_by_conversation: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for message in (
        Message.objects.filter(conversation__user=user)
        .exclude(kind=Message.Kind.NOTE)
        .select_related("author")
        .order_by("conversation_id", "id")
    ):
        frame = message_frame(message)
        messages_by_conversation[message.conversation_id].append(
            {
                "id": message.id,
                "role": message.role,
                "author": frame["author"],
                "kind": message.kind,
                "body": frame["body"],
                "created_at": frame["created_at"],
            }
        )
    return {
        "conversations": [
            {
                "id": c.id,
                "status": c.status,
                "order": c.order.number if c.order is not None else None,
                "created_at": c.created_at.isoformat(),
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                "rating": c.rating,
                "rating_comment": c.rating_comment,
                "messages": messages_by_conversation.get(c.id, []),
                "voice_messages": voices.get(c.id, []),
            }
            for c in conversations
        ]
    }
