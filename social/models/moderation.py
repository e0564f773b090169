"""Moderation: reports on any content (generic relation), and the audit log of every moderator action.

A target is any model instance with an `is_hidden` field (posts, comments, reviews, support messages) or a user.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ModerationAction", "Report"]


class ModerationAction(models.Model):
    """One row per moderator action: the audit log. Never edited after it is written."""

    class Kind(models.TextChoices):
        HIDE = "hide", _("hide content")
        RESTORE = "restore", _("restore content")
        WARN = "warn", _("warn user")
        SUSPEND = "suspend", _("suspend user")
        UNSUSPEND = "unsuspend", _("unsuspend user")
        DISMISS = "dismiss", _("dismiss reports")

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        related_name="moderation_actions",
        on_delete=models.SET_NULL,
    )
    # Kept when the moderator account is deleted, so the log still says who acted.
    moderator_name = models.CharField(max_length=150)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # A text snapshot of the target at the time: the log stays readable after the target is deleted.
    target_repr = models.CharField(max_length=300)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="moderation_actions_received",
        on_delete=models.SET_NULL,
    )
    note = models.TextField(max_length=2000)
    suspended_until = models.DateTimeField(null=True, blank=True)
    reports_resolved = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("moderation action")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.moderator_name}: {self.kind} {self.target_repr}"


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("spam")
        ABUSE = "abuse", _("abuse or harassment")
        INAPPROPRIATE = "inappropriate", _("inappropriate content")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACTIONED = "actioned", _("action taken")
        DISMISSED = "dismissed", _("dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="reports_made", on_delete=models.CASCADE
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    note = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    action = models.ForeignKey(
        ModerationAction,
        null=True,
        blank=True,
        related_name="reports",
        on_delete=models.SET_NULL,
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("report")
        constraints = [
            # Duplicate open reports by one reporter on one target are merged into this one row.
            models.UniqueConstraint(
                fields=["reporter", "content_type", "object_id"],
                condition=models.Q(status="open"),
                name="report_one_open_per_reporter_target",
            )
        ]
        indexes = [
            models.Index(fields=["status", "content_type", "object_id"]),
            models.Index(fields=["reporter", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reason} report on {self.content_type_id}:{self.object_id}"
