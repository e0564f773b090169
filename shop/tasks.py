"""Shop background work. Tasks take ids, are idempotent and only call services (rules live there).

BEAT_SCHEDULE is merged into Celery beat's schedule by config/celery.py.
"""

from __future__ import annotations

from celery import shared_task

from shop.services.email import email_send_task, emails_pending_requeue
from shop.services.events import product_views_flush
from shop.services.highlights import review_highlights_refresh_task
from shop.services.pictures import product_image_renditions_task
from shop.services.promotion import promotions_boundary_check
from shop.services.qa import question_buyers_invite_task, question_suggestion_task

# Tasks that a service queues are declared beside it (shop/services/email.py), so services never import this
# module, which imports them; re-exported here for discovery.
__all__ = [
    "email_send_task",
    "emails_pending_requeue_task",
    "product_image_renditions_task",
    "product_views_flush_task",
    "question_buyers_invite_task",
    "question_suggestion_task",
    "review_highlights_refresh_task",
    "promotions_boundary_check_task",
]

BEAT_SCHEDULE = {
    "shop-emails-pending-requeue": {
        "task": "shop.tasks.emails_pending_requeue_task",
        "schedule": 300.0,
    },
    "shop-promotions-boundary-check": {
        "task": "shop.tasks.promotions_boundary_check_task",
        "schedule": 60.0,
    },
    "shop-product-views-flush": {
        "task": "shop.tasks.product_views_flush_task",
        "schedule": 5.0,
    },
}


@shared_task(name="shop.tasks.emails_pending_requeue_task", ignore_result=True)
def emails_pending_requeue_task() -> int:
    """Every five minutes: queue the mails whose task never reached the broker."""
    return emails_pending_requeue()


@shared_task(name="shop.tasks.product_views_flush_task", ignore_result=True)
def product_views_flush_task() -> int:
    """Write the product views buffered in Redis (idempotent: safe to run twice or after a crash)."""
    return product_views_flush()


@shared_task(name="shop.tasks.promotions_boundary_check_task", ignore_result=True)
def promotions_boundary_check_task() -> bool:
    """Every minute: refresh cached catalogue pages when a sale started or ended."""
    return promotions_boundary_check()
