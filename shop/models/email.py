"""Transactional email: one row per (kind, object, recipient), so a retried or redelivered task never sends
the same mail twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["EmailLog"]


class EmailLog(models.Model):
    """A mail the shop means to send (or sent). `key` is `<kind>:<object id>:<recipient id>` and unique: the
    task claims the row before sending and marks it sent after, so a second run sees `sent` and stops. No address
    is kept: when the account is deleted the row keeps nothing personal."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        SKIPPED = "skipped", _("skipped")

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.SET_NULL,
    )
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("email")
        verbose_name_plural = _("emails")

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
