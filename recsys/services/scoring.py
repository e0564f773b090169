"""Scoring runs: every shopper's lists and the product lists, written under a new `ScoringRun`, then made
visible all at once by flipping the one `ServingPointer` row.

A run is created first (so callers know its id), its shoppers are cut into chunks, each chunk writes its own
rows (a retried chunk replaces them: idempotent), the product lists are written, and the last step flips the
pointer unless a newer run already serves. Pages read either the old lists or the new ones, never a mix.
"""

from __future__ import annotations

import time

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from common.bulk import rows_copy
from common.generations import generation_bump_on_commit
from recsys import core
from recsys.models import (
    ProductRecommendations,
    ScoringRun,
    ServingPointer,
    UserRecommendations,
    Widget,
)
from recsys.selectors import SERVING_SCOPE, serving_run, serving_run_fresh, trending_product_ids
from recsys.services import data
from recsys.services.artifacts import ArtifactUnavailable, model_load
from recsys.services.ranking import friends_entries_for_users, model_lookups, score_users

__all__ = [
    "score_all_now",
    "score_products",
    "score_users_chunk",
    "scoring_run_chunks",
    "scoring_run_create",
    "scoring_run_finish",
    "scoring_run_start",
    "serving_pointer_flip",
]


def list_length() -> int:
    return int(settings.RECSYS_LIST_LENGTH)


def _run_model(run: ScoringRun) -> core.TrainedModel | None:
    """The run's model. When this worker cannot load it the run fails: it is never made visible, and the
    lists of the previous run keep serving (better than flipping to lists scored without the model)."""
    if run.model_version is None:
        return None
    try:
        return model_load(run.model_version)
    except ArtifactUnavailable:
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.FAILED, finished_at=timezone.now()
        )
        raise


def scoring_run_create(*, version_id: int | None) -> ScoringRun:
    """A new, still invisible run of `version_id`'s lists (its chunks are counted when scoring starts)."""
    return ScoringRun.objects.create(model_version_id=version_id)


def scoring_run_chunks(*, run_id: int) -> list[list[int]]:
    """The run's shoppers in chunks of RECSYS_SCORING_CHUNK_USERS; records how many chunks there are."""
    user_ids = data.scoring_user_ids()
    size = max(1, int(settings.RECSYS_SCORING_CHUNK_USERS))
    chunks = [user_ids[i : i + size] for i in range(0, len(user_ids), size)]
    ScoringRun.objects.filter(pk=run_id).update(chunks_total=len(chunks))
    return chunks


def scoring_run_start(*, version_id: int | None) -> tuple[ScoringRun, list[list[int]]]:
    run = scoring_run_create(version_id=version_id)
    chunks = scoring_run_chunks(run_id=run.pk)
    run.refresh_from_db()
    return run, chunks


def score_users_chunk(*, run_id: int, user_ids: list[int]) -> int:
    """Write the chunk's lists for the run, replacing any rows a previous attempt left (idempotent)."""
    run = ScoringRun.objects.select_related("model_version").filter(pk=run_id).first()
    if run is None or run.status != ScoringRun.Status.RUNNING:
        return 0
    model = _run_model(run)
    k = list_length()
    # One read of the chunk's signals and of their followees' actions serves both lists.
    signals = data.user_signals(user_ids)
    actions = data.followee_actions({f for fs in signals.followees.values() for f in fs})
    for_you = score_users(
        model=model,
        user_ids=user_ids,
        k=k,
        trending_ids=_current_trending_ids(),
        signals=signals,
        actions=actions,
    )
    friends = friends_entries_for_users(user_ids, k=k, signals=signals, actions=actions)
    rows = [
        UserRecommendations(run=run, user_id=uid, widget=Widget.FOR_YOU, items=entries)
        for uid, entries in for_you.items()
    ] + [
        UserRecommendations(run=run, user_id=uid, widget=Widget.FRIENDS, items=entries)
        for uid, entries in friends.items()
        if entries
    ]
    with transaction.atomic():
        UserRecommendations.objects.filter(run=run, user_id__in=user_ids).delete()
        rows_copy(UserRecommendations, rows)
    return len(user_ids)


def _current_trending_ids() -> set[int]:
    return trending_product_ids(serving_run())


def score_products(*, run_id: int) -> int:
    """Similar items, bought together and trending for the run (idempotent)."""
    run = ScoringRun.objects.select_related("model_version").filter(pk=run_id).first()
    if run is None or run.status != ScoringRun.Status.RUNNING:
        return 0
    model = _run_model(run)
    unavailable = data.unavailable_product_ids()
    k = list_length()
    rows: list[ProductRecommendations] = []
    if model is not None:
        excluded = np.array(
            [row for key, row in model_lookups(model).item_index.items() if key in unavailable],
            dtype=np.int64,
        )
        neighbours = core.similar_items(model, k=min(k, 12), exclude_items=excluded)
        for row, key in enumerate(model.item_keys.tolist()):
            entries = [
                [int(model.item_keys[item]), round(score, 5), [{"k": "similar_item"}]]
                for item, score in neighbours.for_item(row)
            ]
            if entries:
                rows.append(
                    ProductRecommendations(
                        run=run, product_id=int(key), widget=Widget.SIMILAR, items=entries
                    )
                )
    baskets = data.purchase_baskets()
    if baskets:
        product_ids = sorted({product for _, product in baskets})
        index = {product: i for i, product in enumerate(product_ids)}
        together = core.bought_together(
            np.array([basket for basket, _ in baskets]),
            np.array([index[product] for _, product in baskets]),
            n_items=len(product_ids),
            k=8,
        )
        for i, product_id in enumerate(product_ids):
            entries = [
                [product_ids[item], float(score), [{"k": "bought_together"}]]
                for item, score in together.for_item(i)
                if product_ids[item] not in unavailable
            ]
            if entries:
                rows.append(
                    ProductRecommendations(
                        run=run, product_id=product_id, widget=Widget.BOUGHT_TOGETHER, items=entries
                    )
                )
    events = data.recent_events(days=90)
    if events:
        product_ids = sorted({product for product, _, _ in events})
        index = {product: i for i, product in enumerate(product_ids)}
        trend_rows, trend_scores = core.trending(
            np.array([index[product] for product, _, _ in events]),
            np.array([stamp for _, stamp, _ in events], dtype=np.float64),
            weights=np.array([weight for _, _, weight in events], dtype=np.float64),
            n_items=len(product_ids),
            now=time.time(),
            half_life_days=float(settings.RECSYS_TRENDING_HALF_LIFE_DAYS),
            k=k,
            exclude_items=np.array(
                [index[p] for p in product_ids if p in unavailable], dtype=np.int64
            ),
        )
        rows.append(
            ProductRecommendations(
                run=run,
                product=None,
                widget=Widget.TRENDING,
                items=[
                    [product_ids[int(item)], round(float(score), 5), [{"k": "trending"}]]
                    for item, score in zip(trend_rows, trend_scores, strict=True)
                ],
            )
        )
    with transaction.atomic():
        ProductRecommendations.objects.filter(run=run).delete()
        ProductRecommendations.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def serving_pointer_flip(*, run: ScoringRun) -> None:
    """Make `run` the lists every page reads: one UPDATE (or the first INSERT)."""
    with transaction.atomic():
        updated = ServingPointer.objects.filter(key="lists").update(
            run=run, updated_at=timezone.now()
        )
        if not updated:
            ServingPointer.objects.create(key="lists", run=run)
        ScoringRun.objects.filter(status=ScoringRun.Status.COMPLETE).exclude(pk=run.pk).update(
            status=ScoringRun.Status.SUPERSEDED
        )
        generation_bump_on_commit(SERVING_SCOPE)


def scoring_run_finish(*, run_id: int) -> int:
    """Mark the run complete and point pages at it, unless a newer run already serves."""
    run = ScoringRun.objects.filter(pk=run_id).first()
    if run is None or run.status == ScoringRun.Status.FAILED:
        return 0
    current = serving_run_fresh()
    if current is not None and current.pk > run.pk:
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.SUPERSEDED, finished_at=timezone.now()
        )
        return 0
    users = UserRecommendations.objects.filter(run=run, widget=Widget.FOR_YOU).count()
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.COMPLETE, finished_at=timezone.now(), users_scored=users
    )
    run.refresh_from_db()
    serving_pointer_flip(run=run)
    # Old runs' rows are no longer read; drop all but the previous one (kept for a quick look back).
    stale = list(
        ScoringRun.objects.exclude(pk=run.pk).order_by("-pk").values_list("pk", flat=True)[1:]
    )
    if stale:
        UserRecommendations.objects.filter(run_id__in=stale).delete()
        ProductRecommendations.objects.filter(run_id__in=stale).delete()
    return users


def score_all_now(*, version_id: int | None = None, run: ScoringRun | None = None) -> ScoringRun:
    """Scoring without a broker (demo seed, tests): the same steps in this process, in order."""
    run = run or scoring_run_create(version_id=version_id)
    for chunk in scoring_run_chunks(run_id=run.pk):
        score_users_chunk(run_id=run.pk, user_ids=chunk)
    score_products(run_id=run.pk)
    scoring_run_finish(run_id=run.pk)
    run.refresh_from_db()
    return run
