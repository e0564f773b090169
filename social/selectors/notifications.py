"""The notification list and the unread count behind the nav badge."""

from __future__ import annotations

from django.db.models import QuerySet

from common.generations import generation_cached
from shop.models import User
from social.models import Notification

__all__ = ["notification_list", "notification_unread_count", "notification_unread_scope"]

UNREAD_COUNT_CACHE_SECONDS = 600


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient_id=user.pk).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_unread_scope(user_id: int) -> str:
    return f"social:unread:{user_id}"


def notification_unread_count(*, user: User) -> int:
    """The nav badge: cached until the shopper's next notification or read mark (the notification services
    bump it after commit; `common.generations`), else one query."""
    return generation_cached(
        scope=notification_unread_scope(user.pk),
        compute=lambda: Notification.objects.filter(
            recipient_id=user.pk, read_at__isnull=True
        ).count(),
        timeout=UNREAD_COUNT_CACHE_SECONDS,
    )
