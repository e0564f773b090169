"""Social background work. Tasks take ids, are idempotent and only call services (rules live there).

BEAT_SCHEDULE is merged into Celery beat's schedule by config/celery.py. Tasks queued from a request whose result
nobody reads say `ignore_result=True`: queueing one then never waits on the result backend, which with Redis down
spent 20 s retrying before raising.
"""

from __future__ import annotations

import logging

from celery import shared_task

from social.services.groupbuy import group_buy_complete_task, group_buy_notify_followers_task
from social.services.pictures import avatar_renditions_task, post_image_renditions_task

logger = logging.getLogger(__name__)

# Tasks that a service queues are declared beside it (social/services/groupbuy.py), so services never import
# this module, which imports them; re-exported here for discovery.
__all__ = [
    "avatar_renditions_task",
    "group_buy_complete_task",
    "group_buy_expire_task",
    "group_buy_notify_followers_task",
    "group_buys_sweep_task",
    "post_image_renditions_task",
]

BEAT_SCHEDULE = {
    "social-suggestions-refresh": {
        "task": "social.tasks.suggestions_refresh_task",
        # Under SUGGESTIONS_CACHE_SECONDS (600), so a shopper's panel is always computed ahead.
        "schedule": 300.0,
    },
    "social-group-buys-sweep": {
        "task": "social.tasks.group_buys_sweep_task",
        "schedule": 60.0,
    },
}


@shared_task(name="social.tasks.group_buy_expire_task")
def group_buy_expire_task(group_id: int) -> bool:
    from social.services import group_buy_expire

    return group_buy_expire(group_id=group_id)


@shared_task(name="social.tasks.group_buys_sweep_task")
def group_buys_sweep_task() -> dict[str, int]:
    """Every minute: expire open groups past their deadline; place orders of full groups left behind."""
    from social.selectors import group_buys_due_ids
    from social.services import group_buy_complete, group_buy_expire

    expired_ids, full_ids = group_buys_due_ids()
    expired = 0
    for group_id in expired_ids:
        expired += int(group_buy_expire(group_id=group_id))
    completed = 0
    for group_id in full_ids:
        try:
            completed += int(group_buy_complete(group_id=group_id) is not None)
        except Exception:  # noqa: BLE001 - one failing group must not stop the others; retried next minute.
            logger.exception("group buy %s could not be completed", group_id)
    return {"expired": expired, "completed": completed}


@shared_task(name="social.tasks.suggestions_refresh_task", ignore_result=True)
def suggestions_refresh_task() -> int:
    """Every few minutes: "people you may know" of recently signed-in shoppers, computed ahead."""
    from social.services import suggestions_refresh

    return suggestions_refresh()
