"""Experiment reads: the active experiment, a shopper's variant, and the per-variant figures of the dashboard."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from common.generations import generation_cached
from recsys.models import Click, Conversion, Experiment, Impression

__all__ = [
    "EXPERIMENT_SCOPE",
    "VariantStats",
    "attribution_window_seconds",
    "experiment_active",
    "experiment_variant_for_user",
    "variant_stats",
    "wilson_interval",
]


# Read on every personal recommendation request; the experiment services replace this scope's generation
# after commit (an edit in the admin shows within the timeout).
EXPERIMENT_SCOPE = "recsys:experiment-active"
EXPERIMENT_CACHE_SECONDS = 30


def experiment_active() -> Experiment | None:
    return generation_cached(
        scope=EXPERIMENT_SCOPE,
        compute=lambda: (
            Experiment.objects.filter(is_active=True).select_related("challenger").first()
        ),
        timeout=EXPERIMENT_CACHE_SECONDS,
    )


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
    return int(settings.RECSYS_ATTRIBUTION_WINDOW_SECONDS)
