"""Stored messages as the chat shows them: the `message.new` frame, replay after an id, the transcript, product
cards and the moderators' canned replies."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.utils.translation import gettext as _

from shop.selectors import product_cards
from social.selectors import avatar_sources_for
from support.models import CannedReply, Conversation, Message
from support.selectors.conversations import display_name

__all__ = [
    "SYNC_PAGE_SIZE",
    "author_profile_load",
    "canned_reply_list",
    "message_frame",
    "messages_after",
    "product_card_payload",
    "transcript_text",
]

SYNC_PAGE_SIZE = 200


def message_frame(message: Message) -> dict[str, Any]:
    """The `message.new` frame for one stored message (protocol: docs/support-protocol.md)."""
    body = message.body
    payload = message.payload or {}
    if message.is_hidden:
        body = _("This message was hidden by a moderator.")
        payload = {}
    avatar = (
        avatar_sources_for(message.author)
        if message.role in {Message.Role.SHOPPER, Message.Role.MODERATOR}
        else None
    )
    return {
        "type": "message.new",
        "id": message.id,
        "conversation": message.conversation_id,
        "seq": message.seq,
        "author": _("Assistant")
        if message.role == Message.Role.ASSISTANT
        else _("Socialshop")
        if message.role == Message.Role.SYSTEM
        else display_name(message.author),
        "author_id": message.author_id,
        "author_avatar": asdict(avatar) if avatar is not None else None,
        "role": message.role,
        "kind": message.kind,
        "body": body,
        "payload": payload,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
    }


def author_profile_load(user: Any) -> None:
    """Load a signed-in author's profile onto `user` (none for a visitor): a socket does it once at connect,
    so the avatar in each frame it posts asks nothing more (the chat's hot path stays one statement)."""
    if getattr(user, "is_authenticated", False):
        avatar_sources_for(user)


def messages_after(
    *,
    conversation: Conversation,
    after_id: int = 0,
    include_notes: bool = False,
    limit: int = SYNC_PAGE_SIZE,
) -> list[Message]:
    """Stored messages after `after_id`, oldest first (ids increase within a conversation)."""
    queryset = Message.objects.filter(conversation=conversation, id__gt=max(0, after_id))
    if not include_notes:
        queryset = queryset.exclude(kind=Message.Kind.NOTE)
    return list(queryset.select_related("author", "author__profile").order_by("id")[:limit])


def product_card_payload(*, product_ids: list[int]) -> list[dict[str, Any]]:
    """A snapshot of the products for the chat (the card shows what was sent, even if prices change)."""
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


def canned_reply_list() -> list[CannedReply]:
    return list(CannedReply.objects.order_by("shortcut"))


def transcript_text(*, conversation: Conversation) -> str:
    """A plain-text transcript of what the shopper saw (no internal notes)."""
    lines = [
        _("Socialshop support conversation %(id)s") % {"id": conversation.id},
        _("Started %(when)s") % {"when": conversation.created_at.strftime("%Y-%m-%d %H:%M UTC")},
    ]
    if conversation.order is not None:
        lines.append(_("Order %(number)s") % {"number": conversation.order.number})
    lines.append("")
    after = 0
    while True:
        page = messages_after(conversation=conversation, after_id=after, limit=500)
        if not page:
            break
        for message in page:
            frame = message_frame(message)
            stamp = message.created_at.strftime("%Y-%m-%d %H:%M")
            lines.append(f"[{stamp}] {frame['author']}: {frame['body']}")
        after = page[-1].id
    return "\n".join(lines) + "\n"
