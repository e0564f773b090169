"""Shop background work. Tasks are thin: they call one service.

BEAT_SCHEDULE is merged into Celery beat's schedule by config/celery.py.
"""

from __future__ import annotations

from celery import shared_task

BEAT_SCHEDULE = {
    "shop-product-views-flush": {
        "task": "shop.tasks.product_views_flush_task",
        "schedule": 5.0,
    },
}


@shared_task(name="shop.tasks.product_views_flush_task", ignore_result=True)
def product_views_flush_task() -> int:
    """Write the product views buffered in Redis (idempotent: safe to run twice or after a crash)."""
    from shop.services import product_views_flush

    return product_views_flush()
