"""In-site notifications: what happened to a shopper, newest first."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Notification"]


class Notification(models.Model):
    class Kind(models.TextChoices):
        FOLLOW = "follow", _("new follower")
        FOLLOW_REQUEST = "follow_request", _("follow request")
        LIKE = "like", _("like")
        COMMENT = "comment", _("comment")
        REPLY = "reply", _("reply")
        MENTION = "mention", _("mention")
        BACK_IN_STOCK = "back_in_stock", _("back in stock")
        ORDER_STATUS = "order_status", _("order status")
        GROUP_BUY = "group_buy", _("group buy")
        MODERATION = "moderation", _("moderation")
        SUPPORT = "support", _("support")
        QUESTION = "question", _("product question")
        ANSWER = "answer", _("answer to your question")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="notifications", on_delete=models.CASCADE
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"
