"""Who takes part in a conversation and what its state frame says.

`conversation_access` is the one home of chat authorization: the websocket consumers, the HTTP API and the
console pages all call it. A shopper reaches only their own conversations, an anonymous visitor only the one
tied to their session, a moderator any of them; everything else is refused before any data is read. Who is a
moderator is social's one rule (`social.selectors.user_is_moderator`: active, and a superuser or in the
`moderators` group).
"""

from __future__ import annotations

from typing import Any, TypeAlias

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from shop.models import Order, User
from social.selectors import user_is_moderator
from support.models import Conversation, Message

__all__ = [
    "Participant",
    "author_key_for",
    "conversation_access",
    "conversation_current",
    "conversation_frame",
    "conversation_open_get",
    "conversation_role_for",
    "display_name",
]

# Whoever is on the other end of a request or socket: a shopper or moderator, or an anonymous visitor.
Participant: TypeAlias = User | AnonymousUser | None


def author_key_for(*, user: Participant, session_key: str | None) -> str:
    """A stable key for a participant: "u<id>" for accounts, "s<session key>" for anonymous visitors."""
    if user is not None and user.is_authenticated:
        return f"u{user.id}"
    if session_key:
        return f"s{session_key}"
    raise PermissionDenied(_("Your session has expired; reload the page to chat."))


def display_name(user: User | None) -> str:
    if user is None:
        return _("Visitor")
    return user.get_full_name() or user.get_username()


def conversation_access(
    *, user: Participant, session_key: str | None, conversation_id: Any
) -> Conversation:
    """The conversation if this participant may use it; Http404 if unknown, PermissionDenied otherwise."""
    try:
        pk = int(conversation_id)
    except (TypeError, ValueError):
        raise Http404(_("No such conversation.")) from None
    conversation = (
        Conversation.objects.select_related("user", "assigned_to", "order").filter(pk=pk).first()
    )
    if conversation is None:
        raise Http404(_("No such conversation."))
    user = user or AnonymousUser()
    if user.is_authenticated:
        if conversation.user_id == user.id or user_is_moderator(user):
            return conversation
    elif conversation.user_id is None and session_key and conversation.session_key == session_key:
        return conversation
    raise PermissionDenied(_("This is not your conversation."))


def conversation_open_get(
    *, user: Participant, session_key: str | None, order: Order | None = None
) -> Conversation | None:
    """The participant's latest conversation that is not closed (about `order` when given): a shopper's by
    account, a visitor's by the session that started it."""
    queryset = Conversation.objects.exclude(status=Conversation.Status.CLOSED)
    if user is not None and user.is_authenticated:
        queryset = queryset.filter(user_id=user.pk)
    elif session_key:
        queryset = queryset.filter(user__isnull=True, session_key=session_key)
    else:
        return None
    if order is not None:
        queryset = queryset.filter(order=order)
    return (
        queryset.select_related("user", "assigned_to", "order")
        .order_by("-created_at", "-id")
        .first()
    )


def conversation_current(
    *, user: Participant, session_key: str | None, remembered_id: Any = None
) -> Conversation | None:
    """The conversation a participant's chat panel shows: the one their browser session remembers, if they
    may still use it, else their latest open one.

    The session pointer alone lost conversations that had just been started: a token client keeps no session
    cookie, and a concurrent request of the same browser that loaded the session before the start saved it
    after (last write wins), so `current` answered 404 right after a 201. The conversation row itself records
    its owner (the account, or the visitor's session key) in the same transaction that creates it, so it is
    always found from there.
    """
    if remembered_id:
        try:
            return conversation_access(
                user=user, session_key=session_key, conversation_id=remembered_id
            )
        except (Http404, PermissionDenied):
            pass
    return conversation_open_get(user=user, session_key=session_key)


def conversation_role_for(*, conversation: Conversation, user: Participant) -> str:
    """The role a participant writes with: the conversation's owner is the shopper, anyone else a moderator."""
    if user is not None and user.is_authenticated and conversation.user_id != user.id:
        return Message.Role.MODERATOR
    return Message.Role.SHOPPER


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
        "order": conversation.order.number if conversation.order is not None else None,
        "rating": conversation.rating,
        "last_id": Message.objects.filter(conversation=conversation)
        .order_by("-id")
        .values_list("id", flat=True)
        .first()
        or 0,
    }
