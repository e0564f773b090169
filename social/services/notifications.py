"""Notifications: stored first, then pushed to the recipient's open sockets after the transaction commits.

Group-buy mails (formed, expired) are social's kinds of the shop's transactional email
(`shop.services.email`): non-essential, so the privacy setting `email_optional` can turn them off.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from common.generations import generation_bump_on_commit
from shop.models import User
from shop.services.email import EmailKind, absolute_url, email_kind_register
from social.models import GroupBuyMember, Notification
from social.selectors.notifications import notification_unread_scope

__all__ = [
    "GROUP_BUY_EXPIRED",
    "GROUP_BUY_FORMED",
    "notification_create",
    "notification_mark_all_read",
    "notification_mark_read",
    "user_group_name",
]


def user_group_name(user_id: int) -> str:
    """The channel-layer group every websocket of one signed-in user joins (notifications, chat, logout)."""
    return f"user.{user_id}"


def _unread_changed(user_id: int) -> None:
    generation_bump_on_commit(notification_unread_scope(user_id))


def notification_create(
    *, recipient_id: int, kind: str, message: str, url: str = "", actor_id: int | None = None
) -> Notification:
    notification = Notification.objects.create(
        recipient_id=recipient_id, kind=kind, message=message[:300], url=url, actor_id=actor_id
    )
    _unread_changed(recipient_id)

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
    if updated:
        _unread_changed(user.pk)
    return bool(updated)


def notification_mark_all_read(*, user: User) -> int:
    updated = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if updated:
        _unread_changed(user.pk)
    return updated


def _group_buy_member_context(member_id: int) -> dict[str, Any] | None:
    member = (
        GroupBuyMember.objects.select_related("group__product", "order")
        .filter(id=member_id)
        .first()
    )
    if member is None:
        return None
    group = member.group
    return {
        "member": member,
        "group": group,
        "product": group.product,
        "order": member.order,
        "currency": settings.SHOP_CURRENCY,
        "order_url": absolute_url(member.order.get_absolute_url()) if member.order else "",
        "group_url": absolute_url(reverse("social:groupbuy_detail", kwargs={"pk": group.pk})),
        "preferences_url": absolute_url(reverse("social:privacy")),
    }


# One mail per member (the object is the membership): the group is complete and their order placed, or the
# group did not fill in time and nobody was charged.
GROUP_BUY_FORMED = email_kind_register(
    EmailKind("group_buy_formed", False, _group_buy_member_context)
)
GROUP_BUY_EXPIRED = email_kind_register(
    EmailKind("group_buy_expired", False, _group_buy_member_context)
)
