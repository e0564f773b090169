"""Recommender tasks. Thin: each one calls `recsys.pipeline`; retries and acks live here, rules there.

All tasks are `acks_late` (with `task_reject_on_worker_lost` in settings): a worker killed mid-task leaves the
message unacknowledged, the broker redelivers it, and the retry redoes the work idempotently.
"""

from __future__ import annotations

from celery import chord, group, shared_task
from django.conf import settings
from django.db import DatabaseError

from recsys import pipeline, services

LONG_TASK = {"acks_late": True, "reject_on_worker_lost": True}
# A scoring chunk replaces its own rows, so retrying it after a database hiccup is safe.
RETRY_ON_DATABASE_ERRORS = {
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 5,
    "max_retries": 3,
}


@shared_task(bind=True, **LONG_TASK)
def retrain(self, force: bool = False, score: bool = True) -> dict:
    """Train, evaluate against popularity and the serving model, store, maybe promote; then score."""
    outcome = pipeline.retrain(task_id=self.request.id or "", force=force)
    if score and outcome.status != "skipped":
        score_all.delay(version_id=outcome.serving_version_id)
    return outcome.as_dict()


@shared_task(bind=True, **LONG_TASK)
def score_all(self, version_id: int | None = None) -> int:
    """Start a scoring run: user chunks and the product lists in parallel, then flip the pointer."""
    run, chunks = pipeline.scoring_run_start(version_id=version_id)
    header = [score_users_chunk.s(run.pk, chunk) for chunk in chunks]
    header.append(score_products.s(run.pk))
    chord(group(header))(score_finish.s(run.pk))
    return run.pk


@shared_task(bind=True, **LONG_TASK, **RETRY_ON_DATABASE_ERRORS)
def score_users_chunk(self, run_id: int, user_ids: list[int]) -> int:
    return pipeline.score_users_chunk(run_id=run_id, user_ids=user_ids)


@shared_task(bind=True, **LONG_TASK, **RETRY_ON_DATABASE_ERRORS)
def score_products(self, run_id: int) -> int:
    return pipeline.score_products(run_id=run_id)


@shared_task(bind=True, **LONG_TASK)
def score_finish(self, results: list[int], run_id: int) -> int:
    return pipeline.scoring_run_finish(run_id=run_id)


@shared_task(**LONG_TASK)
def retrain_if_needed() -> dict:
    """Frequent check: retrain when enough new interactions arrived since the serving model's data."""
    if not pipeline.retrain_needed():
        return {"status": "not-needed"}
    retrain.delay(force=False)
    return {"status": "queued"}


@shared_task(**LONG_TASK)
def attribution_update() -> int:
    return services.attribution_update()


BEAT_SCHEDULE = {
    "recsys-retrain": {
        "task": "recsys.tasks.retrain",
        "schedule": float(getattr(settings, "RECSYS_RETRAIN_EVERY_SECONDS", 3600)),
        "kwargs": {"force": True},
    },
    "recsys-retrain-if-needed": {
        "task": "recsys.tasks.retrain_if_needed",
        "schedule": float(getattr(settings, "RECSYS_CHECK_EVERY_SECONDS", 300)),
    },
    "recsys-attribution": {
        "task": "recsys.tasks.attribution_update",
        "schedule": float(getattr(settings, "RECSYS_ATTRIBUTION_EVERY_SECONDS", 300)),
    },
}
