"""Websockets when the channel layer goes away (Redis down).

channels-redis raises connection errors from `receive` (the loop every open socket runs), from `group_add` (each
handshake) and from `group_send`. Unhandled, every open socket died with close code 1006 and every handshake
answered 500 with a traceback, over and over while clients retried. `LayerOutageMixin` turns both into a clean
close with code 1013 ("try again later"), runs the consumer's `disconnect` so per-socket bookkeeping is released,
and logs one line per socket. Clients reconnect with backoff and catch up from the database, which never depended
on Redis (support chat: `sync {after_id}`; notifications: the unread count in `hello`).
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

CLOSE_TRY_AGAIN_LATER = 1013
# What an unreachable channel layer raises through channels-redis and redis-py.
CHANNEL_LAYER_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)


class LayerOutageMixin:
    """Put first in a websocket consumer's bases: a channel layer failure closes the socket with 1013."""

    _accepted = False

    async def accept(self, *args: Any, **kwargs: Any) -> None:
        await super().accept(*args, **kwargs)  # type: ignore[misc]
        self._accepted = True

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)  # type: ignore[misc]
        except CHANNEL_LAYER_ERRORS as exc:
            logger.warning(
                "websocket %s closed with %s: channel layer unavailable (%s: %s)",
                scope.get("path", "?"),
                CLOSE_TRY_AGAIN_LATER,
                type(exc).__name__,
                exc,
            )
            with contextlib.suppress(Exception):
                await self.disconnect(CLOSE_TRY_AGAIN_LATER)  # type: ignore[attr-defined]
            # Accept first when the handshake was under way, so that browsers see the code, not a 500.
            with contextlib.suppress(Exception):
                if not self._accepted:
                    await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
