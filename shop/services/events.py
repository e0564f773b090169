"""Product views off the request path: a page view appends one row to a Redis list (one round trip, no
database write, no transaction), and `product_views_flush` (a Celery task every few seconds) writes the rows
to `ProductEvent` in one bulk insert.

Counted once, never lost on a clean shutdown:
- The rows live in Redis, not in the web process, so stopping a server loses nothing.
- A flush first claims the whole buffer with an atomic RENAME to a processing key, so two flushes never take
  the same rows and views arriving meanwhile go to a fresh buffer.
- A flush that died after claiming leaves the processing key behind; the next flush finishes it first. Rows
  are inserted in one transaction and the processing key is deleted after commit; if the process dies between
  the two, the next flush skips rows already stored (each row carries its exact timestamp, product, user and
  session), so a view is written once.
Without Redis, with tasks run in-process (development, tests: no worker would flush) or while Redis is down,
a view is written directly, as before.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from functools import cache

import redis
from django.conf import settings
from django.db import transaction

from shop.models import Product, ProductEvent, User
from shop.services.catalog import product_event_record

__all__ = ["product_view_record", "product_views_flush", "product_views_pending"]

logger = logging.getLogger(__name__)

BUFFER_KEY = "shop:product-views:buffer"
PROCESSING_KEY = "shop:product-views:processing"


@cache
def _client() -> redis.Redis | None:
    """One redis-py client per process (it is thread-safe and pools its connections); None without Redis."""
    if not settings.REDIS_URL:
        return None
    return redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=2)


def _key(name: str) -> str:
    return f"{settings.REDIS_PREFIX}:{name}"


def product_view_record(*, product_id: int, user_id: int | None, session_key: str = "") -> None:
    """Record that a product page was shown (buffered; see the module docstring)."""
    client = None if settings.CELERY_TASK_ALWAYS_EAGER else _client()
    if client is not None:
        row = json.dumps([product_id, user_id, (session_key or "")[:40], time.time()])
        try:
            client.rpush(_key(BUFFER_KEY), row)
            return
        except Exception:  # Redis unreachable: the view is still counted, the slow way
            logger.warning("product view buffer unavailable; writing the view directly")
    product_event_record(
        product_id=product_id,
        kind=ProductEvent.Kind.VIEW,
        user_id=user_id,
        session_key=session_key,
    )


def product_views_pending() -> int:
    """Buffered views not yet written (0 without Redis)."""
    client = _client()
    if client is None:
        return 0
    return int(client.llen(_key(BUFFER_KEY))) + int(client.llen(_key(PROCESSING_KEY)))


def product_views_flush() -> int:
    """Write the buffered views to the database; returns how many rows were inserted."""
    client = _client()
    if client is None:
        return 0
    processing = _key(PROCESSING_KEY)
    inserted = 0
    if not client.exists(processing):
        try:
            client.rename(_key(BUFFER_KEY), processing)
        except redis.ResponseError:  # no buffer: nothing was viewed since the last flush
            return 0
    raw_rows = client.lrange(processing, 0, -1)
    events = []
    for raw in raw_rows:
        try:
            product_id, user_id, session_key, stamp = json.loads(raw)
        except (ValueError, TypeError):
            logger.warning("dropping a malformed buffered product view: %r", raw[:200])
            continue
        events.append(
            ProductEvent(
                product_id=int(product_id),
                user_id=int(user_id) if user_id is not None else None,
                session_key=str(session_key)[:40],
                kind=ProductEvent.Kind.VIEW,
                created_at=datetime.fromtimestamp(float(stamp), tz=UTC),
            )
        )
    if events:
        with transaction.atomic():
            # A batch that was written before its processing key could be deleted: skip what is stored.
            stored = set(
                ProductEvent.objects.filter(
                    kind=ProductEvent.Kind.VIEW,
                    created_at__in=[event.created_at for event in events],
                ).values_list("product_id", "user_id", "session_key", "created_at")
            )
            fresh = [
                event
                for event in events
                if (event.product_id, event.user_id, event.session_key, event.created_at)
                not in stored
            ]
            # A product or account deleted since its view was buffered has no row to point at.
            products = set(
                Product.objects.filter(id__in={e.product_id for e in fresh}).values_list(
                    "id", flat=True
                )
            )
            users = set(
                User.objects.filter(id__in={e.user_id for e in fresh if e.user_id}).values_list(
                    "id", flat=True
                )
            )
            fresh = [
                e
                for e in fresh
                if e.product_id in products and (e.user_id is None or e.user_id in users)
            ]
            ProductEvent.objects.bulk_create(fresh, batch_size=1000)
            inserted = len(fresh)
    client.delete(processing)
    return inserted
