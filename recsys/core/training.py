"""Training: LightFM (WARP by default) with early stopping on a validation split, then a refit on all data.

A per-user random `validation_fraction` of the training interactions is held back; after each epoch the model's
precision@k on it is recorded (the validation curve) and the best epoch's arrays are snapshotted; training stops
after `patience` epochs without improvement and the snapshot is restored. The popularity blend (for users with
little history, for everyone when popularity wins) and the weight given to followees' own taste for cold users
are chosen on validation data, never on test data: the cold part holds back a few users who follow someone and
scores them from their follows only. Then the validation interactions are given back: by default (`refit="continue"`) the best-epoch model trains
`refit_epochs` more epochs on all the data; `refit="full"` trains a fresh model with the same seed for the best
number of epochs on everything (about twice the time); `refit="none"` keeps the best-epoch model.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import scipy.sparse as sp

from recsys.core import lightfm_backend as backend
from recsys.core.candidates import (
    Selection,
    gain_z,
    refit_served,
    select_families,
)
from recsys.core.evaluation import user_gains
from recsys.core.model import TrainedModel
from recsys.core.representations import follow_only_representations
from recsys.core.scoring import (
    _lightfm_rows,
    _popularity_rank_score,
    _popularity_z,
    chunk_rows,
    score_matrix,
    standardised_scores,
)
from recsys.core.selection import CandidateFigures, GroupChoice
from recsys.core.splits import cold_user_split, holdout_split
from recsys.core.types import Dataset, PopularityBlend, TrainingParams

__all__ = ["BLEND_GRID", "REFIT_MODES", "TASTE_GRID", "choose_blend", "refit", "train"]

BLEND_GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 1000.0)
POPULARITY_MARGIN = 0.03
TASTE_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)
REFIT_MODES = ("continue", "full", "none")


def _prepared(matrix: sp.csr_matrix, weights: sp.csr_matrix, params: TrainingParams):
    coo = weights.tocoo()
    interactions = sp.coo_matrix(
        (np.ones(coo.nnz, dtype=np.float32), (coo.row, coo.col)), shape=weights.shape
    )
    if not params.use_sample_weights or coo.nnz == 0:
        return interactions, None
    data = coo.data.astype(np.float32)
    data = data / data.mean()
    return interactions, sp.coo_matrix((data, (coo.row, coo.col)), shape=weights.shape)


def _assemble(
    lightfm,
    dataset: Dataset,
    train_matrix: sp.csr_matrix,
    params: TrainingParams,
    *,
    centroids: bool = True,
    **extra,
) -> TrainedModel:
    user_emb, user_bias, item_emb, item_bias = backend.model_arrays(lightfm)
    item_features = dataset.item_features.astype(np.float32)
    item_repr = np.asarray(item_features @ item_emb, dtype=np.float32)
    item_b = np.asarray(item_features @ item_bias, dtype=np.float32).ravel()
    model = TrainedModel(
        params=params,
        lightfm=lightfm,
        user_keys=dataset.user_keys,
        item_keys=dataset.item_keys,
        user_features=dataset.user_features,
        item_features=dataset.item_features,
        user_feature_names=dataset.user_feature_names,
        item_feature_names=dataset.item_feature_names,
        user_feature_embeddings=np.asarray(user_emb, dtype=np.float32),
        user_feature_biases=np.asarray(user_bias, dtype=np.float32),
        item_representations=item_repr,
        item_biases=item_b,
        user_train_counts=np.diff(train_matrix.tocsr().indptr).astype(np.int64),
        item_popularity=np.asarray((train_matrix > 0).sum(axis=0)).ravel().astype(np.int64),
        user_follows=dataset.user_follows,
        **extra,
    )
    if not centroids:
        return model
    return dataclasses.replace(model, category_centroids=_category_centroids(model, train_matrix))


def _category_centroids(
    model: TrainedModel, train_matrix: sp.csr_matrix
) -> dict[str, tuple[np.ndarray, float]]:
    cols = [c for c, name in enumerate(model.item_feature_names) if name.startswith("category:")]
    if not cols:
        return {}
    users = np.flatnonzero(np.diff(train_matrix.indptr) > 0)
    if len(users) == 0:
        return {}
    membership = (model.item_features[:, cols] > 0).astype(np.float32)
    user_cat = ((train_matrix[users] > 0).astype(np.float32) @ membership).tocsc()
    vectors, biases = model.user_representations(model.user_features[users])
    centroids = {}
    for j, col in enumerate(cols):
        start, stop = user_cat.indptr[j], user_cat.indptr[j + 1]
        if start == stop:
            continue
        rows, weight = user_cat.indices[start:stop], user_cat.data[start:stop]
        weight = weight / weight.sum()
        centroids[model.item_feature_names[col][len("category:") :]] = (
            (weight[:, None] * vectors[rows]).sum(axis=0).astype(np.float32),
            float((weight * biases[rows]).sum()),
        )
    return centroids


def _hits(scores: np.ndarray, exclude: sp.csr_matrix | None, truth: sp.csr_matrix, k: int) -> float:
    """Number of top-k items (excluded ones removed) that are in `truth` (rows aligned with `scores`)."""
    # `scores` is a fresh block: excluded entries are overwritten in place (no 100k-column copy).
    return float(user_gains(scores, exclude, truth, k, copy=False)[0].sum())


def _precision(model: TrainedModel, fit: sp.csr_matrix, validation: sp.csr_matrix, users, k):
    """Mean precision@k on the validation split (vectorised: this runs after every epoch)."""
    vectors, biases = model.user_representations(model.user_features[users])
    hits = 0.0
    # Blocks of at most 16 M scores (64 MB): a 100,000-item catalogue never holds all users' rows at once.
    step = chunk_rows(model.n_items, 1024, budget=1 << 24)
    for start in range(0, len(users), step):
        chunk = users[start : start + step]
        scores = score_matrix(model, vectors[start : start + step], biases[start : start + step])
        hits += _hits(scores, fit[chunk], validation[chunk], k)
    return hits / (k * max(len(users), 1))


def choose_blend(hits: np.ndarray, dcg: np.ndarray, *, min_z: float = 2.0) -> int:
    """Index in `BLEND_GRID` to serve, from validation hits and DCG@k per user (rows) and weight (columns).

    The weight with the most hits wins (ties: the smaller weight), but popularity alone (the last column) is
    served unless that weight beats it clearly: by `POPULARITY_MARGIN` relative in hits, and in DCG@k by more
    than `min_z` standard errors of the paired per-user difference. A model with no signal beyond popularity
    still beats it on some validation split by chance (the best of several weights even more often); serving
    popularity then ties it exactly on new data instead of falling a little below it. The test is on DCG@k, a
    top-k measure that also sees where in the list the held-out items land, because hit counts alone are
    too coarse to tell a real gain from luck on a small shop's few validation users.
    """
    totals = hits.sum(axis=0)
    best = int(np.argmax(totals > totals.max() - 1e-9))
    popularity_only = hits.shape[1] - 1
    if best == popularity_only or len(hits) < 2:
        return popularity_only
    if totals[best] <= totals[popularity_only] * (1 + POPULARITY_MARGIN):
        return popularity_only
    gain = dcg[:, best] - dcg[:, popularity_only]
    if gain.mean() <= min_z * gain.std(ddof=1) / np.sqrt(len(gain)):
        return popularity_only
    return best


def _best_blend(model, vectors, biases, exclude, truth, k, min_z) -> tuple[float, float]:
    """(weight, precision@k) of the popularity blend weight `choose_blend` picks for these users.

    Per block: the raw and the standardised scores are one product each (`standardised_scores` takes the
    moments from the items, no pass over the block); each weight then adds popularity into one scratch
    block, which is ranked in place (no copies)."""
    popularity = _popularity_z(model)
    popularity_only = _popularity_rank_score(model)
    n = len(vectors)
    hits = np.zeros((n, len(BLEND_GRID)))
    dcg = np.zeros((n, len(BLEND_GRID)))
    step = chunk_rows(model.n_items, 1024, budget=1 << 23)
    for start in range(0, n, step):
        stop = min(start + step, n)
        chunk_exclude = None if exclude is None else exclude[start:stop]
        chunk_truth = truth[start:stop]
        standard = standardised_scores(model, vectors[start:stop], biases[start:stop])
        scratch = np.empty_like(standard)
        for i, weight in enumerate(BLEND_GRID):
            if weight == 0:
                scores = score_matrix(model, vectors[start:stop], biases[start:stop])
            elif weight >= 1000:
                scratch[:] = popularity_only[None, :]
                scores = scratch
            else:
                np.add(standard, np.float32(weight) * popularity[None, :], out=scratch)
                scores = scratch
            hits[start:stop, i], dcg[start:stop, i] = user_gains(
                scores, chunk_exclude, chunk_truth, k, copy=False
            )
    best = choose_blend(hits, dcg, min_z=min_z)
    return BLEND_GRID[best], hits[:, best].sum() / (k * max(n, 1))


def _fit(dataset, fit_matrix, fit_weights, params, epochs: int, lightfm=None):
    lightfm = lightfm or backend.new_model(
        no_components=params.no_components,
        loss=params.loss,
        learning_rate=params.learning_rate,
        item_alpha=params.item_alpha,
        user_alpha=params.user_alpha,
        max_sampled=params.max_sampled,
        seed=params.seed,
    )
    interactions, weights = _prepared(fit_matrix, fit_weights, params)
    for _ in range(epochs):
        backend.fit_epoch(
            lightfm,
            interactions=interactions,
            sample_weight=weights,
            user_features=dataset.user_features,
            item_features=dataset.item_features,
            num_threads=params.num_threads,
        )
    return lightfm


def _tune_blend(model, fit, validation, users, params) -> tuple[float, float]:
    """Blend weights for light (at most `light_user_threshold` training items) and heavy users."""
    counts = np.diff(fit.indptr)[users]
    chosen = []
    for group in (
        users[counts <= params.light_user_threshold],
        users[counts > params.light_user_threshold],
    ):
        if len(group) == 0:
            chosen.append(0.0)
            continue
        vectors, biases = model.user_representations(model.user_features[group])
        weight, _ = _best_blend(
            model, vectors, biases, fit[group], validation[group], params.k, params.blend_min_z
        )
        chosen.append(weight)
    return chosen[0], chosen[1]


def _tune_cold(model, dataset, fit, cold_rows, params) -> tuple[float, float]:
    """Choose the followee-taste weight and the cold blend on held-back users who follow someone."""
    truth = dataset.interactions[cold_rows]
    best = (0.0, 0.0, -1.0)
    for taste in TASTE_GRID:
        candidate = dataclasses.replace(model, followee_taste_weight=taste)
        vectors, biases = follow_only_representations(
            candidate, follows=dataset.user_follows, user_keys=dataset.user_keys, rows=cold_rows
        )
        weight, value = _best_blend(
            candidate, vectors, biases, None, truth, params.k, params.blend_min_z
        )
        if value > best[2] + 1e-9:
            best = (taste, weight, value)
    return best[0], best[1]


def _cold_selection(
    model: TrainedModel, dataset: Dataset, cold_rows: np.ndarray, params: TrainingParams
) -> tuple[list[CandidateFigures], GroupChoice]:
    """Validation figures of the cold group: the LightFM hybrid from follows (with its chosen taste weight
    and cold blend) against popularity, on the held-back cold users."""
    truth = dataset.interactions[cold_rows]
    vectors, biases = follow_only_representations(
        model, follows=dataset.user_follows, user_keys=dataset.user_keys, rows=cold_rows
    )
    k = params.k
    ideal = np.concatenate([[1.0], np.cumsum(1.0 / np.log2(np.arange(2, k + 2)))])[
        np.minimum(np.diff(truth.indptr), k)
    ]
    blocks = {
        "lightfm": lambda: score_matrix(model, vectors, biases),
        "served": lambda: score_matrix(
            model, vectors, biases, blend_weights=np.full(len(cold_rows), model.blend.cold_weight)
        ),
        "popularity": lambda: np.tile(_popularity_rank_score(model), (len(cold_rows), 1)),
    }
    figures, columns = [], {}
    for name, block in blocks.items():
        # One dense block alive at a time (each is cold users x catalogue).
        hits, dcg = user_gains(block(), None, truth, k, copy=False)
        columns[name] = (hits, dcg / ideal)
    for name in ("lightfm", "popularity"):
        hits, ndcg = columns[name]
        z = gain_z(ndcg - columns["popularity"][1]) if name != "popularity" else 0.0
        figures.append(
            CandidateFigures(
                candidate=name,
                group="cold",
                precision=round(float(hits.sum() / (k * len(cold_rows))), 6),
                ndcg=round(float(ndcg.mean()), 6),
                users=len(cold_rows),
                gain_z=round(z, 3) if np.isfinite(z) else 99.0,
                settings={"followee_taste_weight": model.followee_taste_weight},
            )
        )
    weight = model.blend.cold_weight
    if weight >= 1000:
        recipe: tuple[tuple[str, float], ...] = (("popularity", 1.0),)
        reason = (
            f"popularity: the LightFM hybrid from follows does not beat it beyond noise "
            f"(needs > {params.blend_min_z:g} SE on {len(cold_rows)} held-back users who follow someone)"
        )
    else:
        recipe = (("lightfm", 1.0),)
        hits, ndcg = columns["served"]
        reason = (
            f"lightfm from follows with popularity weight {weight:g}: NDCG@{k} {ndcg.mean():.4f} vs "
            f"popularity {columns['popularity'][1].mean():.4f} on {len(cold_rows)} held-back users"
        )
    return figures, GroupChoice("cold", recipe, reason)


def _with_selection(
    model: TrainedModel,
    selection: Selection | None,
    cold: tuple[list[CandidateFigures], GroupChoice] | None,
    dataset: Dataset,
    params: TrainingParams,
    seconds: dict[str, float],
) -> TrainedModel:
    """The final model with the chosen families refitted on all data and the selection report."""
    if selection is None:
        return model
    started = time.perf_counter()
    served = refit_served(selection, dataset.interactions, dataset.weights, params)
    seconds["refit_families"] = round(time.perf_counter() - started, 3)
    report = selection.report
    figures, choices = list(report.candidates), list(report.choices)
    if cold is not None:
        figures += cold[0]
        choices.append(cold[1])
    report = dataclasses.replace(
        report,
        candidates=tuple(figures),
        choices=tuple(choices),
        seconds=tuple({**dict(report.seconds), **seconds}.items()),
    )
    return dataclasses.replace(model, served=served, selection=report)


def train(dataset: Dataset, params: TrainingParams | None = None) -> TrainedModel:
    """Train the LightFM hybrid and the other candidate families, and choose per user group on a validation
    split carved from `dataset.interactions` (weighted by `dataset.weights`).

    Returns a `TrainedModel` with the LightFM validation curve (precision@k per epoch), the best epoch, the
    chosen popularity blend and followee-taste weight, the served families with each group's recipe
    (`served`), the `selection` report, and timings. Same data, params and seed with `num_threads=1` give the
    same model. Without a validation split (`validation_fraction=0`) only the LightFM hybrid is served.
    """
    params = params or dataset.params
    if params.refit not in REFIT_MODES:
        raise ValueError(f"unknown refit mode {params.refit!r}, expected one of {REFIT_MODES}")
    started = time.perf_counter()
    matrix, weights = dataset.interactions.tocsr(), dataset.weights.tocsr()
    curve: list[float] = []
    best_epoch = params.max_epochs
    blend = PopularityBlend(light_threshold=params.light_user_threshold)
    taste = 0.5 if dataset.user_follows.nnz else 0.0
    epochs_run = 0
    seconds: dict[str, float] = {}
    if params.validation_fraction > 0 and matrix.nnz:
        cold_rows = np.array([], dtype=np.int64)
        if params.tune_blend and dataset.user_follows.nnz and params.cold_validation_fraction > 0:
            cold_rows = cold_user_split(
                matrix,
                dataset.user_follows,
                fraction=params.cold_validation_fraction,
                seed=params.seed + 1,
            )
            max_cold = max(100, params.validation_max_scores // (4 * max(dataset.n_items, 1)))
            if len(cold_rows) > max_cold:
                cold_rows = np.sort(
                    np.random.default_rng(params.seed + 4).choice(
                        cold_rows, max_cold, replace=False
                    )
                )
        keep = np.ones(dataset.n_users, dtype=bool)
        keep[cold_rows] = False
        keep_diag = sp.diags(keep.astype(np.float32))
        warm_matrix = (keep_diag @ matrix).tocsr()
        warm_weights = (keep_diag @ weights).tocsr()
        warm_matrix.eliminate_zeros()
        warm_weights.eliminate_zeros()
        fit, fit_weights, validation = holdout_split(
            warm_matrix,
            warm_weights,
            test_fraction=params.validation_fraction,
            seed=params.seed + 2,
        )
        users = np.flatnonzero(np.diff(validation.indptr) > 0)
        max_users = min(
            params.validation_max_users,
            max(300, params.validation_max_scores // max(dataset.n_items, 1)),
        )
        if len(users) > max_users:
            users = np.sort(
                np.random.default_rng(params.seed + 3).choice(users, max_users, replace=False)
            )
        step = time.perf_counter()
        lightfm = _fit(dataset, fit, fit_weights, params, 0)
        best_state, best_value, since_best = None, -1.0, 0
        for epoch in range(1, params.max_epochs + 1):
            _fit(dataset, fit, fit_weights, params, 1, lightfm)
            epochs_run = epoch
            value = _precision(
                _assemble(lightfm, dataset, fit, params, centroids=False),
                fit,
                validation,
                users,
                params.k,
            )
            curve.append(round(float(value), 6))
            if value > best_value + 1e-9:
                best_value, best_epoch, since_best = value, epoch, 0
                best_state = backend.snapshot_state(lightfm)
            else:
                since_best += 1
                if since_best >= params.patience and epoch >= params.min_epochs:
                    break
        assert best_state is not None  # max_epochs >= 1: the first epoch is always the best so far
        backend.restore_state(lightfm, best_state)
        validated = _assemble(lightfm, dataset, fit, params)
        seconds["fit_lightfm"] = round(time.perf_counter() - step, 3)
        step = time.perf_counter()
        cold: tuple[list[CandidateFigures], GroupChoice] | None = None
        if params.tune_blend:
            light_w, heavy_w = _tune_blend(validated, fit, validation, users, params)
            cold_w = light_w
            if len(cold_rows):
                taste, cold_w = _tune_cold(validated, dataset, fit, cold_rows, params)
            blend = PopularityBlend(light_w, heavy_w, cold_w, params.light_user_threshold)
            if len(cold_rows):
                cold = _cold_selection(
                    dataclasses.replace(validated, blend=blend, followee_taste_weight=taste),
                    dataset,
                    cold_rows,
                    params,
                )
        seconds["tune_lightfm_blend"] = round(time.perf_counter() - step, 3)
        scored = dataclasses.replace(validated, blend=blend)
        selection = select_families(
            fit=fit,
            fit_weights=fit_weights,
            validation=validation,
            users=users,
            params=params,
            lightfm_scores=lambda rows: _lightfm_rows(scored, rows),
        )
        step = time.perf_counter()
        if params.refit == "none":
            final = _assemble(
                lightfm,
                dataset,
                matrix,
                params,
                **_extra(blend, taste, curve, best_epoch, epochs_run),
            )
        elif params.refit == "continue":
            # The best-epoch model has not seen the validation interactions: a short pass over all the data
            # teaches it those, for a fraction of the cost of training a fresh model from scratch.
            _fit(dataset, matrix, weights, params, params.refit_epochs, lightfm)
            final = _assemble(
                lightfm,
                dataset,
                matrix,
                params,
                **_extra(blend, taste, curve, best_epoch, epochs_run + params.refit_epochs),
            )
        else:
            lightfm = _fit(dataset, matrix, weights, params, best_epoch)
            final = _assemble(
                lightfm,
                dataset,
                matrix,
                params,
                **_extra(blend, taste, curve, best_epoch, epochs_run + best_epoch),
            )
        seconds["refit_lightfm"] = round(time.perf_counter() - step, 3)
        final = _with_selection(final, selection, cold, dataset, params, seconds)
        return dataclasses.replace(
            final, train_seconds=time.perf_counter() - started, counts=_counts(dataset)
        )
    lightfm = _fit(dataset, matrix, weights, params, best_epoch)
    return _assemble(
        lightfm,
        dataset,
        matrix,
        params,
        **_extra(blend, taste, curve, best_epoch, epochs_run + best_epoch),
        train_seconds=time.perf_counter() - started,
        counts=_counts(dataset),
    )


def refit(
    model: TrainedModel, dataset: Dataset, params: TrainingParams | None = None
) -> TrainedModel:
    """`model` (from `train` on part of `dataset`'s interactions, e.g. a holdout split) brought up to all of
    `dataset` without choosing again: a warm start. Its LightFM hybrid trains `refit_epochs` more epochs on
    everything (`refit="continue"`, continuing `model.lightfm` in place: do not score with `model`
    afterwards; `"full"`: a fresh model for the best epoch count; `"none"`: as it is), and the families
    its recipes name are refitted on everything with the settings chosen on validation (ALS warm-started).
    The blend weights, followee taste, recipes and selection report are kept. About a tenth of the time of
    a second `train`, which would repeat early stopping and model selection on nearly the same data.
    """
    params = params or model.params
    if dataset.n_users != model.n_users or dataset.n_items != model.n_items:
        raise ValueError(
            "refit needs the dataset the model was trained on (same shoppers and products)"
        )
    started = time.perf_counter()
    matrix, weights = dataset.interactions.tocsr(), dataset.weights.tocsr()
    seconds: dict[str, float] = {}
    lightfm, extra_epochs = model.lightfm, params.refit_epochs
    if params.refit == "full":
        # As `train` does for this mode: a fresh model, the validated number of epochs, on everything.
        lightfm, extra_epochs = (
            _fit(dataset, matrix, weights, params, model.best_epoch),
            model.best_epoch,
        )
    elif params.refit == "none":
        extra_epochs = 0
    else:
        _fit(dataset, matrix, weights, params, extra_epochs, lightfm)
    final = _assemble(
        lightfm,
        dataset,
        matrix,
        params,
        **_extra(
            model.blend,
            model.followee_taste_weight,
            list(model.validation_curve),
            model.best_epoch,
            model.epochs_run + extra_epochs,
        ),
    )
    seconds["refit_lightfm"] = round(time.perf_counter() - started, 3)
    if model.served is not None and model.selection is not None:
        step = time.perf_counter()
        selection = Selection(
            report=model.selection,
            recipes=dict(model.served.recipes),
            fitted={n: f for n, f in model.served.families.items() if n != "popularity"},
        )
        served = refit_served(selection, matrix, weights, params)
        seconds["refit_families"] = round(time.perf_counter() - step, 3)
        report = dataclasses.replace(
            model.selection,
            seconds=tuple({**dict(model.selection.seconds), **seconds}.items()),
        )
        final = dataclasses.replace(final, served=served, selection=report)
    return dataclasses.replace(
        final, train_seconds=time.perf_counter() - started, counts=_counts(dataset)
    )


def _extra(blend, taste, curve, best_epoch, epochs_run) -> dict:
    return {
        "blend": blend,
        "followee_taste_weight": taste,
        "validation_curve": tuple(curve),
        "best_epoch": best_epoch,
        "epochs_run": epochs_run,
    }


def _counts(dataset: Dataset) -> dict[str, int]:
    return {
        "users": dataset.n_users,
        "items": dataset.n_items,
        "interactions": int(dataset.interactions.nnz),
        "user_features": len(dataset.user_feature_names),
        "item_features": len(dataset.item_feature_names),
        "follows": int(dataset.user_follows.nnz),
    }
