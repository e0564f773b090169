"""A moderator's presence (online, away, offline) and capacity, created on first use."""

from __future__ import annotations

from shop.models import User
from support.models import ModeratorPresence

__all__ = ["presence_for"]


def presence_for(*, user: User) -> ModeratorPresence:
    presence, _created = ModeratorPresence.objects.get_or_create(user=user)
    return presence
