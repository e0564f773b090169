"""Rows appended on the request path to a Redis list and written to the database in bulk by a task.

A page that logs something (a widget's impressions) appends one JSON row (one round trip, no database write, no
transaction); a periodic task claims the whole list with an atomic RENAME to a processing key, writes it in one
transaction and deletes the processing key after commit. So:
- stopping a web server loses nothing (the rows are in Redis, not in the process);
- two flushes never take the same rows, and rows arriving meanwhile go to a fresh list;
- a flush that died after claiming leaves the processing key behind and the next flush writes it first (a crash
  between the commit and the delete writes that batch again: at least once).
`append` returns False when there is nothing to buffer into (no Redis, tasks run in-process so no worker would
flush, or Redis down): the caller then writes the row directly.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

import redis
from django.conf import settings

__all__ = ["RowBuffer"]

logger = logging.getLogger(__name__)


@cache
def _client() -> redis.Redis | None:
    """One redis-py client per process (thread-safe, pooled); None without Redis."""
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2)


class RowBuffer:
    """A named buffer of JSON rows (lists of plain values)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _key(self, part: str) -> str:
        return f"{settings.REDIS_PREFIX}:{self.name}:{part}"

    def append(self, rows: list[list[Any]]) -> bool:
        """Buffer `rows`; False when the caller must write them itself (see the module docstring)."""
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return False
        client = _client()
        if client is None:
            return False
        if not rows:
            return True
        try:
            client.rpush(self._key("buffer"), *(json.dumps(row) for row in rows))
        except redis.RedisError:
            logger.warning("%s buffer unavailable; writing directly", self.name)
            return False
        return True

    def pending(self) -> int:
        client = _client()
        if client is None:
            return 0
        return int(client.llen(self._key("buffer"))) + int(client.llen(self._key("processing")))

    def flush(self, write: Callable[[list[list[Any]]], int]) -> int:
        """Claim the buffered rows and hand them to `write` (which stores them in one transaction and returns
        how many it stored); the claim is released after `write` returns."""
        client = _client()
        if client is None:
            return 0
        processing = self._key("processing")
        if not client.exists(processing):
            try:
                client.rename(self._key("buffer"), processing)
            except redis.ResponseError:  # nothing buffered since the last flush
                return 0
        rows = []
        for raw in client.lrange(processing, 0, -1):
            try:
                row = json.loads(raw)
            except ValueError:
                row = None
            if isinstance(row, list):
                rows.append(row)
            else:
                logger.warning("dropping a malformed %s row: %r", self.name, raw[:200])
        written = write(rows) if rows else 0
        client.delete(processing)
        return written
