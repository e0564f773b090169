"""Moderator presence: who takes new chats and how many at once (round-robin auto-assignment)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ModeratorPresence"]


class ModeratorPresence(models.Model):
    """Whether a moderator takes new chats, and how many at once (round-robin auto-assignment)."""

    class Status(models.TextChoices):
        ONLINE = "online", _("online")
        AWAY = "away", _("away")
        OFFLINE = "offline", _("offline")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="support_presence", on_delete=models.CASCADE
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OFFLINE)
    capacity = models.PositiveSmallIntegerField(default=3)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # The round-robin pointer: the moderator assigned longest ago gets the next conversation.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("moderator presence")

    def __str__(self) -> str:
        return f"{self.user_id} {self.status}"
