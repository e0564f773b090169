"""The notification list and the unread count behind the nav badge."""

from __future__ import annotations

from django.db.models import QuerySet

from shop.models import User
from social.models import Notification

__all__ = ["notification_list", "notification_unread_count"]


def notification_list(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(recipient_id=user.pk).select_related("actor")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def notification_unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
