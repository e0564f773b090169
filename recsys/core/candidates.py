"""Model selection: every candidate family fitted on the fit part of the training data and judged on the
validation part carved from training (never on test data), per user group.

1. Each family in `params.families` is fitted with each of its settings; the setting with the best mean
   NDCG@k over all validation users stands for the family.
2. Blends: the best `blend_families` candidates (popularity included) are mixed in pairs with each weight in
   `blend_weights` (weighted sums of per-user standardised scores).
3. On all validation users the best single family is chosen (what a benchmark of that family alone would
   serve, so the choice is at least as good as the strongest peer on validation); the best blend replaces it
   only when its paired per-user NDCG@k gain over that family exceeds `blend_min_z` standard errors, and,
   with `popularity_guard`, popularity replaces it unless it beats popularity beyond the same noise test.
4. Each group (light, heavy) is served that recipe unless another candidate (popularity included) beats it
   on the group's own validation users beyond `blend_min_z` standard errors: a small group (few light
   shoppers) is never moved by luck, and a group that popularity clearly serves better gets popularity.
   Ties go to the simpler candidate (a single family before a blend, families in `params.families` order).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recsys.core.evaluation import user_gains
from recsys.core.families import (
    AlsFamily,
    EaseFamily,
    ItemKnnFamily,
    fit_als,
    fit_ease,
    fit_item_knn,
    fit_popularity,
    with_neighbours,
)
from recsys.core.scoring import blend_recipe, chunk_rows
from recsys.core.selection import (
    CandidateFigures,
    Family,
    GroupChoice,
    Recipe,
    SelectionReport,
    ServedFamilies,
    recipe_name,
)
from recsys.core.types import TrainingParams

__all__ = ["Selection", "gain_z", "refit_served", "select_families"]

KNOWN_FAMILIES = ("lightfm", "als", "ease", "item_knn", "popularity")

LightFMScores = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Selection:
    """What `select_families` decided: the report, each group's recipe, and the chosen families as
    fitted on the fit part (for the warm start of the refit)."""

    report: SelectionReport
    recipes: dict[str, Recipe]
    fitted: dict[str, Family] = field(default_factory=dict)


def gain_z(gain: np.ndarray) -> float:
    """Mean paired gain over its standard error (inf when every user gains the same positive amount)."""
    if len(gain) < 2:
        return 0.0
    spread = float(gain.std(ddof=1))
    mean = float(gain.mean())
    if spread == 0:
        return float("inf") if mean > 0 else 0.0
    return mean / (spread / np.sqrt(len(gain)))


def _fit_family(
    family: str, fit: sp.csr_matrix, fit_weights: sp.csr_matrix, params: TrainingParams
) -> list[tuple[dict[str, float], Family]]:
    if family == "popularity":
        return [({}, fit_popularity(fit))]
    if family == "item_knn":
        widest = fit_item_knn(fit, neighbours=max(params.knn_neighbours), seed=params.seed)
        return [
            ({"neighbours": float(n)}, with_neighbours(widest, n))
            for n in sorted(params.knn_neighbours)
        ]
    if family == "ease":
        return [
            (
                {"regularisation": lam},
                fit_ease(fit, regularisation=lam, max_items=params.ease_max_items),
            )
            for lam in params.ease_regularisations
        ]
    if family == "als":
        return [
            (
                {"factors": float(f), "regularisation": reg, "alpha": alpha},
                fit_als(
                    fit_weights,
                    factors=f,
                    regularisation=reg,
                    alpha=alpha,
                    iterations=params.als_iterations,
                    seed=params.seed,
                    num_threads=params.num_threads,
                ),
            )
            for f, reg, alpha in params.als_settings
        ]
    raise ValueError(f"unknown model family {family!r}, expected one of {KNOWN_FAMILIES}")


class _BlockCache:
    """Component scores of one block of users, computed once for all the recipes that use them."""

    def __init__(self, component: Callable[[str, np.ndarray], np.ndarray], rows: np.ndarray):
        self.component, self.rows = component, rows
        self.scores: dict[str, np.ndarray] = {}

    def __call__(self, name: str, rows: np.ndarray) -> np.ndarray:
        if name not in self.scores:
            self.scores[name] = self.component(name, self.rows)
        return self.scores[name]


def _gains(
    recipes: list[Recipe],
    component: Callable[[str, np.ndarray], np.ndarray],
    *,
    users: np.ndarray,
    fit: sp.csr_matrix,
    validation: sp.csr_matrix,
    k: int,
    popularity_rank: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Hits and NDCG@k per validation user (rows) and recipe (columns)."""
    hits = np.zeros((len(users), len(recipes)))
    ndcg = np.zeros((len(users), len(recipes)))
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal_by_count = np.concatenate([[1.0], np.cumsum(discounts)])
    ideal = ideal_by_count[np.minimum(np.diff(validation.indptr)[users], k)]
    # A few dense blocks are alive at once (components of a blend, their standardised copies).
    step = chunk_rows(fit.shape[1], budget=1 << 23)
    for start in range(0, len(users), step):
        chunk = users[start : start + step]
        cached = _BlockCache(component, chunk)

        exclude, truth = fit[chunk], validation[chunk]
        for col, recipe in enumerate(recipes):
            scores = blend_recipe(recipe, chunk, cached, popularity_rank)
            # A single family's block is the cached component itself: copy it before excluding.
            found, dcg = user_gains(scores, exclude, truth, k, copy=len(recipe) == 1)
            hits[start : start + len(chunk), col] = found
            ndcg[start : start + len(chunk), col] = dcg / ideal[start : start + len(chunk)]
    return hits, ndcg


def _figures(
    group: str,
    rows: np.ndarray,
    names: list[str],
    hits: np.ndarray,
    ndcg: np.ndarray,
    k: int,
) -> list[CandidateFigures]:
    """Every candidate's validation figures on one group's users (gain over popularity in SE)."""
    popularity = names.index("popularity") if "popularity" in names else None
    figures = []
    for col, name in enumerate(names):
        z = (
            gain_z(ndcg[rows, col] - ndcg[rows, popularity])
            if popularity is not None and col != popularity and len(rows)
            else 0.0
        )
        figures.append(
            CandidateFigures(
                candidate=name,
                group=group,
                precision=round(float(hits[rows, col].sum() / (k * max(len(rows), 1))), 6),
                ndcg=round(float(ndcg[rows, col].mean()) if len(rows) else 0.0, 6),
                users=len(rows),
                gain_z=round(z, 3) if np.isfinite(z) else 99.0,
            )
        )
    return figures


def _describe(name: str, ndcg: np.ndarray, hits: np.ndarray, k: int) -> str:
    precision = float(hits.sum() / (k * max(len(hits), 1)))
    return f"{name}: NDCG@{k} {float(ndcg.mean()):.4f}, P@{k} {precision:.4f} on {len(ndcg)} validation users"


def _base_choice(
    names: list[str],
    recipes: list[Recipe],
    singles: int,
    hits: np.ndarray,
    ndcg: np.ndarray,
    params: TrainingParams,
) -> tuple[int, str]:
    """The recipe chosen on all validation users: the best single family (as a peer benchmark of that
    family alone would choose it), replaced by a blend only when the blend beats it beyond noise, and by
    popularity when it does not beat popularity beyond noise (with `popularity_guard`)."""
    k, min_z = params.k, params.blend_min_z
    popularity = names.index("popularity") if "popularity" in names else None
    means = ndcg.mean(axis=0)
    eligible = np.full(len(names), -np.inf)
    eligible[:singles] = means[:singles]
    if (
        not params.popularity_guard
        and popularity is not None
        and "popularity" not in params.families
    ):
        # A peer benchmark of one family: popularity is only the yardstick, never the choice.
        eligible[popularity] = -np.inf
    best = int(np.argmax(eligible > eligible.max() - 1e-12))
    reason = f"{_describe(names[best], ndcg[:, best], hits[:, best], k)}, best single family of {singles}"
    blends = list(range(singles, len(names)))
    if blends:
        blend = max(blends, key=lambda c: (means[c], -c))
        z = gain_z(ndcg[:, blend] - ndcg[:, best])
        if z > min_z:
            reason = (
                f"{_describe(names[blend], ndcg[:, blend], hits[:, blend], k)}: beats the best single "
                f"family ({names[best]}, NDCG@{k} {means[best]:.4f}) by {z:.1f} SE (needs > {min_z:g})"
            )
            best = blend
        else:
            reason += (
                f"; the best blend ({names[blend]}, NDCG@{k} {means[blend]:.4f}) does not beat it "
                f"beyond noise ({z:.1f} SE, needs > {min_z:g})"
            )
    if popularity is None or best == popularity or not params.popularity_guard:
        return best, reason
    z = gain_z(ndcg[:, best] - ndcg[:, popularity])
    versus = f"popularity NDCG@{k} {means[popularity]:.4f}; paired gain {z:.1f} SE"
    if not z > min_z:
        return popularity, (
            f"popularity: the best candidate, {reason}, does not beat it beyond noise "
            f"({versus}, needs > {min_z:g} SE)"
        )
    return best, f"{reason}; {versus}"


def _choose(
    group: str,
    rows: np.ndarray,
    names: list[str],
    recipes: list[Recipe],
    base: int,
    base_reason: str,
    hits: np.ndarray,
    ndcg: np.ndarray,
    params: TrainingParams,
) -> GroupChoice:
    """A group is served the recipe chosen on all validation users unless another candidate beats it on
    this group's own validation users beyond noise (so a small group is never moved by luck)."""
    k, min_z = params.k, params.blend_min_z
    if len(rows) < 2:
        return GroupChoice(group, recipes[base], f"{base_reason} (all validation users)")
    allowed = np.ones(len(names), dtype=bool)
    if (
        not params.popularity_guard
        and "popularity" not in params.families
        and "popularity" in names
    ):
        allowed[names.index("popularity")] = False
    means = np.where(allowed, ndcg[rows].mean(axis=0), -np.inf)
    challenger = int(np.argmax(means > means.max() - 1e-12))
    if challenger != base:
        z = gain_z(ndcg[rows, challenger] - ndcg[rows, base])
        if z > min_z:
            return GroupChoice(
                group,
                recipes[challenger],
                f"{_describe(names[challenger], ndcg[rows, challenger], hits[rows, challenger], k)}: "
                f"beats {names[base]} (chosen on all validation users) on this group by {z:.1f} SE "
                f"(needs > {min_z:g})",
            )
    return GroupChoice(
        group,
        recipes[base],
        f"{base_reason} (all validation users); on this group "
        f"{_describe(names[base], ndcg[rows, base], hits[rows, base], k)}, no candidate beats it "
        f"beyond noise",
    )


def select_families(
    *,
    fit: sp.csr_matrix,
    fit_weights: sp.csr_matrix,
    validation: sp.csr_matrix,
    users: np.ndarray,
    params: TrainingParams,
    lightfm_scores: LightFMScores | None,
) -> Selection:
    """Fit every candidate on `fit`, judge it on `validation` for `users` (rows with validation items),
    and choose a recipe per group (light: at most `params.light_user_threshold` fit interactions)."""
    seconds: dict[str, float] = {}
    fitted: dict[str, list[tuple[dict[str, float], Family]]] = {}
    for family in params.families:
        if family == "lightfm":
            continue
        started = time.perf_counter()
        fitted[family] = _fit_family(family, fit, fit_weights, params)
        seconds[f"fit_{family}"] = round(time.perf_counter() - started, 3)
    if "popularity" not in fitted:
        fitted["popularity"] = _fit_family("popularity", fit, fit_weights, params)
    popularity_rank = _rank_scores(np.diff(fit.tocsc().indptr))
    components: dict[str, Family] = {}
    for family, options in fitted.items():
        for i, (_, model) in enumerate(options):
            components[family if len(options) == 1 else f"{family}:{i}"] = model

    def component(name: str, rows: np.ndarray) -> np.ndarray:
        if name == "lightfm":
            assert lightfm_scores is not None
            return lightfm_scores(rows)
        return components[name].scores(rows, fit[rows])

    started = time.perf_counter()
    singles = [name for name in components if name != "popularity"]
    if "lightfm" in params.families and lightfm_scores is not None:
        singles.insert(0, "lightfm")
    singles.append("popularity")
    gains = dict(
        zip(
            ("hits", "ndcg"),
            _gains(
                [((name, 1.0),) for name in singles],
                component,
                users=users,
                fit=fit,
                validation=validation,
                k=params.k,
                popularity_rank=popularity_rank,
            ),
            strict=True,
        )
    )
    # The best setting stands for its family.
    means = gains["ndcg"].mean(axis=0) if len(users) else np.zeros(len(singles))
    keep: list[int] = []
    chosen_settings: dict[str, dict[str, float]] = {}
    for family in [f for f in KNOWN_FAMILIES if f in params.families or f == "popularity"]:
        cols = [c for c, name in enumerate(singles) if name.split(":")[0] == family]
        if not cols:
            continue
        best = max(cols, key=lambda c: (means[c], -c))
        keep.append(best)
        index = int(singles[best].split(":")[1]) if ":" in singles[best] else 0
        if family in fitted:
            chosen_settings[family] = fitted[family][index][0]
            components[family] = fitted[family][index][1]
        else:
            chosen_settings[family] = {}
        if singles[best] != family:
            components.pop(singles[best], None)
    names = [singles[c].split(":")[0] for c in keep]
    hits, ndcg = gains["hits"][:, keep], gains["ndcg"][:, keep]
    recipes: list[Recipe] = [((name, 1.0),) for name in names]
    # Blends of the best few, in pairs.
    top = [names[c] for c in np.argsort(-ndcg.mean(axis=0), kind="stable")[: params.blend_families]]
    blends: list[Recipe] = [
        ((a, w), (b, round(1.0 - w, 6)))
        for i, a in enumerate(top)
        for b in top[i + 1 :]
        for w in params.blend_weights
    ]
    if blends and len(users):
        blend_hits, blend_ndcg = _gains(
            blends,
            component,
            users=users,
            fit=fit,
            validation=validation,
            k=params.k,
            popularity_rank=popularity_rank,
        )
        hits, ndcg = np.hstack([hits, blend_hits]), np.hstack([ndcg, blend_ndcg])
        recipes += blends
        names += [recipe_name(r) for r in blends]
    seconds["validate"] = round(time.perf_counter() - started, 3)
    counts = np.diff(fit.indptr)[users]
    light = counts <= params.light_user_threshold
    settings = {recipe_name(r): chosen_settings.get(recipe_name(r), {}) for r in recipes}
    choices, figures = [], []
    if len(users):
        base, base_reason = _base_choice(names, recipes, len(keep), hits, ndcg, params)
    else:
        base = names.index("lightfm") if "lightfm" in names else 0
        base_reason = "no validation users"
    for group, mask in (("light", light), ("heavy", ~light)):
        rows = np.flatnonzero(mask)
        choices.append(_choose(group, rows, names, recipes, base, base_reason, hits, ndcg, params))
        figures += [
            dataclasses.replace(f, settings=settings[f.candidate])
            for f in _figures(group, rows, names, hits, ndcg, params.k)
        ]
    used = {name for choice in choices for name, _ in choice.recipe}
    report = SelectionReport(
        k=params.k,
        validation_users=len(users),
        light_threshold=params.light_user_threshold,
        candidates=tuple(figures),
        choices=tuple(choices),
        seconds=tuple(seconds.items()),
        min_z=params.blend_min_z,
    )
    return Selection(
        report=report,
        recipes={choice.group: choice.recipe for choice in choices},
        fitted={name: components[name] for name in used if name in components},
    )


def _rank_scores(counts: np.ndarray) -> np.ndarray:
    order = np.lexsort((np.arange(len(counts)), -counts))
    scores = np.empty(len(counts), dtype=np.float32)
    scores[order] = (len(counts) - np.arange(len(counts))) / max(len(counts), 1)
    return scores


def refit_served(
    selection: Selection,
    matrix: sp.csr_matrix,
    weights: sp.csr_matrix,
    params: TrainingParams,
) -> ServedFamilies:
    """The families the chosen recipes name, refitted on all the training data (ALS warm-started from its
    validation-split fit), with the binary history they score from."""
    families: dict[str, Family] = {"popularity": fit_popularity(matrix)}
    for name, model in selection.fitted.items():
        if isinstance(model, AlsFamily):
            families[name] = fit_als(
                weights,
                factors=model.factors,
                regularisation=model.regularisation,
                alpha=model.alpha,
                iterations=params.als_refit_iterations,
                seed=params.seed,
                num_threads=params.num_threads,
                start=model,
            )
        elif isinstance(model, EaseFamily):
            families[name] = fit_ease(
                matrix, regularisation=model.regularisation, max_items=params.ease_max_items
            )
        elif isinstance(model, ItemKnnFamily):
            families[name] = fit_item_knn(matrix, neighbours=model.neighbours, seed=params.seed)
    history = matrix.tocsr().astype(np.float32)
    history.eliminate_zeros()
    history.data[:] = 1.0
    return ServedFamilies(
        families=families,
        history=history,
        recipes=dict(selection.recipes),
        light_threshold=params.light_user_threshold,
    )
