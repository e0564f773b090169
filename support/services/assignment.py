"""Handing conversations to people: "talk to a person" (the waiting queue), a moderator claiming or being
assigned a conversation, and round-robin auto-assignment to online moderators with free capacity.

Each change is a conditional UPDATE (so two moderators cannot both take one conversation), followed by a system
message in the chat and a status broadcast after commit.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import User
from social.selectors import user_is_moderator
from support.models import Conversation, ModeratorPresence
from support.selectors import display_name
from support.services.broadcasting import status_broadcast
from support.services.store import system_message_post

__all__ = [
    "conversation_assign",
    "conversation_claim",
    "conversation_request_human",
    "queue_auto_assign",
]


def conversation_request_human(*, conversation: Conversation) -> Conversation:
    """ "Talk to a person": the conversation joins the waiting queue (and is auto-assigned if someone is free)."""
    with transaction.atomic():
        moved = Conversation.objects.filter(
            pk=conversation.pk, status=Conversation.Status.BOT
        ).update(status=Conversation.Status.WAITING, waiting_since=timezone.now())
        conversation.refresh_from_db()
        if not moved:
            return conversation
        system_message_post(
            conversation=conversation,
            body=_("A person from our team will join shortly. You can keep writing."),
        )
        status_broadcast(conversation)
    if settings.SUPPORT_AUTO_ASSIGN:
        queue_auto_assign()
        conversation.refresh_from_db()
    return conversation


def conversation_claim(*, conversation: Conversation, moderator: User) -> Conversation:
    """A moderator takes an unassigned conversation; refused if another moderator has it already."""
    if not user_is_moderator(moderator):
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
        system_message_post(
            conversation=conversation,
            body=_("%(name)s joined the conversation.") % {"name": display_name(moderator)},
        )
        status_broadcast(conversation)
    return conversation


def _waiting_since_or_now() -> Coalesce:
    """`waiting_since` keeps its first value; a conversation claimed straight from the bot gets now()."""
    return Coalesce(F("waiting_since"), Value(timezone.now(), output_field=DateTimeField()))


def _touch_round_robin(moderator: User, when: datetime) -> None:
    presence, _created = ModeratorPresence.objects.get_or_create(user=moderator)
    ModeratorPresence.objects.filter(pk=presence.pk).update(last_assigned_at=when)


def conversation_assign(
    *, conversation: Conversation, moderator: User, actor: User
) -> Conversation:
    """Assign (or transfer) a conversation to a moderator; only moderators may do it."""
    if not user_is_moderator(actor):
        raise PermissionDenied(_("Only moderators can assign conversations."))
    if not user_is_moderator(moderator):
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
            system_message_post(
                conversation=conversation,
                body=_("%(name)s joined the conversation.") % {"name": display_name(moderator)},
            )
        status_broadcast(conversation)
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
        presence = next((p for p in candidates if user_is_moderator(p.user)), None)
        if presence is None:
            return assigned
        try:
            conversation_claim(conversation=waiting, moderator=presence.user)
        except ValidationError:
            continue  # someone claimed it meanwhile; look again
        assigned += 1
