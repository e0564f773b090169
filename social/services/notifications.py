"""Notifications: stored first, then pushed to the recipient's open sockets after the transaction commits."""

from __future__ import annotations

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

from shop.models import User
from social.models import Notification

__all__ = [
    "notification_create",
    "notification_mark_all_read",
    "notification_mark_read",
    "user_group_name",
]


def user_group_name(user_id: int) -> str:
    """The channel-layer group every websocket of one signed-in user joins (notifications, chat, logout)."""
    return f"user.{user_id}"


def notification_create(
    *, recipient_id: int, kind: str, message: str, url: str = "", actor_id: int | None = None
) -> Notification:
    notification = Notification.objects.create(
        recipient_id=recipient_id, kind=kind, message=message[:300], url=url, actor_id=actor_id
    )

    def push() -> None:
        unread = Notification.objects.filter(
            recipient_id=recipient_id, read_at__isnull=True
        ).count()
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(
                user_group_name(recipient_id),
                {
                    "type": "notification.new",
                    "id": notification.id,
                    "kind": kind,
                    "message": notification.message,
                    "url": url,
                    "unread": unread,
                },
            )
        except Exception:  # noqa: BLE001 - the row is stored; a lost push is repaired by the next page load.
            import logging

            logging.getLogger(__name__).warning("notification push failed", exc_info=True)

    transaction.on_commit(push)
    return notification


def notification_mark_read(*, user: User, notification_id: int) -> bool:
    """Mark one of the user's notifications read; another user's id changes nothing."""
    updated = Notification.objects.filter(
        pk=notification_id, recipient_id=user.pk, read_at__isnull=True
    ).update(read_at=timezone.now())
    return bool(updated)


def notification_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
