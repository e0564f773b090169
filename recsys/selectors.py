"""Recommendation reads for pages, the API and other apps. Request time never trains.

A shopper's list comes from the scoring run the serving pointer names. A shopper with no stored list (new since
the last training) or whose signals changed since it (follows, favourite categories) is scored on request from the
serving model with their feature row, and the result is cached until their signals change again. Reasons are
stored as raw facts (which followees bought the item, which viewed item it resembles) and turned into text here,
at request time, keeping only people the shopper still follows and can see.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from recsys.models import (
    Click,
    Conversion,
    Experiment,
    Impression,
    ModelVersion,
    ProductRecommendations,
    ScoringRun,
    ServingPointer,
    UserRecommendations,
    Widget,
)

__all__ = [
    "Recommendation",
    "VariantStats",
    "bought_together_products",
    "experiment_active",
    "experiment_variant_for_user",
    "friends_products",
    "model_version_list",
    "recommendations_for_user",
    "serving_run",
    "serving_version",
    "similar_products",
    "trending_products",
    "variant_stats",
    "wilson_interval",
]

PERSONAL_WIDGETS = {Widget.FOR_YOU, Widget.FRIENDS}


@dataclass(frozen=True)
class Recommendation:
    """One recommended product as widgets, the API and the assistant need it."""

    product: Any
    score: float
    reason: str
    reason_kind: str
    widget: str
    position: int
    model_version_id: int | None = None
    variant: str = ""
    experiment_id: int | None = None
    # People named in the reason (friends widget), already filtered for visibility.
    people: tuple[str, ...] = field(default_factory=tuple)


# --- serving state ---------------------------------------------------------------------------------------


def serving_run() -> ScoringRun | None:
    pointer = (
        ServingPointer.objects.filter(key="lists").select_related("run__model_version").first()
    )
    return pointer.run if pointer is not None else None


def serving_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(status=ModelVersion.Status.SERVING).first()


def model_version_list(*, limit: int = 50) -> list[ModelVersion]:
    return list(ModelVersion.objects.order_by("-created_at", "-id")[:limit])


# --- experiments -----------------------------------------------------------------------------------------


def experiment_active() -> Experiment | None:
    return Experiment.objects.filter(is_active=True).select_related("challenger").first()


def experiment_variant_for_user(*, experiment: Experiment, user_id: int) -> str:
    """Deterministic: the same shopper always lands in the same variant of the same experiment."""
    weights = [(name, int(weight)) for name, weight in sorted(experiment.weights.items())]
    weights = [(name, weight) for name, weight in weights if weight > 0]
    if not weights:
        return Experiment.Variant.SERVING
    total = sum(weight for _, weight in weights)
    digest = hashlib.sha256(f"{experiment.salt}:{user_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % total
    for name, weight in weights:
        if bucket < weight:
            return name
        bucket -= weight
    return weights[-1][0]


# --- lists -----------------------------------------------------------------------------------------------


def _profile_of(user: Any) -> Any:
    from social.models import Profile

    missing = object()
    profile = getattr(user, "_recsys_profile", missing)
    if profile is missing:
        profile = Profile.objects.filter(user_id=user.pk).first()
        user._recsys_profile = profile
    return profile


def personalisation_allowed(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    profile = _profile_of(user)
    return profile is None or profile.personalise_recommendations


def _global_items(run: ScoringRun | None, widget: str) -> list:
    if run is None:
        return []
    row = ProductRecommendations.objects.filter(
        run=run, widget=widget, product__isnull=True
    ).first()
    return row.items if row is not None else []


def _product_items(run: ScoringRun | None, widget: str, product_id: int) -> list:
    if run is None:
        return []
    row = ProductRecommendations.objects.filter(
        run=run, widget=widget, product_id=product_id
    ).first()
    return row.items if row is not None else []


def _stored_user_items(run: ScoringRun | None, widget: str, user_id: int) -> list | None:
    if run is None:
        return None
    row = UserRecommendations.objects.filter(run=run, widget=widget, user_id=user_id).first()
    return row.items if row is not None else None


def _visible_people(user_id: int) -> dict[int, str]:
    """People this shopper follows (active, so approved when private) and neither blocked nor blocking."""
    from social.models import Profile
    from social.selectors import blocked_pair_ids, followee_ids

    ids = set(followee_ids(user_id=user_id)) - blocked_pair_ids(user_id=user_id)
    if not ids:
        return {}
    names: dict[int, str] = {}
    rows = Profile.objects.filter(user_id__in=ids).values_list("user_id", "display_name")
    display = dict(rows)
    from django.contrib.auth import get_user_model

    for pk, username in (
        get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", "username")
    ):
        names[pk] = display.get(pk) or f"@{username}"
    return names


def _purchase_sharers(user_ids: Iterable[int]) -> set[int]:
    """Followees whose purchases may be named: those who share purchases with followers."""
    from social.models import Profile

    return set(
        Profile.objects.filter(
            user_id__in=list(user_ids), share_purchases_default=True
        ).values_list("user_id", flat=True)
    )


def _join_names(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return _("%(first)s and %(second)s") % {"first": names[0], "second": names[1]}
    return ngettext(
        "%(first)s, %(second)s and %(count)d other",
        "%(first)s, %(second)s and %(count)d others",
        len(names) - 2,
    ) % {"first": names[0], "second": names[1], "count": len(names) - 2}


@dataclass
class _ReasonContext:
    people: dict[int, str]
    sharers: set[int]
    product_names: dict[int, str]
    category_names: dict[int, str]


def _reason_context(user_id: int | None, entries: list) -> _ReasonContext:
    from shop.models import Category, Product

    people = _visible_people(user_id) if user_id else {}
    sharers = _purchase_sharers(people) if people else set()
    product_ids: set[int] = set()
    category_ids: set[int] = set()
    for entry in entries:
        for fact in entry[2] if len(entry) > 2 else []:
            if fact.get("k") == "similar":
                product_ids.add(int(fact["p"]))
            elif fact.get("k") == "category":
                category_ids.add(int(fact["c"]))
    product_names = (
        dict(Product.objects.filter(pk__in=product_ids).values_list("pk", "name"))
        if product_ids
        else {}
    )
    category_names = (
        dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "name"))
        if category_ids
        else {}
    )
    return _ReasonContext(people, sharers, product_names, category_names)


def _reason_text(facts: list, context: _ReasonContext) -> tuple[str, str, tuple[str, ...]]:
    """The first fact that can be told to this shopper, as (text, kind, people named)."""
    for fact in facts:
        kind = fact.get("k")
        if kind == "followee":
            action = fact.get("a", "liked")
            ids = [int(uid) for uid in fact.get("u", []) if int(uid) in context.people]
            if action == "bought":
                ids = [uid for uid in ids if uid in context.sharers]
            if not ids:
                continue
            names = [context.people[uid] for uid in ids]
            joined = _join_names(names)
            if action == "bought":
                text = _("Because %(names)s, whom you follow, bought this")
            else:
                text = _("Because %(names)s, whom you follow, liked this")
            return text % {"names": joined}, "followee", tuple(names)
        if kind == "similar":
            name = context.product_names.get(int(fact["p"]))
            if name:
                return (
                    _("Similar to %(product)s, which you looked at") % {"product": name},
                    "similar",
                    (),
                )
        if kind == "category":
            name = context.category_names.get(int(fact["c"]))
            if name:
                return (
                    _("From %(category)s, one of your favourite categories") % {"category": name},
                    "category",
                    (),
                )
        if kind == "bought_together":
            return _("Often bought together"), "bought_together", ()
        if kind == "similar_item":
            return _("Similar item"), "similar_item", ()
        if kind == "trending":
            return _("Trending now"), "trending", ()
        if kind == "popular":
            return _("Popular in the shop"), "popular", ()
    return _("Popular in the shop"), "popular", ()


def _materialise(
    entries: list,
    *,
    widget: str,
    k: int,
    user_id: int | None,
    exclude_ids: set[int] | None = None,
    model_version_id: int | None = None,
    variant: str = "",
    experiment_id: int | None = None,
) -> list[Recommendation]:
    """Stored [product_id, score, facts] entries -> Recommendations of active, in-stock products."""
    from shop.selectors import product_cards

    exclude_ids = exclude_ids or set()
    candidates = [entry for entry in entries if int(entry[0]) not in exclude_ids]
    # Over-fetch so that products sold out since scoring can be dropped without a short list.
    candidates = candidates[: k * 3 + 5]
    products = {
        product.pk: product
        for product in product_cards(product_ids=[int(entry[0]) for entry in candidates])
    }
    kept = []
    for entry in candidates:
        product = products.get(int(entry[0]))
        if product is None or not product.is_active or product.stock <= 0:
            continue
        kept.append((product, entry))
        if len(kept) >= k:
            break
    context = _reason_context(user_id, [entry for _, entry in kept])
    results = []
    for position, (product, entry) in enumerate(kept, start=1):
        facts = entry[2] if len(entry) > 2 else []
        text, kind, people = _reason_text(facts, context)
        results.append(
            Recommendation(
                product=product,
                score=float(entry[1]),
                reason=text,
                reason_kind=kind,
                widget=widget,
                position=position,
                model_version_id=model_version_id,
                variant=variant,
                experiment_id=experiment_id,
                people=people,
            )
        )
    return results


def trending_products(*, k: int = 10, exclude_ids: Iterable[int] = ()) -> list[Recommendation]:
    run = serving_run()
    entries = _global_items(run, Widget.TRENDING)
    if not entries:
        entries = _fallback_popular_entries(k * 3)
    return _materialise(
        entries,
        widget=Widget.TRENDING,
        k=k,
        user_id=None,
        exclude_ids=set(exclude_ids),
        model_version_id=run.model_version_id if run else None,
    )


def _fallback_popular_entries(limit: int) -> list:
    """Before any scoring run exists: the best sellers, so a fresh shop still shows something."""
    from shop.models import Product

    rows = Product.objects.filter(is_active=True, stock__gt=0).order_by(
        "-sold_count", "-rating_count", "-id"
    )[:limit]
    return [
        [pk, float(sold), [{"k": "popular"}]] for pk, sold in rows.values_list("pk", "sold_count")
    ]


def similar_products(*, product: Any, k: int = 8) -> list[Recommendation]:
    run = serving_run()
    return _materialise(
        _product_items(run, Widget.SIMILAR, product.pk),
        widget=Widget.SIMILAR,
        k=k,
        user_id=None,
        exclude_ids={product.pk},
        model_version_id=run.model_version_id if run else None,
    )


def bought_together_products(*, product: Any, k: int = 4) -> list[Recommendation]:
    run = serving_run()
    return _materialise(
        _product_items(run, Widget.BOUGHT_TOGETHER, product.pk),
        widget=Widget.BOUGHT_TOGETHER,
        k=k,
        user_id=None,
        exclude_ids={product.pk},
        model_version_id=run.model_version_id if run else None,
    )


def friends_products(*, user: Any, k: int = 6) -> list[Recommendation]:
    return recommendations_for_user(user=user, widget=Widget.FRIENDS, k=k)


def recommendations_for_user(
    *, user: Any, widget: str = "for_you", k: int = 10
) -> list[Recommendation]:
    """The shopper's list for `widget` (for_you, friends, trending), with readable reasons."""
    from recsys import services

    if widget == Widget.TRENDING:
        return trending_products(k=k)
    if widget not in PERSONAL_WIDGETS:
        raise ValueError(f"unknown user widget {widget!r}")
    if not personalisation_allowed(user):
        # Opted out (or anonymous): the same list for everyone; nothing about follows.
        return trending_products(k=k) if widget == Widget.FOR_YOU else []
    experiment = experiment_active()
    variant = ""
    if experiment is not None:
        variant = experiment_variant_for_user(experiment=experiment, user_id=user.pk)
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
        version_id = experiment.challenger_id
        entries = services.user_list_on_request(
            user_id=user.pk, widget=widget, version_id=version_id
        )
    elif not services.user_signals_changed_since(user_id=user.pk, run=run):
        entries = _stored_user_items(run, widget, user.pk)
    if entries is None:
        serving = serving_version()
        version_id = serving.pk if serving else None
        entries = services.user_list_on_request(
            user_id=user.pk, widget=widget, version_id=version_id
        )
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
    return _materialise(
        entries,
        widget=widget,
        k=k,
        user_id=user.pk,
        model_version_id=version_id,
        variant=variant,
        experiment_id=experiment_id,
    )


# --- dashboard figures -----------------------------------------------------------------------------------


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval for a proportion; (0, 0) with no trials."""
    if trials <= 0:
        return (0.0, 0.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class VariantStats:
    variant: str
    impressions: int
    clicks: int
    conversions: int
    purchases: int
    ctr: float
    ctr_low: float
    ctr_high: float
    conversion_rate: float
    conversion_low: float
    conversion_high: float


def variant_stats(*, experiment: Experiment | None = None) -> list[VariantStats]:
    """Per variant: impressions, clicks, CTR and click-to-cart conversion with 95% Wilson intervals."""
    from django.db.models import Count

    impressions = Impression.objects.all()
    clicks = Click.objects.all()
    conversions = Conversion.objects.all()
    if experiment is not None:
        impressions = impressions.filter(experiment=experiment)
        clicks = clicks.filter(experiment=experiment)
        conversions = conversions.filter(click__experiment=experiment)
    by_variant_impressions = dict(
        impressions.values_list("variant").annotate(n=Count("id")).values_list("variant", "n")
    )
    by_variant_clicks = dict(
        clicks.values_list("variant").annotate(n=Count("id")).values_list("variant", "n")
    )
    converted_clicks = dict(
        conversions.values_list("click__variant")
        .annotate(n=Count("click", distinct=True))
        .values_list("click__variant", "n")
    )
    purchases = dict(
        conversions.filter(kind=Conversion.Kind.PURCHASE)
        .values_list("click__variant")
        .annotate(n=Count("id"))
        .values_list("click__variant", "n")
    )
    names = sorted(set(by_variant_impressions) | set(by_variant_clicks))
    result = []
    for name in names:
        shown = by_variant_impressions.get(name, 0)
        clicked = by_variant_clicks.get(name, 0)
        converted = converted_clicks.get(name, 0)
        ctr_low, ctr_high = wilson_interval(clicked, shown)
        conv_low, conv_high = wilson_interval(converted, clicked)
        result.append(
            VariantStats(
                variant=name or "no experiment",
                impressions=shown,
                clicks=clicked,
                conversions=converted,
                purchases=purchases.get(name, 0),
                ctr=clicked / shown if shown else 0.0,
                ctr_low=ctr_low,
                ctr_high=ctr_high,
                conversion_rate=converted / clicked if clicked else 0.0,
                conversion_low=conv_low,
                conversion_high=conv_high,
            )
        )
    return result


def attribution_window_seconds() -> int:
    return int(getattr(settings, "RECSYS_ATTRIBUTION_WINDOW_SECONDS", 24 * 3600))
