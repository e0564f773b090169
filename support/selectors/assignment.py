"""The moderators' queue: conversations waiting for a person, and each moderator's open conversations with
unread counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shop.models import User
from social.selectors import AvatarSources, avatar_sources_for
from support.models import Conversation, Message, ReadState
from support.selectors.conversations import display_name

__all__ = ["ConsoleItem", "assignable_moderators", "console_items_for", "queue_waiting"]


@dataclass(frozen=True)
class ConsoleItem:
    id: int
    status: str
    customer: str
    order: str | None
    waiting_seconds: int | None
    assigned_to: str | None
    assigned_to_id: int | None
    unread: int
    last_body: str
    # The shopper's avatar (None for a visitor or a shopper without one), drawn beside the name.
    customer_avatar: AvatarSources | None = None


def _console_queryset() -> QuerySet[Conversation]:
    last_body = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .exclude(kind=Message.Kind.NOTE)
        .order_by("-id")
        .values("body")[:1]
    )
    # The shopper's profile in the same query: the avatar beside each row asks nothing more.
    return Conversation.objects.select_related(
        "user", "user__profile", "assigned_to", "order"
    ).annotate(last_body=Subquery(last_body))


def _console_item(conversation: Conversation, *, unread: int, now: datetime) -> ConsoleItem:
    waiting = None
    if conversation.waiting_since and conversation.status == Conversation.Status.WAITING:
        waiting = int((now - conversation.waiting_since).total_seconds())
    last_body: str | None = getattr(conversation, "last_body", None)  # the queryset's annotation
    return ConsoleItem(
        id=conversation.id,
        status=conversation.status,
        customer=display_name(conversation.user),
        order=conversation.order.number if conversation.order is not None else None,
        waiting_seconds=waiting,
        assigned_to=display_name(conversation.assigned_to) if conversation.assigned_to_id else None,
        assigned_to_id=conversation.assigned_to_id,
        unread=unread,
        last_body=(last_body or "")[:120],
        customer_avatar=avatar_sources_for(conversation.user),
    )


def queue_waiting() -> list[ConsoleItem]:
    """Conversations waiting for a person, oldest first, with how long each has waited."""
    now = timezone.now()
    conversations = _console_queryset().filter(status=Conversation.Status.WAITING)
    return [
        _console_item(c, unread=0, now=now)
        for c in conversations.order_by("waiting_since", "id")[:200]
    ]


def console_items_for(*, moderator: User) -> list[ConsoleItem]:
    """The moderator's open conversations with unread counts (shopper messages after their read mark)."""
    now = timezone.now()
    read_mark = ReadState.objects.filter(
        conversation=OuterRef("pk"), participant_key=f"u{moderator.id}"
    ).values("last_read_id")[:1]
    conversations = list(
        _console_queryset()
        .filter(assigned_to=moderator, status=Conversation.Status.ASSIGNED)
        .annotate(read_mark=Subquery(read_mark))
        .order_by("-updated_at", "-id")
    )
    unread_by_id: dict[int, int] = {}
    if conversations:
        conditions = Q()
        for c in conversations:
            conditions |= Q(conversation_id=c.id, id__gt=getattr(c, "read_mark", None) or 0)
        unread_by_id = dict(
            Message.objects.filter(conditions, role=Message.Role.SHOPPER)
            .values("conversation_id")
            .annotate(n=Count("id"))
            .values_list("conversation_id", "n")
        )
    return [_console_item(c, unread=unread_by_id.get(c.id, 0), now=now) for c in conversations]


def assignable_moderators() -> QuerySet[User]:
    """Who a conversation can be assigned to from the console: active members of the moderators group."""
    return User.objects.filter(groups__name="moderators", is_active=True).order_by("username")
