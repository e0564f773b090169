"""Recommender tasks. Thin: each one calls one service; retries and acks live here, rules there.

All tasks are `acks_late` (with `task_reject_on_worker_lost` in settings): a worker killed mid-task leaves the
message unacknowledged, the broker redelivers it, and the retry redoes the work idempotently.
"""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.conf import settings

from recsys.services import attribution, clicks, training
from recsys.services.scoring_tasks import score_all, score_finish, score_products, score_users_chunk

# The scoring tasks are declared in recsys/services/scoring_tasks.py, beside the services that queue them
# (training queues a scoring run), so services never import this module; they are re-exported here.
__all__ = [
    "attribution_update",
    "impressions_flush",
    "retrain",
    "retrain_if_needed",
    "score_all",
    "score_finish",
    "score_products",
    "score_users_chunk",
]

# Every task: acks_late=True, reject_on_worker_lost=True (see above). A scoring chunk replaces its own rows,
# so retrying it after a database hiccup is safe: autoretry_for=(DatabaseError,), 5 s backoff, 3 retries.


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def retrain(self: Task, force: bool = False, score: bool = True) -> dict[str, Any]:
    """Train, evaluate against popularity and the serving model, store, maybe promote; then score."""
    return training.model_version_train(
        task_id=self.request.id or "", force=force, score=score
    ).as_dict()


@shared_task(acks_late=True, reject_on_worker_lost=True)
def retrain_if_needed() -> dict[str, str]:
    """Frequent check: retrain when enough new interactions arrived since the serving model's data."""
    if not training.retrain_needed():
        return {"status": "not-needed"}
    retrain.delay(force=False)
    return {"status": "queued"}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def attribution_update() -> int:
    return attribution.attribution_update()


@shared_task(name="recsys.tasks.impressions_flush", ignore_result=True)
def impressions_flush() -> int:
    """Write the widget impressions buffered in Redis (recsys.services.clicks)."""
    return clicks.impressions_flush()


BEAT_SCHEDULE = {
    "recsys-impressions-flush": {
        "task": "recsys.tasks.impressions_flush",
        "schedule": 5.0,
    },
    "recsys-retrain": {
        "task": "recsys.tasks.retrain",
        "schedule": float(settings.RECSYS_RETRAIN_EVERY_SECONDS),
        "kwargs": {"force": True},
    },
    "recsys-retrain-if-needed": {
        "task": "recsys.tasks.retrain_if_needed",
        "schedule": float(settings.RECSYS_CHECK_EVERY_SECONDS),
    },
    "recsys-attribution": {
        "task": "recsys.tasks.attribution_update",
        "schedule": float(settings.RECSYS_ATTRIBUTION_EVERY_SECONDS),
    },
}
