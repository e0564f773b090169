"""Live notifications and 'new posts' for one signed-in user.

The consumer only listens: it joins `user.<id>` (notifications, account closure; shared with the support chat's
sockets) and `feed.<id>` (new posts from people the user follows), forwards events as JSON frames, and closes
when the account is deleted. Every event is stored by a service before it is pushed, so a client that missed
frames resyncs from the unread count it gets on connect.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from common.realtime import LayerOutageMixin
from social.selectors.notifications import notification_unread_count
from social.services.notifications import user_group_name
from social.services.posts import feed_group_name

CLOSE_UNAUTHENTICATED = 4401
CLOSE_ACCOUNT_CLOSED = 4000


class NotificationConsumer(LayerOutageMixin, AsyncJsonWebsocketConsumer):
    groups_joined: list[str]

    async def connect(self) -> None:
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        for group in (user_group_name(user.pk), feed_group_name(user.pk)):
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)
        await self.accept()
        unread = await database_sync_to_async(notification_unread_count)(user=user)
        await self.send_json({"type": "hello", "unread": unread})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON
            await self.send_json(
                {"type": "error", "code": "bad_frame", "message": "Frames must be JSON objects."}
            )

    async def receive_json(self, content, **kwargs) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_json(
            {"type": "error", "code": "read_only", "message": "This socket only delivers events."}
        )

    async def notification_new(self, event: dict) -> None:
        await self.send_json(
            {key: event.get(key) for key in ("type", "id", "kind", "message", "url", "unread")}
        )

    async def feed_post(self, event: dict) -> None:
        await self.send_json(
            {"type": "feed.post", "post_id": event.get("post_id"), "author": event.get("author")}
        )

    async def account_closed(self, event: dict) -> None:
        await self.send_json({"type": "account.closed"})
        await self.close(code=CLOSE_ACCOUNT_CLOSED)
