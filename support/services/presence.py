"""A moderator's presence: online moderators with free capacity get waiting conversations (round-robin)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.models import User
from social.selectors import user_is_moderator
from support.models import ModeratorPresence
from support.selectors import Participant
from support.services.assignment import queue_auto_assign
from support.services.broadcasting import CONSOLE_GROUP, broadcast_on_commit

__all__ = ["presence_set"]


def presence_set(*, user: Participant, status: str, capacity: Any = None) -> ModeratorPresence:
    """Set the moderator's status (and capacity, 0 to 50); going online starts auto-assignment on commit."""
    if not isinstance(user, User) or not user_is_moderator(user):
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
    broadcast_on_commit(
        CONSOLE_GROUP, {"type": "queue.changed", "conversation": None, "status": status}
    )
    if status == ModeratorPresence.Status.ONLINE and settings.SUPPORT_AUTO_ASSIGN:
        transaction.on_commit(queue_auto_assign)
    return presence
