"""Model selection: every candidate family fitted on the fit part of the training data and judged on the
validation part carved from training (never on test data), per user group.

1. Each family in `params.families` is fitted with each of its settings; the setting with the best mean
   NDCG@k over all validation users stands for the family.
2. Blends: the best `blend_families` candidates (popularity included) are mixed in pairs with each weight in
   `blend_weights` (weighted sums of per-user standardised scores).
3. Each group (light, heavy) gets the candidate with the best mean NDCG@k on its own validation users; ties go
   to the simpler candidate (a single family before a blend, families in `params.families` order). With
   `popularity_guard`, popularity is served instead unless the candidate's paired per-user NDCG@k gain over
   popularity exceeds `blend_min_z` standard errors (the noise test of `training.choose_blend`, without its
   3% hit margin: on FilmTrust real gains of about 5% failed that margin on some validation splits). So no
   group is served a model that validation cannot tell from popularity.
"""

from __future__ import annotations

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


def _choose(
    group: str,
    rows: np.ndarray,
    names: list[str],
    recipes: list[Recipe],
    hits: np.ndarray,
    ndcg: np.ndarray,
    params: TrainingParams,
) -> tuple[GroupChoice, list[CandidateFigures]]:
    k = params.k
    popularity = names.index("popularity") if "popularity" in names else None
    figures = []
    for col, name in enumerate(names):
        z = (
            gain_z(ndcg[rows, col] - ndcg[rows, popularity])
            if popularity is not None and col != popularity
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
    if len(rows) == 0:
        fallback: Recipe = (("lightfm", 1.0),) if "lightfm" in names else recipes[0]
        return GroupChoice(group, fallback, "no validation users in this group"), []
    means = ndcg[rows].mean(axis=0)
    eligible = means.copy()
    if (
        not params.popularity_guard
        and popularity is not None
        and "popularity" not in params.families
    ):
        # A peer benchmark of one family: popularity is only the yardstick, never the choice.
        eligible[popularity] = -np.inf
    best = int(np.argmax(eligible > eligible.max() - 1e-12))
    described = (
        f"{names[best]}: NDCG@{k} {means[best]:.4f}, P@{k} {figures[best].precision:.4f} "
        f"on {len(rows)} validation users, best of {len(names)} candidates"
    )
    if popularity is None or best == popularity:
        return GroupChoice(group, recipes[best], described), figures
    z = gain_z(ndcg[rows, best] - ndcg[rows, popularity])
    versus = f"popularity NDCG@{k} {means[popularity]:.4f}; paired gain {z:.1f} SE"
    if params.popularity_guard and not z > params.blend_min_z:
        return (
            GroupChoice(
                group,
                recipes[popularity],
                f"popularity: the best candidate, {described}, does not beat it beyond noise "
                f"({versus}, needs > {params.blend_min_z:g} SE)",
            ),
            figures,
        )
    return GroupChoice(group, recipes[best], f"{described}; {versus}"), figures


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
    choices, figures = [], []
    for group, mask in (("light", light), ("heavy", ~light)):
        choice, group_figures = _choose(
            group, np.flatnonzero(mask), names, recipes, hits, ndcg, params
        )
        choices.append(choice)
        settings = {recipe_name(r): chosen_settings.get(recipe_name(r), {}) for r in recipes}
        figures += [
            CandidateFigures(
                f.candidate, f.group, f.precision, f.ndcg, f.users, f.gain_z, settings[f.candidate]
            )
            for f in group_figures
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
