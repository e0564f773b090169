"""Support conversations: one shopper's (or one anonymous visitor's) chat with the assistant and moderators.

A conversation belongs to one shopper (or to one anonymous visitor's session). `last_seq` is bumped by a
conditional UPDATE in the same statement as a message insert (support.services.store), so its messages carry a
sequence number that increases within the conversation.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Conversation"]


class Conversation(models.Model):
    class Status(models.TextChoices):
        BOT = "bot", _("with the assistant")
        WAITING = "waiting", _("waiting for a person")
        ASSIGNED = "assigned", _("with a moderator")
        CLOSED = "closed", _("closed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="support_conversations",
        on_delete=models.CASCADE,
    )
    # The visitor's session when nobody is logged in; empty for shoppers' conversations.
    session_key = models.CharField(max_length=40, blank=True, db_index=True)
    order = models.ForeignKey(
        "shop.Order",
        null=True,
        blank=True,
        related_name="support_conversations",
        on_delete=models.SET_NULL,
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.BOT, db_index=True
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="assigned_support_conversations",
        on_delete=models.SET_NULL,
    )
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when the conversation is handed to people; the queue is ordered by it (oldest first).
    waiting_since = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(max_length=2000, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    resolved_by_assistant = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="support_rating_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "waiting_since"]),
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["assigned_to", "status"]),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk} ({self.status})"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED
