"""The scoring run's Celery tasks: user chunks and product lists in parallel, then the pointer flip.

Declared here, among the services, because training queues a scoring run after it commits: if they lived in
`recsys/tasks.py` (which imports the services it runs), services and tasks would import each other. Their task
names stay `recsys.tasks.*` and `recsys.tasks` re-exports them. Each is thin: one call into `scoring`.
"""

from __future__ import annotations

from celery import Task, chord, group, shared_task
from django.db import DatabaseError

import recsys.services.scoring as scoring

__all__ = ["score_all", "score_finish", "score_products", "score_users_chunk"]


@shared_task(name="recsys.tasks.score_all", bind=True, acks_late=True, reject_on_worker_lost=True)
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
    name="recsys.tasks.score_users_chunk",
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
    name="recsys.tasks.score_products",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=5,
    max_retries=3,
)
def score_products(self: Task, run_id: int) -> int:
    return scoring.score_products(run_id=run_id)


@shared_task(
    name="recsys.tasks.score_finish", bind=True, acks_late=True, reject_on_worker_lost=True
)
def score_finish(self: Task, results: list[int], run_id: int) -> int:
    return scoring.scoring_run_finish(run_id=run_id)
