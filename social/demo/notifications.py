"""Demo notifications: the demo shopper's newest followers, unread."""

from __future__ import annotations

from social.models import Notification

__all__ = ["follow_notifications_seed"]


def follow_notifications_seed(
    *, shopper_id: int, edges: set[tuple[int, int]], names: dict[int, str]
) -> None:
    my_followers = [a for a, b in edges if b == shopper_id][:4]

    Notification.objects.bulk_create(
        [
            Notification(
                recipient_id=shopper_id,
                actor_id=actor,
                kind=Notification.Kind.FOLLOW,
                message=f"@{names[actor]} started following you.",
                url=f"/social/people/{names[actor]}/",
            )
            for actor in my_followers
        ]
    )
