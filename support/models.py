"""Support chat models. The assistant's knowledge (help articles) lives in support/models_assistant.py.

A conversation belongs to one shopper (or to one anonymous visitor's session). Its messages carry a sequence
number that increases within the conversation (`Conversation.last_seq` is bumped by a conditional UPDATE in the
same transaction as the insert), so "everything after id N" is a simple, lossless replay after a reconnect.
A message's `client_id` is unique per conversation and author: a resent frame is stored once.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


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


from support.models_assistant import *  # noqa: E402, F403
