"""A conversation's life: starting it (with the assistant's greeting, optionally about one of the shopper's
orders) or continuing the open one, a visitor's conversation becoming their account's when they log in,
closing, rating, and closing assistant-only conversations nobody wrote in for a while."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import Order, User
from shop.selectors import order_access
from social.selectors import user_is_moderator
from support.models import Conversation, Message
from support.selectors import Participant, conversation_open_get
from support.services.assignment import queue_auto_assign
from support.services.broadcasting import status_broadcast
from support.services.store import ASSISTANT_KEY, message_store, system_message_post

__all__ = [
    "ConversationOpen",
    "conversation_adopt",
    "conversation_close",
    "conversation_open",
    "conversation_rate",
    "conversation_start",
    "conversations_close_idle",
]


@dataclass(frozen=True)
class ConversationOpen:
    """What `conversation_open` found: the participant's open conversation, or a new one (`created`)."""

    conversation: Conversation
    created: bool


@dataclass(frozen=True)
class _Starter:
    """Who starts a conversation and about which order, checked once."""

    shopper: User | None
    session_key: str
    order: Order | None


def _starter(*, user: Participant, session_key: str | None, order_number: str | None) -> _Starter:
    shopper = user if isinstance(user, User) and user.is_authenticated else None
    order = None
    if order_number:
        if shopper is None:
            raise PermissionDenied(_("Please log in to ask about an order."))
        order = order_access(user=shopper, number=str(order_number))
    if shopper is None and not session_key:
        raise PermissionDenied(_("Your session has expired; reload the page to chat."))
    return _Starter(
        shopper=shopper, session_key=(session_key or "") if shopper is None else "", order=order
    )


def _create(starter: _Starter) -> Conversation:
    conversation = Conversation.objects.create(
        user=starter.shopper, session_key=starter.session_key, order=starter.order
    )
    order = starter.order
    greeting = (
        _("Hi! I'm the Socialshop assistant. How can I help with order %(number)s?")
        % {"number": order.number}
        if order
        else _("Hi! I'm the Socialshop assistant. Ask me anything, or ask for a person.")
    )
    message_store(
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


def conversation_start(
    *, user: Participant, session_key: str | None, order_number: str | None = None
) -> Conversation:
    """A new conversation for the shopper (or visitor), optionally about one of the shopper's own orders."""
    return _create(_starter(user=user, session_key=session_key, order_number=order_number))


def conversation_open(
    *, user: Participant, session_key: str | None, order_number: str | None = None
) -> ConversationOpen:
    """The participant's open conversation, or a new one: what "chat with us" and "get help with this order"
    do, so a resent or repeated start does not open a second conversation.

    With an order number, the open conversation about that order (a conversation about another order or
    about nothing in particular is not reused); without one, the latest open conversation whatever it is
    about. A closed conversation is never reopened. A shopper's starts are serialised on their account row
    (PostgreSQL), so two at once (a double click, two tabs) give one conversation; a visitor has no row to lock.
    """
    starter = _starter(user=user, session_key=session_key, order_number=order_number)
    with transaction.atomic():
        if starter.shopper is not None:
            list(User.objects.select_for_update().filter(pk=starter.shopper.pk).values_list("pk"))
        existing = conversation_open_get(
            user=starter.shopper, session_key=starter.session_key, order=starter.order
        )
        if existing is not None:
            return ConversationOpen(conversation=existing, created=False)
        return ConversationOpen(conversation=_create(starter), created=True)


def conversation_adopt(*, conversation: Conversation, user: Participant) -> Conversation:
    """A visitor logged in: the conversation their session holds becomes their account's."""
    if conversation.user_id is None and isinstance(user, User) and user.is_authenticated:
        Conversation.objects.filter(pk=conversation.pk, user__isnull=True).update(
            user=user, session_key=""
        )
        conversation.refresh_from_db()
    return conversation


def conversation_close(
    *, conversation: Conversation, actor: Participant, session_key: str | None = None
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
        system_message_post(
            conversation=conversation, body=_("The conversation was closed. How did we do?")
        )
        status_broadcast(conversation)
    if settings.SUPPORT_AUTO_ASSIGN and conversation.assigned_to_id:
        queue_auto_assign()
    return conversation


def conversation_rate(
    *,
    conversation: Conversation,
    user: Participant,
    session_key: str | None,
    rating: Any,
    comment: Any = "",
) -> Conversation:
    """The shopper rates a closed conversation once, 1 to 5 with an optional comment."""
    if user_is_moderator(user) and conversation.user_id != getattr(user, "id", None):
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
        status_broadcast(conversation)
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
