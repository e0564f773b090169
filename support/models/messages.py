"""Chat messages, read marks and canned replies.

A message's sequence number increases within its conversation, so "everything after id N" is a simple,
lossless replay after a reconnect. Its `client_id` is unique per conversation and author: a resent frame is
stored once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from support.models.conversations import Conversation

__all__ = ["CannedReply", "Message", "ReadState"]


class Message(models.Model):
    class Role(models.TextChoices):
        SHOPPER = "shopper", _("shopper")
        ASSISTANT = "assistant", _("assistant")
        MODERATOR = "moderator", _("moderator")
        SYSTEM = "system", _("system")

    class Kind(models.TextChoices):
        TEXT = "text", _("text")
        PRODUCT_CARD = "product_card", _("product card")
        # Internal note between moderators: never sent to, shown to or exported for the shopper.
        NOTE = "note", _("internal note")

    conversation = models.ForeignKey(
        Conversation, related_name="messages", on_delete=models.CASCADE
    )
    seq = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="support_messages",
        on_delete=models.SET_NULL,
    )
    # Who wrote it, stable even for anonymous visitors and the assistant: "u<id>", "s<session>", "assistant".
    author_key = models.CharField(max_length=48)
    role = models.CharField(max_length=10, choices=Role.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.TEXT)
    body = models.TextField()
    payload = models.JSONField(default=dict, blank=True)
    client_id = models.CharField(max_length=64, blank=True)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["conversation", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="support_message_seq"),
            models.UniqueConstraint(
                fields=["conversation", "author_key", "client_id"],
                condition=~models.Q(client_id=""),
                name="support_message_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq} {self.role}"


class ReadState(models.Model):
    """How far one participant has read one conversation (read receipts and unread counts)."""

    conversation = models.ForeignKey(
        Conversation, related_name="read_states", on_delete=models.CASCADE
    )
    participant_key = models.CharField(max_length=48)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="support_read_states",
        on_delete=models.CASCADE,
    )
    last_read_id = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "participant_key"], name="support_read_state_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant_key} read {self.conversation_id} to {self.last_read_id}"


class CannedReply(models.Model):
    """A saved answer a moderator inserts by typing `/<shortcut>`."""

    shortcut = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=120)
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shortcut"]
        verbose_name_plural = _("canned replies")

    def __str__(self) -> str:
        return f"/{self.shortcut}"
