"""The Celery broker transport for Redis, made to survive a Redis outage while a worker holds a task.

kombu's Redis transport (5.7) closes a worker's channel after a lost connection in two passes: the first drops
the channel's connection pool and detaches the transport from its connection, the second tries to put the held
(unacknowledged) messages back and rebuilds the pool from the detached connection. That raises
`AttributeError: 'NoneType' object has no attribute 'hostname'` in `_connparams`, which the worker does not treat
as a connection error, so it logs "Unrecoverable error" and exits for good. Here a detached channel raises
redis' `ConnectionError` instead: the worker treats it as the outage it is, reconnects when Redis returns, and the
held message stays in Redis' unacknowledged set (redelivered after the visibility timeout if its task never
acknowledges it). Selected by `CELERY_BROKER_TRANSPORT` in settings when the broker URL is a Redis one.
"""

from __future__ import annotations

from typing import Any

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("the broker connection is closed")
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[misc]


class Transport(kombu_redis.Transport):
    Channel = Channel
