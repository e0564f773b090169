"""Serving-test helpers: store lists the way a scoring run does, without training a model."""

from __future__ import annotations

from recsys import services
from recsys.models import (
    ModelVersion,
    ProductRecommendations,
    ScoringRun,
    UserRecommendations,
    Widget,
)


def stored_run(
    *,
    user_lists: dict | None = None,
    trending: list | None = None,
    similar: dict | None = None,
    friends: dict | None = None,
    flip: bool = True,
    version: ModelVersion | None = None,
) -> ScoringRun:
    """A complete scoring run with the given entries ([product_id, score, facts]); flipped live by default."""
    if version is None:
        version = ModelVersion.objects.filter(status=ModelVersion.Status.SERVING).first()
    if version is None:
        version = ModelVersion.objects.create(status=ModelVersion.Status.SERVING)
    run = ScoringRun.objects.create(model_version=version, status=ScoringRun.Status.COMPLETE)
    for user, entries in (user_lists or {}).items():
        UserRecommendations.objects.create(run=run, user=user, widget=Widget.FOR_YOU, items=entries)
    for user, entries in (friends or {}).items():
        UserRecommendations.objects.create(run=run, user=user, widget=Widget.FRIENDS, items=entries)
    if trending is not None:
        ProductRecommendations.objects.create(run=run, widget=Widget.TRENDING, items=trending)
    for product, entries in (similar or {}).items():
        ProductRecommendations.objects.create(
            run=run, product=product, widget=Widget.SIMILAR, items=entries
        )
    if flip:
        services.serving_pointer_flip(run=run)
    return run
