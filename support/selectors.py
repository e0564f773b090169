"""Support chat reads: who may open a conversation, message replay, the moderator queue, customer context,
transcripts, the data export and the dashboard figures.

`conversation_access` is the one home of chat authorization: the websocket consumers, the HTTP API and the
console pages all call it. A shopper reaches only their own conversations, an anonymous visitor only the one
tied to their session, a moderator any of them; everything else is refused before any data is read.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from support.models import CannedReply, Conversation, Message, ModeratorPresence, ReadState

__all__ = [
    "ConsoleItem",
    "CustomerContext",
    "DashboardRow",
    "Dashboard",
    "author_key_for",
    "canned_reply_list",
    "console_items_for",
    "conversation_access",
    "conversation_frame",
    "conversation_role_for",
    "customer_context",
    "dashboard",
    "display_name",
    "export_for_user",
    "is_moderator",
    "message_frame",
    "messages_after",
    "presence_for",
    "queue_waiting",
    "transcript_text",
]

SYNC_PAGE_SIZE = 200


def is_moderator(user: Any) -> bool:
    """Moderators may read any conversation and work the console."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    try:
        from social.selectors import user_is_moderator
    except ImportError:  # social-community's selector not there yet: same rule, stated here.
        return bool(user.is_superuser or user.groups.filter(name="moderators").exists())
    return bool(user_is_moderator(user))


def author_key_for(*, user: Any, session_key: str | None) -> str:
    """A stable key for a participant: "u<id>" for accounts, "s<session key>" for anonymous visitors."""
    if user is not None and getattr(user, "is_authenticated", False):
        return f"u{user.id}"
    if session_key:
        return f"s{session_key}"
    raise PermissionDenied(_("Your session has expired; reload the page to chat."))


def display_name(user: Any) -> str:
    if user is None:
        return _("Visitor")
    return user.get_full_name() or user.get_username()


def conversation_access(
    *, user: Any, session_key: str | None, conversation_id: int
) -> Conversation:
    """The conversation if this participant may use it; Http404 if unknown, PermissionDenied otherwise."""
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        raise Http404(_("No such conversation.")) from None
    conversation = (
        Conversation.objects.select_related("user", "assigned_to", "order")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        raise Http404(_("No such conversation."))
    user = user or AnonymousUser()
    if user.is_authenticated:
        if conversation.user_id == user.id or is_moderator(user):
            return conversation
    elif conversation.user_id is None and session_key and conversation.session_key == session_key:
        return conversation
    raise PermissionDenied(_("This is not your conversation."))


def conversation_role_for(*, conversation: Conversation, user: Any) -> str:
    """The role a participant writes with: the conversation's owner is the shopper, anyone else a moderator."""
    if user is not None and user.is_authenticated and conversation.user_id != user.id:
        return Message.Role.MODERATOR
    return Message.Role.SHOPPER


def message_frame(message: Message) -> dict[str, Any]:
    """The `message.new` frame for one stored message (protocol: docs/support-protocol.md)."""
    body = message.body
    payload = message.payload or {}
    if message.is_hidden:
        body = _("This message was hidden by a moderator.")
        payload = {}
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
        "role": message.role,
        "kind": message.kind,
        "body": body,
        "payload": payload,
        "created_at": message.created_at.isoformat(),
        "client_id": message.client_id,
    }


def conversation_frame(conversation: Conversation) -> dict[str, Any]:
    """The `conversation.status` frame: where the conversation stands."""
    return {
        "type": "conversation.status",
        "conversation": conversation.id,
        "status": conversation.status,
        "assigned_to": display_name(conversation.assigned_to)
        if conversation.assigned_to_id
        else None,
        "assigned_to_id": conversation.assigned_to_id,
        "order": conversation.order.number if conversation.order_id else None,
        "rating": conversation.rating,
        "last_id": Message.objects.filter(conversation=conversation)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0,
    }


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
    return list(queryset.select_related("author").order_by("id")[:limit])


def canned_reply_list() -> list[CannedReply]:
    return list(CannedReply.objects.order_by("shortcut"))


def presence_for(*, user: Any) -> ModeratorPresence:
    presence, _created = ModeratorPresence.objects.get_or_create(user=user)
    return presence


# --- the console -----------------------------------------------------------------------------------------


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


def _console_queryset() -> QuerySet[Conversation]:
    last_body = (
        Message.objects.filter(conversation=OuterRef("pk"))
        .exclude(kind=Message.Kind.NOTE)
        .order_by("-id")
        .values("body")[:1]
    )
    return Conversation.objects.select_related("user", "assigned_to", "order").annotate(
        last_body=Subquery(last_body)
    )


def _console_item(conversation: Conversation, *, unread: int, now: datetime) -> ConsoleItem:
    waiting = None
    if conversation.waiting_since and conversation.status == Conversation.Status.WAITING:
        waiting = int((now - conversation.waiting_since).total_seconds())
    return ConsoleItem(
        id=conversation.id,
        status=conversation.status,
        customer=display_name(conversation.user),
        order=conversation.order.number if conversation.order_id else None,
        waiting_seconds=waiting,
        assigned_to=display_name(conversation.assigned_to) if conversation.assigned_to_id else None,
        assigned_to_id=conversation.assigned_to_id,
        unread=unread,
        last_body=(conversation.last_body or "")[:120],
    )


def queue_waiting() -> list[ConsoleItem]:
    """Conversations waiting for a person, oldest first, with how long each has waited."""
    now = timezone.now()
    conversations = _console_queryset().filter(status=Conversation.Status.WAITING)
    return [
        _console_item(c, unread=0, now=now)
        for c in conversations.order_by("waiting_since", "id")[:200]
    ]


def console_items_for(*, moderator: Any) -> list[ConsoleItem]:
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
            conditions |= Q(conversation_id=c.id, id__gt=c.read_mark or 0)
        unread_by_id = dict(
            Message.objects.filter(conditions, role=Message.Role.SHOPPER)
            .values("conversation_id")
            .annotate(n=Count("id"))
            .values_list("conversation_id", "n")
        )
    return [_console_item(c, unread=unread_by_id.get(c.id, 0), now=now) for c in conversations]


@dataclass(frozen=True)
class CustomerContext:
    conversation: Conversation
    customer: Any
    profile: Any
    orders: list
    cart: Any
    recently_viewed: list
    earlier_conversations: list
    notes: list = field(default_factory=list)


def customer_context(*, conversation: Conversation) -> CustomerContext:
    """What a moderator sees beside the chat: profile, recent orders, cart, recently viewed, earlier chats."""
    from shop import selectors as shop_selectors
    from shop.models import ProductEvent

    customer = conversation.user
    orders: list = []
    cart = None
    recently_viewed: list = []
    earlier: list = []
    profile = None
    if customer is not None:
        from social.models import Profile

        profile = Profile.objects.filter(user=customer).first()
        orders = list(shop_selectors.order_list_for_user(user=customer)[:5])
        cart = shop_selectors.cart_view(cart=shop_selectors.cart_for(user=customer))
        # shop exposes no "recently viewed" read; ProductEvent is its public activity record.
        viewed_ids = list(
            ProductEvent.objects.filter(user=customer, kind=ProductEvent.Kind.VIEW)
            .order_by("-created_at")
            .values_list("product_id", flat=True)[:30]
        )
        recently_viewed = shop_selectors.product_cards(
            product_ids=list(dict.fromkeys(viewed_ids))[:6]
        )
        earlier = list(
            Conversation.objects.filter(user=customer)
            .exclude(pk=conversation.pk)
            .order_by("-created_at")[:5]
        )
    notes = list(
        Message.objects.filter(conversation=conversation, kind=Message.Kind.NOTE)
        .select_related("author")
        .order_by("id")
    )
    return CustomerContext(
        conversation=conversation,
        customer=customer,
        profile=profile,
        orders=orders,
        cart=cart,
        recently_viewed=recently_viewed,
        earlier_conversations=earlier,
        notes=notes,
    )


# --- transcripts and the data export ------------------------------------------------------------------------


def transcript_text(*, conversation: Conversation) -> str:
    """A plain-text transcript of what the shopper saw (no internal notes)."""
    lines = [
        _("Socialshop support conversation %(id)s") % {"id": conversation.id},
        _("Started %(when)s") % {"when": conversation.created_at.strftime("%Y-%m-%d %H:%M UTC")},
    ]
    if conversation.order_id:
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


def export_for_user(*, user: Any) -> dict:
    """The account's conversations and messages for the data export (internal notes left out)."""
    conversations = (
        Conversation.objects.filter(user=user).select_related("order").order_by("created_at", "id")
    )
    messages_by_conversation: dict[int, list[dict]] = defaultdict(list)
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
                "order": c.order.number if c.order_id else None,
                "created_at": c.created_at.isoformat(),
                "closed_at": c.closed_at.isoformat() if c.closed_at else None,
                "rating": c.rating,
                "rating_comment": c.rating_comment,
                "messages": messages_by_conversation.get(c.id, []),
            }
            for c in conversations
        ]
    }


# --- the dashboard --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    label: str
    conversations: int
    first_response_minutes: float | None
    resolution_minutes: float | None
    resolved_by_assistant_share: float | None
    satisfaction: float | None
    ratings: int


@dataclass(frozen=True)
class Dashboard:
    total: DashboardRow
    per_moderator: list[DashboardRow]
    per_week: list[DashboardRow]

    @property
    def total_rows(self) -> list[DashboardRow]:
        return [self.total]


def _minutes(deltas: list[timedelta]) -> float | None:
    if not deltas:
        return None
    return round(statistics.median(d.total_seconds() for d in deltas) / 60, 1)


def _row(label: str, conversations: list[Conversation]) -> DashboardRow:
    first = [
        c.first_response_at - c.waiting_since
        for c in conversations
        if c.first_response_at and c.waiting_since
    ]
    resolution = [c.closed_at - c.created_at for c in conversations if c.closed_at]
    closed = [c for c in conversations if c.status == Conversation.Status.CLOSED]
    ratings = [c.rating for c in conversations if c.rating]
    return DashboardRow(
        label=label,
        conversations=len(conversations),
        first_response_minutes=_minutes(first),
        resolution_minutes=_minutes(resolution),
        resolved_by_assistant_share=(
            round(sum(c.resolved_by_assistant for c in closed) / len(closed), 3) if closed else None
        ),
        satisfaction=round(sum(ratings) / len(ratings), 2) if ratings else None,
        ratings=len(ratings),
    )


def dashboard(*, weeks: int = 8) -> Dashboard:
    """First-response and resolution times (medians, minutes), assistant-only share and satisfaction."""
    since = timezone.now() - timedelta(weeks=weeks)
    conversations = list(
        Conversation.objects.filter(created_at__gte=since)
        .select_related("assigned_to")
        .only(
            "id",
            "status",
            "created_at",
            "waiting_since",
            "first_response_at",
            "closed_at",
            "rating",
            "resolved_by_assistant",
            "assigned_to__username",
            "assigned_to__first_name",
            "assigned_to__last_name",
        )
    )
    by_moderator: dict[str, list[Conversation]] = defaultdict(list)
    by_week: dict[str, list[Conversation]] = defaultdict(list)
    for c in conversations:
        if c.assigned_to_id:
            by_moderator[display_name(c.assigned_to)].append(c)
        year, week, _weekday = c.created_at.isocalendar()
        by_week[f"{year}-W{week:02d}"].append(c)
    return Dashboard(
        total=_row(_("All"), conversations),
        per_moderator=[_row(name, items) for name, items in sorted(by_moderator.items())],
        per_week=[_row(label, items) for label, items in sorted(by_week.items(), reverse=True)],
    )
