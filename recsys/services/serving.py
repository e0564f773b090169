"""One shopper's lists at request time, and the few cases scored on request. Request time never trains.

A shopper's list comes from the scoring run the serving pointer names. A shopper with no stored list (new since
the last training) or whose signals changed since it (follows, favourite categories) is scored on request from
the serving model with their feature row, and the result is cached until their signals change again. A shopper
in an experiment gets their variant's list (the challenger model is scored on request). Reasons are told by
`recsys.services.reasons`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache

from recsys.models import Experiment, ModelVersion, ScoringRun, Widget
from recsys.selectors import (
    experiment_active,
    experiment_variant_for_user,
    global_list_entries,
    model_version_get,
    model_version_previous,
    product_list_entries,
    serving_run,
    serving_version,
    trending_product_ids,
    user_list_entries,
)
from recsys.services import data
from recsys.services.artifacts import ArtifactUnavailable, model_load
from recsys.services.ranking import friends_entries_for_users, score_users
from recsys.services.reasons import Recommendation, entries_materialise
from shop.models import Product, User
from social import selectors as social_selectors

# Who asks: a signed-in shopper, an anonymous visitor, or nobody (a task).
Viewer = User | AnonymousUser | None

__all__ = [
    "ListOnRequest",
    "PERSONAL_WIDGETS",
    "bought_together_products",
    "friends_products",
    "personalisation_allowed",
    "product_affinity_for_user",
    "recommendations_for_user",
    "similar_products",
    "trending_products",
    "user_list_on_request",
    "user_signals_changed",
    "user_signals_changed_since",
]

PERSONAL_WIDGETS = {Widget.FOR_YOU, Widget.FRIENDS}


# --- signals and on-request scoring ----------------------------------------------------------------------


def _signals_key(user_id: int) -> str:
    return f"recsys:signals:{user_id}"


def user_signals_changed(user_id: int) -> None:
    """Call when a shopper's follows or favourite categories change: their next page is scored on request
    from the serving model with the new feature row, without retraining."""
    cache.set(_signals_key(user_id), time.time(), timeout=settings.RECSYS_SIGNALS_TTL_SECONDS)


def user_signals_changed_since(*, user_id: int, run: ScoringRun | None) -> bool:
    """True when the shopper's signals changed after the data behind `run` was read."""
    stamp = cache.get(_signals_key(user_id))
    if stamp is None or run is None:
        return False
    version = run.model_version
    reference = version.created_at if version is not None else run.created_at
    return float(stamp) > reference.timestamp()


def _model_entries(*, user_id: int, version: ModelVersion, k: int) -> list:
    """One shopper's 'for you' entries from a stored model, now (new shopper or changed follows).
    Raises `ArtifactUnavailable` when this node cannot load the model."""
    model = model_load(version)
    if model is None:
        return []
    return score_users(
        model=model,
        user_ids=[user_id],
        k=k,
        trending_ids=trending_product_ids(serving_run()),
    ).get(user_id, [])


@dataclass(frozen=True)
class ListOnRequest:
    entries: list
    # The version that actually scored them (the previous one when the asked one could not be loaded).
    version_id: int | None


def _fallback_on_request(*, user_id: int, failed: ModelVersion, k: int) -> ListOnRequest:
    """This node cannot load `failed`: the previously promoted version scores the shopper, else nothing
    (the 'for you' widget then shows popular products). For this request only: nothing here is cached."""
    previous = model_version_previous(before=failed)
    if previous is not None:
        try:
            return ListOnRequest(
                _model_entries(user_id=user_id, version=previous, k=k), previous.pk
            )
        except ArtifactUnavailable:
            pass
    return ListOnRequest([], None)


def user_list_on_request(*, user_id: int, widget: str, version_id: int | None) -> ListOnRequest:
    """Score one shopper now from a stored model version (no training); cached until their signals change.
    Only the model's own answer is cached, never a fallback served because the model could not be loaded."""
    stamp = cache.get(_signals_key(user_id)) or 0
    key = f"recsys:ondemand:{version_id}:{user_id}:{widget}:{stamp}"
    entries = cache.get(key)
    if entries is not None:
        return ListOnRequest(entries, version_id)
    k = int(settings.RECSYS_LIST_LENGTH)
    if widget == Widget.FRIENDS:
        entries = friends_entries_for_users([user_id], k=k).get(user_id, [])
    else:
        version = model_version_get(version_id=version_id)
        if version is None:
            entries = []
        else:
            try:
                entries = _model_entries(user_id=user_id, version=version, k=k)
            except ArtifactUnavailable:
                return _fallback_on_request(user_id=user_id, failed=version, k=k)
    cache.set(key, entries, timeout=settings.RECSYS_ON_REQUEST_CACHE_SECONDS)
    return ListOnRequest(entries, version_id)


# --- lists -----------------------------------------------------------------------------------------------


def _signed_in(user: Viewer) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated else None


def personalisation_allowed(user: Viewer) -> bool:
    """Signed in and not opted out of personalisation (asked once per request and user object)."""
    shopper = _signed_in(user)
    if shopper is None:
        return False
    cached = shopper.__dict__.get("_recsys_personalised")
    if cached is None:
        cached = social_selectors.personalisation_allowed_for(user_id=shopper.pk)
        shopper.__dict__["_recsys_personalised"] = cached
    return bool(cached)


def trending_products(*, k: int = 10, exclude_ids: Iterable[int] = ()) -> list[Recommendation]:
    run = serving_run()
    entries = global_list_entries(run, Widget.TRENDING)
    if not entries:
        entries = data.best_selling_entries(k * 3)
    return entries_materialise(
        entries,
        widget=Widget.TRENDING,
        k=k,
        user_id=None,
        exclude_ids=set(exclude_ids),
        model_version_id=run.model_version_id if run else None,
    )


def similar_products(*, product: Product, k: int = 8) -> list[Recommendation]:
    run = serving_run()
    return entries_materialise(
        product_list_entries(run, Widget.SIMILAR, product.pk),
        widget=Widget.SIMILAR,
        k=k,
        user_id=None,
        exclude_ids={product.pk},
        model_version_id=run.model_version_id if run else None,
    )


def bought_together_products(*, product: Product, k: int = 4) -> list[Recommendation]:
    run = serving_run()
    return entries_materialise(
        product_list_entries(run, Widget.BOUGHT_TOGETHER, product.pk),
        widget=Widget.BOUGHT_TOGETHER,
        k=k,
        user_id=None,
        exclude_ids={product.pk},
        model_version_id=run.model_version_id if run else None,
    )


def friends_products(*, user: Viewer, k: int = 6) -> list[Recommendation]:
    return recommendations_for_user(user=user, widget=Widget.FRIENDS, k=k)


def recommendations_for_user(
    *, user: Viewer, widget: str = "for_you", k: int = 10
) -> list[Recommendation]:
    """The shopper's list for `widget` (for_you, friends, trending), with readable reasons."""
    if widget == Widget.TRENDING:
        return trending_products(k=k)
    if widget not in PERSONAL_WIDGETS:
        raise ValueError(f"unknown user widget {widget!r}")
    shopper = _signed_in(user)
    if shopper is None or not personalisation_allowed(shopper):
        # Opted out (or anonymous): the same list for everyone; nothing about follows.
        return trending_products(k=k) if widget == Widget.FOR_YOU else []
    experiment = experiment_active()
    variant = ""
    if experiment is not None:
        variant = experiment_variant_for_user(experiment=experiment, user_id=shopper.pk)
    experiment_id = experiment.pk if experiment is not None else None
    if variant == Experiment.Variant.POPULARITY and widget == Widget.FOR_YOU:
        items = trending_products(k=k)
        return [
            Recommendation(
                product=item.product,
                score=item.score,
                reason=item.reason,
                reason_kind=item.reason_kind,
                widget=widget,
                position=item.position,
                model_version_id=None,
                variant=variant,
                experiment_id=experiment_id,
            )
            for item in items
        ]
    run = serving_run()
    version_id = run.model_version_id if run else None
    entries: list | None = None
    if (
        variant == Experiment.Variant.CHALLENGER
        and experiment is not None
        and experiment.challenger_id
        and widget == Widget.FOR_YOU
    ):
        scored = user_list_on_request(
            user_id=shopper.pk, widget=widget, version_id=experiment.challenger_id
        )
        entries, version_id = scored.entries, scored.version_id
    elif not user_signals_changed_since(user_id=shopper.pk, run=run):
        entries = user_list_entries(run, widget, shopper.pk)
    if entries is None:
        serving = serving_version()
        scored = user_list_on_request(
            user_id=shopper.pk, widget=widget, version_id=serving.pk if serving else None
        )
        entries, version_id = scored.entries, scored.version_id
    if widget == Widget.FOR_YOU and not entries:
        return [
            Recommendation(
                product=item.product,
                score=item.score,
                reason=item.reason,
                reason_kind=item.reason_kind,
                widget=widget,
                position=item.position,
                model_version_id=item.model_version_id,
                variant=variant,
                experiment_id=experiment_id,
            )
            for item in trending_products(k=k)
        ]
    return entries_materialise(
        entries,
        widget=widget,
        k=k,
        user_id=shopper.pk,
        model_version_id=version_id,
        variant=variant,
        experiment_id=experiment_id,
    )


EXPLORE_AFFINITY_LIST_LENGTH = 40


def product_affinity_for_user(user: User) -> dict[int, float]:
    """{product id: 0..1} from the shopper's "for you" list, by rank (the first scores 1): what social's
    explore page ranks posts by (registered on `social.hooks.explore_product_affinity`). Shoppers who opted
    out of personalisation get nothing, so explore ranks them by freshness, follows and likes only."""
    if not personalisation_allowed(user):
        return {}
    items = recommendations_for_user(
        user=user, widget=Widget.FOR_YOU, k=EXPLORE_AFFINITY_LIST_LENGTH
    )
    count = len(items)
    return {item.product.pk: 1.0 - index / count for index, item in enumerate(items)}
