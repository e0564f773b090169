"""Recommender writes: training and promotion, scoring into atomically swapped lists, on-request scoring for
new or changed shoppers, impression/click logging, attribution and experiments.

Rules that live here:
- Only one training runs at a time (a cache lock with a timeout, so a killed worker cannot hold it forever).
- A trained version is promoted only when it beats popularity on the holdout and is not worse than the serving
  model by more than RECSYS_PROMOTION_TOLERANCE (relative, on RECSYS_PROMOTION_METRIC).
- Scoring writes every row of a new `ScoringRun` first, then flips the one `ServingPointer` row: pages read either
  the old lists or the new ones. A retried chunk replaces its own rows, so every task is idempotent.
- The artefact is written to a temporary file and renamed into place, so a crash never leaves half a model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from recsys.models import (
    Click,
    Conversion,
    Experiment,
    Impression,
    ModelVersion,
    ScoringRun,
    ServingPointer,
    Widget,
)

logger = logging.getLogger(__name__)

__all__ = [
    "attribution_update",
    "click_record",
    "experiment_start",
    "experiment_stop",
    "impressions_record",
    "model_version_promote",
    "model_version_rollback",
    "onboarding_complete",
    "serving_pointer_flip",
    "user_list_on_request",
    "user_signals_changed",
    "user_signals_changed_since",
]


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- signals and on-request scoring ----------------------------------------------------------------------


def _signals_key(user_id: int) -> str:
    return f"recsys:signals:{user_id}"


def user_signals_changed(user_id: int) -> None:
    """Call when a shopper's follows or favourite categories change: their next page is scored on request
    from the serving model with the new feature row, without retraining."""
    cache.set(
        _signals_key(user_id),
        time.time(),
        timeout=_setting("RECSYS_SIGNALS_TTL_SECONDS", 14 * 24 * 3600),
    )


def user_signals_changed_since(*, user_id: int, run: ScoringRun | None) -> bool:
    """True when the shopper's signals changed after the data behind `run` was read."""
    stamp = cache.get(_signals_key(user_id))
    if stamp is None or run is None:
        return False
    version = run.model_version
    reference = version.created_at if version is not None else run.created_at
    return float(stamp) > reference.timestamp()


def user_list_on_request(*, user_id: int, widget: str, version_id: int | None) -> list:
    """Score one shopper now from a stored model version (no training); cached until their signals change."""
    from recsys import pipeline

    stamp = cache.get(_signals_key(user_id)) or 0
    key = f"recsys:ondemand:{version_id}:{user_id}:{widget}:{stamp}"
    entries = cache.get(key)
    if entries is None:
        k = _setting("RECSYS_LIST_LENGTH", 30)
        if widget == Widget.FRIENDS:
            entries = pipeline.friends_entries_for_users([user_id], k=k).get(user_id, [])
        else:
            entries = pipeline.user_entries_on_request(user_id=user_id, version_id=version_id, k=k)
        cache.set(key, entries, timeout=_setting("RECSYS_ON_REQUEST_CACHE_SECONDS", 3600))
    return entries


# --- impressions, clicks, attribution --------------------------------------------------------------------


def impressions_record(*, user_id: int | None, recommendations: Iterable) -> int:
    """Log one impression per shown item (one INSERT for the whole widget)."""
    rows = [
        Impression(
            widget=item.widget,
            user_id=user_id,
            product_id=item.product.pk,
            model_version_id=item.model_version_id,
            experiment_id=item.experiment_id,
            variant=item.variant,
            position=item.position,
        )
        for item in recommendations
    ]
    Impression.objects.bulk_create(rows)
    return len(rows)


@dataclass(frozen=True)
class ClickTarget:
    widget: str
    product_id: int
    position: int
    model_version_id: int | None
    experiment_id: int | None
    variant: str


def click_record(*, user_id: int | None, target: ClickTarget) -> Click:
    return Click.objects.create(
        widget=target.widget,
        user_id=user_id,
        product_id=target.product_id,
        position=target.position,
        model_version_id=target.model_version_id,
        experiment_id=target.experiment_id,
        variant=target.variant,
    )


def attribution_update(*, since_seconds: int | None = None) -> int:
    """Tie cart adds and purchases to the latest earlier click on the same product by the same shopper within
    RECSYS_ATTRIBUTION_WINDOW_SECONDS. Idempotent: each shop record converts at most once."""
    from shop.models import Order, OrderLine, ProductEvent

    window = _setting("RECSYS_ATTRIBUTION_WINDOW_SECONDS", 24 * 3600)
    horizon = timezone.now() - timezone.timedelta(seconds=since_seconds or window * 2)
    clicks = list(
        Click.objects.filter(
            user__isnull=False, created_at__gte=horizon - timezone.timedelta(seconds=window)
        )
        .order_by("created_at")
        .values_list("id", "user_id", "product_id", "created_at")
    )
    if not clicks:
        return 0
    by_pair: dict[tuple[int, int], list[tuple[int, object]]] = {}
    for click_id, user_id, product_id, created_at in clicks:
        by_pair.setdefault((user_id, product_id), []).append((click_id, created_at))
    user_ids = {user_id for user_id, _ in by_pair}
    product_ids = {product_id for _, product_id in by_pair}
    done = {
        (kind, source_id)
        for kind, source_id in Conversion.objects.filter(
            created_at__gte=horizon - timezone.timedelta(seconds=window)
        ).values_list("kind", "source_id")
    }
    sources: list[tuple[str, int, int, int, object]] = []
    for event_id, user_id, product_id, created_at in ProductEvent.objects.filter(
        kind=ProductEvent.Kind.CART,
        user_id__in=user_ids,
        product_id__in=product_ids,
        created_at__gte=horizon,
    ).values_list("id", "user_id", "product_id", "created_at"):
        sources.append((Conversion.Kind.CART, event_id, user_id, product_id, created_at))
    for line_id, user_id, product_id, created_at in (
        OrderLine.objects.filter(
            order__user_id__in=user_ids,
            product_id__in=product_ids,
            order__created_at__gte=horizon,
        )
        .exclude(order__status=Order.Status.CANCELLED)
        .values_list("id", "order__user_id", "product_id", "order__created_at")
    ):
        sources.append((Conversion.Kind.PURCHASE, line_id, user_id, product_id, created_at))
    created = []
    for kind, source_id, user_id, product_id, created_at in sources:
        if (kind, source_id) in done:
            continue
        candidates = [
            click_id
            for click_id, clicked_at in by_pair.get((user_id, product_id), [])
            if clicked_at <= created_at and (created_at - clicked_at).total_seconds() <= window
        ]
        if candidates:
            created.append(
                Conversion(
                    click_id=candidates[-1], kind=kind, source_id=source_id, created_at=created_at
                )
            )
    Conversion.objects.bulk_create(created, ignore_conflicts=True)
    return len(created)


# --- experiments -----------------------------------------------------------------------------------------


def experiment_start(
    *, name: str = "", challenger: ModelVersion | None, weights: dict[str, int] | None = None
) -> Experiment:
    """Start an experiment (ending any active one). Without a challenger the split is serving/popularity."""
    import secrets

    if weights is None:
        weights = (
            {"challenger": 34, "serving": 33, "popularity": 33}
            if challenger is not None
            else {"serving": 50, "popularity": 50}
        )
    name = name or f"experiment-{timezone.now():%Y%m%d-%H%M%S}"
    if Experiment.objects.filter(name=name).exists():
        name = f"{name[:70]}-{secrets.token_hex(3)}"
    with transaction.atomic():
        experiment_stop()
        return Experiment.objects.create(
            name=name,
            is_active=True,
            salt=secrets.token_hex(8),
            weights=weights,
            challenger=challenger,
        )


def experiment_stop() -> int:
    return Experiment.objects.filter(is_active=True).update(
        is_active=False, ended_at=timezone.now()
    )


# --- promotion -------------------------------------------------------------------------------------------


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


def model_version_promote(*, version: ModelVersion, actor_note: str = "") -> ModelVersion:
    """Make `version` the serving model (the previous one retires). Lists follow on the next scoring."""
    if (
        version.status
        not in {
            ModelVersion.Status.READY,
            ModelVersion.Status.REJECTED,
            ModelVersion.Status.RETIRED,
            ModelVersion.Status.SERVING,
        }
        or not version.artifact_path
    ):
        from django.core.exceptions import ValidationError

        raise ValidationError(f"version {version.pk} has no usable model ({version.status})")
    now = timezone.now()
    with transaction.atomic():
        ModelVersion.objects.filter(status=ModelVersion.Status.SERVING).exclude(
            pk=version.pk
        ).update(status=ModelVersion.Status.RETIRED, retired_at=now)
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelVersion.Status.SERVING,
            promoted_at=now,
            decision=(actor_note or version.decision)[:300],
        )
    version.refresh_from_db()
    return version


def model_version_rollback() -> ModelVersion | None:
    """Serve the previously promoted version again; returns it (None when there is nothing to go back to)."""
    current = ModelVersion.objects.filter(status=ModelVersion.Status.SERVING).first()
    previous = (
        ModelVersion.objects.filter(promoted_at__isnull=False, artifact_path__gt="")
        .exclude(pk=current.pk if current else None)
        .exclude(status__in=[ModelVersion.Status.FAILED, ModelVersion.Status.TRAINING])
        .order_by("-promoted_at")
        .first()
    )
    if previous is None:
        return None
    return model_version_promote(version=previous, actor_note="rolled back by staff")


# --- onboarding ------------------------------------------------------------------------------------------


def onboarding_complete(*, user, category_ids: Iterable[int], followee_ids: Iterable[int]) -> int:
    """Store the chosen categories and follow the chosen people; returns how many follows were made."""
    from social import services as social_services
    from social.models import Follow, Profile

    profile_get_or_create: Callable | None = getattr(social_services, "profile_get_or_create", None)
    if profile_get_or_create is not None:
        profile = profile_get_or_create(user=user)
    else:
        profile, _ = Profile.objects.get_or_create(user=user)
    category_ids = list(category_ids)
    if category_ids:
        profile.favourite_categories.set(category_ids)
    made = 0
    follow_create: Callable | None = getattr(social_services, "follow_create", None)
    from django.contrib.auth import get_user_model

    for followee in (
        get_user_model()
        .objects.filter(pk__in=list(followee_ids), is_active=True)
        .exclude(pk=user.pk)
    ):
        if follow_create is not None:
            follow_create(follower=user, followee=followee)
        else:
            followee_profile = Profile.objects.filter(user=followee).first()
            status = (
                Follow.Status.PENDING
                if followee_profile is not None and followee_profile.is_private
                else Follow.Status.ACTIVE
            )
            Follow.objects.get_or_create(
                follower=user, followee=followee, defaults={"status": status}
            )
        made += 1
    user_signals_changed(user.pk)
    return made
