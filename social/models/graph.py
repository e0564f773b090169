"""The follow graph: follows (active or requested), blocks and mutes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Follow", "Block", "Mute"]


class Follow(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("following")
        PENDING = "pending", _("requested")

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="following_set", on_delete=models.CASCADE
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="follower_set", on_delete=models.CASCADE
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="follow_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["followee", "status"]),
            models.Index(fields=["follower", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followee_id} ({self.status})"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="blocks_made", on_delete=models.CASCADE
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="blocked_by", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Mute(models.Model):
    """Hide someone from my feed without telling them (unlike a block, nothing else changes)."""

    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="mutes_made", on_delete=models.CASCADE
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="muted_by", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["muter", "muted"], name="mute_unique_pair")]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"
