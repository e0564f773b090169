"""Recommender tasks. Thin: each one calls one service; retries and acks live here, rules there.

All tasks are `acks_late` (with `task_reject_on_worker_lost` in settings): a worker killed mid-task leaves the
message unacknowledged, the broker redelivers it, and the retry redoes the work idempotently.
"""

from __future__ import annotations

from typing import Any

from celery import Task, chord, group, shared_task
from django.conf import settings
from django.db import DatabaseError

from recsys.services import attribution, scoring, training

# Every task: acks_late=True, reject_on_worker_lost=True (see above). A scoring chunk replaces its own rows,
# so retrying it after a database hiccup is safe: autoretry_for=(DatabaseError,), 5 s backoff, 3 retries.


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def retrain(self: Task, force: bool = False, score: bool = True) -> dict[str, Any]:
    """Train, evaluate against popularity and the serving model, store, maybe promote; then score."""
    return training.model_version_train(
        task_id=self.request.id or "", force=force, score=score
    ).as_dict()


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def score_all(self: Task, version_id: int | None = None, run_id: int | None = None) -> int:
    """Score a run (a new one unless `run_id` names the run created when scoring was queued): user chunks
    and the product lists in parallel, then flip the pointer."""
    if run_id is None:
        run_id = scoring.scoring_run_create(version_id=version_id).pk
    header = [
        score_users_chunk.s(run_id, chunk) for chunk in scoring.scoring_run_chunks(run_id=run_id)
    ]
    header.append(score_products.s(run_id))
    chord(group(header))(score_finish.s(run_id))
    return run_id


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
)
def score_users_chunk(self: Task, run_id: int, user_ids: list[int]) -> int:
    return scoring.score_users_chunk(run_id=run_id, user_ids=user_ids)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
)
def score_products(self: Task, run_id: int) -> int:
    return scoring.score_products(run_id=run_id)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def score_finish(self: Task, results: list[int], run_id: int) -> int:
    return scoring.scoring_run_finish(run_id=run_id)


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


BEAT_SCHEDULE = {
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
