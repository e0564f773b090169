"""Reads of the recommender's own stored rows: which run and version serve, the stored lists, versions.

Request-time lists with their reasons are built in `recsys.services.serving` from these rows.
"""

from __future__ import annotations

from common.generations import generation_cached
from recsys.models import (
    ModelVersion,
    ProductRecommendations,
    ScoringRun,
    ServingPointer,
    UserRecommendations,
    Widget,
)

__all__ = [
    "global_list_entries",
    "model_version_get",
    "model_version_list",
    "model_version_previous",
    "product_list_entries",
    "serving_run",
    "serving_run_fresh",
    "SERVING_SCOPE",
    "serving_version",
    "trending_product_ids",
    "user_list_entries",
]


# Every widget and recommendation request reads which run serves; the pointer flip replaces this scope's
# generation after commit, so the next request reads the new run. An edit in the admin shows within the timeout.
SERVING_SCOPE = "recsys:serving-run"
SERVING_CACHE_SECONDS = 30


def serving_run_fresh() -> ScoringRun | None:
    """The serving run read from the database (writers decide on this one; pages read `serving_run`)."""
    pointer = (
        ServingPointer.objects.filter(key="lists").select_related("run__model_version").first()
    )
    return pointer.run if pointer is not None else None


def serving_run() -> ScoringRun | None:
    return generation_cached(
        scope=SERVING_SCOPE, compute=serving_run_fresh, timeout=SERVING_CACHE_SECONDS
    )


def serving_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(status=ModelVersion.Status.SERVING).first()


def model_version_list(*, limit: int = 50) -> list[ModelVersion]:
    return list(ModelVersion.objects.order_by("-created_at", "-id")[:limit])


def model_version_previous(*, before: ModelVersion | None) -> ModelVersion | None:
    """The most recently promoted version other than `before` that still has a model to load."""
    candidates = ModelVersion.objects.filter(
        promoted_at__isnull=False, artifact_name__gt=""
    ).exclude(status__in=[ModelVersion.Status.FAILED, ModelVersion.Status.TRAINING])
    if before is not None:
        candidates = candidates.exclude(pk=before.pk)
    return candidates.order_by("-promoted_at").first()


def model_version_get(*, version_id: int | None) -> ModelVersion | None:
    return ModelVersion.objects.filter(pk=version_id).first() if version_id else None


def global_list_entries(run: ScoringRun | None, widget: str) -> list:
    """A list every shopper shares (trending), as stored entries [product_id, score, facts]."""
    if run is None:
        return []
    row = ProductRecommendations.objects.filter(
        run=run, widget=widget, product__isnull=True
    ).first()
    return row.items if row is not None else []


def product_list_entries(run: ScoringRun | None, widget: str, product_id: int) -> list:
    if run is None:
        return []
    row = ProductRecommendations.objects.filter(
        run=run, widget=widget, product_id=product_id
    ).first()
    return row.items if row is not None else []


def user_list_entries(run: ScoringRun | None, widget: str, user_id: int) -> list | None:
    """The shopper's stored list in `run`; None when the run has none for them."""
    if run is None:
        return None
    row = UserRecommendations.objects.filter(run=run, widget=widget, user_id=user_id).first()
    return row.items if row is not None else None


def trending_product_ids(run: ScoringRun | None) -> set[int]:
    return {int(entry[0]) for entry in global_list_entries(run, Widget.TRENDING)}
