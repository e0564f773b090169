"""The evaluation protocol and its metrics.

Holdout: every (deduplicated) interaction is a positive; for each user with at least 2 interactions a seeded
random 20% goes to test. Every item is ranked for every test user with the user's training items excluded, and
P@k, R@k, NDCG@k, MAP@k, HR@k and AUC are averaged over users, overall and for users with at most 5 training
interactions. Cold users: 20% of the users who follow someone and have at least 5 interactions are removed from
training entirely and ranked from their follows only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from recsys.core.model import TrainedModel
from recsys.core.scoring import follow_only_representations, score_matrix, top_k_from_scores
from recsys.core.types import EvaluationReport, Metrics, TrainingParams

__all__ = [
    "ProtocolResult",
    "cold_user_split",
    "evaluate",
    "evaluate_popularity",
    "evaluate_scores",
    "holdout_split",
    "run_cold_protocol",
    "run_protocol",
]

ScoreFunction = Callable[[np.ndarray], np.ndarray]


def holdout_split(
    interactions: sp.csr_matrix,
    weights: sp.csr_matrix | None = None,
    *,
    test_fraction: float = 0.2,
    min_interactions: int = 2,
    seed: int = 0,
) -> tuple[sp.csr_matrix, sp.csr_matrix, sp.csr_matrix]:
    """(train interactions, train weights, test interactions): per user with at least `min_interactions`,
    `max(1, round(test_fraction * n))` random interactions (seeded) go to test."""
    matrix = interactions.tocsr().copy()
    matrix.sort_indices()
    weight_matrix = (weights if weights is not None else matrix).tocsr().copy()
    weight_matrix.sort_indices()
    counts = np.diff(matrix.indptr)
    n_test = np.where(
        counts >= min_interactions,
        np.minimum(np.maximum(1, np.rint(test_fraction * counts)), counts - 1),
        0,
    ).astype(np.int64)
    rng = np.random.default_rng(seed)
    row_of = np.repeat(np.arange(matrix.shape[0]), counts)
    keys = rng.random(matrix.nnz)
    order = np.lexsort((keys, row_of))
    position = np.empty(matrix.nnz, dtype=np.int64)
    position[order] = np.arange(matrix.nnz) - matrix.indptr[row_of[order]]
    to_test = position < n_test[row_of]
    return _mask(matrix, ~to_test), _mask(weight_matrix, ~to_test), _mask(matrix, to_test)


def _mask(matrix: sp.csr_matrix, keep: np.ndarray) -> sp.csr_matrix:
    coo = matrix.tocoo()
    return sp.csr_matrix(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape, dtype=np.float32
    )


def cold_user_split(
    interactions: sp.csr_matrix,
    follows: sp.csr_matrix,
    *,
    fraction: float = 0.2,
    min_interactions: int = 5,
    seed: int = 0,
) -> np.ndarray:
    """Rows of the cold users: a seeded `fraction` of users who follow someone and have at least
    `min_interactions` interactions."""
    counts = np.diff(interactions.tocsr().indptr)
    follows_someone = np.diff(follows.tocsr().indptr) > 0
    eligible = np.flatnonzero(follows_someone & (counts >= min_interactions))
    rng = np.random.default_rng(seed)
    n_cold = int(round(fraction * len(eligible)))
    return np.sort(rng.choice(eligible, size=n_cold, replace=False)) if n_cold else eligible[:0]


def _metrics(values: dict[str, list[float]], rows: np.ndarray) -> Metrics:
    if len(rows) == 0:
        return Metrics(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    return Metrics(
        *(
            float(np.mean(np.asarray(values[name])[rows]))
            for name in ("p", "r", "ndcg", "map", "hr", "auc")
        ),
        n_users=len(rows),
    )


def evaluate_scores(
    score: ScoreFunction,
    *,
    train: sp.csr_matrix,
    test: sp.csr_matrix,
    k: int = 10,
    light_threshold: int = 5,
    users: np.ndarray | None = None,
    chunk_size: int = 1024,
) -> EvaluationReport:
    """Evaluate any scorer: `score(user_rows) -> dense scores (len(user_rows) x n_items)`."""
    train, test = train.tocsr(), test.tocsr()
    if users is None:
        users = np.flatnonzero(np.diff(test.indptr) > 0)
    users = np.asarray(users, dtype=np.int64)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    values: dict[str, list[float]] = {m: [] for m in ("p", "r", "ndcg", "map", "hr", "auc")}
    for start in range(0, len(users), chunk_size):
        chunk = users[start : start + chunk_size]
        scores = np.asarray(score(chunk), dtype=np.float32)
        train_chunk = train[chunk]
        rows = np.repeat(np.arange(len(chunk)), np.diff(train_chunk.indptr))
        scores[rows, train_chunk.indices] = -np.inf
        top, _ = top_k_from_scores(scores, k)
        for i, user in enumerate(chunk):
            positives = test.indices[test.indptr[user] : test.indptr[user + 1]]
            n_pos = len(positives)
            hits = np.isin(top[i], positives)
            n_hits = hits.sum()
            values["p"].append(n_hits / k)
            values["r"].append(n_hits / n_pos)
            values["hr"].append(float(n_hits > 0))
            ideal = discounts[: min(n_pos, k)].sum()
            values["ndcg"].append(float((hits * discounts).sum() / ideal))
            precision_at = np.cumsum(hits) / np.arange(1, k + 1)
            values["map"].append(float((precision_at * hits).sum() / min(n_pos, k)))
            row = scores[i]
            candidates = np.isfinite(row)
            n_neg = candidates.sum() - n_pos
            if n_neg <= 0:
                values["auc"].append(1.0)
                continue
            pos_scores = row[positives]
            higher = (row[None, candidates] > pos_scores[:, None]).sum(axis=1)
            ties = (row[None, candidates] == pos_scores[:, None]).sum(axis=1) - 1
            # Positives ranked above a positive are not negatives: remove them from the count.
            higher_pos = (pos_scores[None, :] > pos_scores[:, None]).sum(axis=1)
            below = n_neg - (higher - higher_pos) - 0.5 * np.maximum(ties, 0)
            values["auc"].append(float(np.mean(below / n_neg)))
    counts = np.diff(train.indptr)[users]
    everyone = np.arange(len(users))
    light = np.flatnonzero(counts <= light_threshold)
    return EvaluationReport(
        k=k,
        overall=_metrics(values, everyone),
        light_users=_metrics(values, light),
        light_threshold=light_threshold,
    )


def evaluate(
    model: TrainedModel,
    *,
    train: sp.csr_matrix,
    test: sp.csr_matrix,
    k: int = 10,
    blend: bool = True,
    light_threshold: int = 5,
) -> EvaluationReport:
    """A trained model on a holdout: full ranking over all items with training items excluded."""

    def score(rows: np.ndarray) -> np.ndarray:
        vectors, biases = model.user_representations(model.user_features[rows])
        weights = model.blend.weights_for_counts(np.diff(train.indptr)[rows]) if blend else None
        return score_matrix(model, vectors, biases, blend_weights=weights)

    return evaluate_scores(score, train=train, test=test, k=k, light_threshold=light_threshold)


def popularity_scores(train: sp.csr_matrix) -> np.ndarray:
    """Items ranked by training interaction count, ties to the lower item row."""
    counts = np.asarray((train > 0).sum(axis=0), dtype=np.float64).ravel()
    order = np.lexsort((np.arange(len(counts)), -counts))
    scores = np.empty(len(counts), dtype=np.float32)
    # Distinct values (exact in float32), so ties never depend on how a partial sort breaks them.
    scores[order] = (len(counts) - np.arange(len(counts))) / max(len(counts), 1)
    return scores


def evaluate_popularity(
    *, train: sp.csr_matrix, test: sp.csr_matrix, k: int = 10, users: np.ndarray | None = None
) -> EvaluationReport:
    """The most-interacted items for everyone (training items excluded)."""
    popularity = popularity_scores(train)
    return evaluate_scores(
        lambda rows: np.tile(popularity, (len(rows), 1)), train=train, test=test, k=k, users=users
    )


@dataclass(frozen=True)
class ProtocolResult:
    """Reports by name (`model`, `identity_only`, `popularity`) for the warm and cold runs, plus counts."""

    warm: dict[str, EvaluationReport]
    cold: dict[str, EvaluationReport] = field(default_factory=dict)
    counts: dict[str, Any] = field(default_factory=dict)
    validation: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "warm": {name: report.as_dict() for name, report in self.warm.items()},
            "cold": {name: report.as_dict() for name, report in self.cold.items()},
            "counts": self.counts,
            "validation": self.validation,
        }


def run_protocol(
    dataset: Any,
    params: TrainingParams | None = None,
    *,
    seed: int = 0,
    k: int = 10,
    identity_only_baseline: bool = True,
    cold: bool = True,
) -> ProtocolResult:
    """The warm holdout (model, identity-only LightFM, popularity) and, when the data has follows, the
    cold-user run. Training uses only the training split (its own validation split comes out of it)."""
    from recsys.core.dataset import identity_only
    from recsys.core.training import train as train_model

    params = (params or dataset.params).replace(seed=seed)
    train_matrix, train_weights, test = holdout_split(
        dataset.interactions, dataset.weights, seed=seed
    )
    split = dataset.with_interactions(train_matrix, train_weights)
    model = train_model(split, params)
    warm = {"model": evaluate(model, train=train_matrix, test=test, k=k)}
    if identity_only_baseline:
        plain = train_model(identity_only(split), params.replace(tune_blend=False))
        warm["identity_only"] = evaluate(plain, train=train_matrix, test=test, k=k, blend=False)
    warm["popularity"] = evaluate_popularity(train=train_matrix, test=test, k=k)
    result = ProtocolResult(
        warm=warm,
        counts={
            "users": dataset.n_users,
            "items": dataset.n_items,
            "interactions": int(dataset.interactions.nnz),
            "train": int(train_matrix.nnz),
            "test": int(test.nnz),
            "test_users": int((np.diff(test.indptr) > 0).sum()),
        },
        validation={
            "best_epoch": model.best_epoch,
            "epochs_run": model.epochs_run,
            "curve": list(model.validation_curve),
            "blend": model.blend.__dict__,
            "followee_taste_weight": model.followee_taste_weight,
        },
    )
    if cold and dataset.user_follows.nnz:
        cold_reports, cold_counts = run_cold_protocol(
            dataset, params, seed=seed, k=k, identity_only_baseline=identity_only_baseline
        )
        result.cold.update(cold_reports)
        result.counts.update(cold_counts)
    return result


def run_cold_protocol(
    dataset: Any,
    params: TrainingParams,
    *,
    seed: int = 0,
    k: int = 10,
    identity_only_baseline: bool = True,
) -> tuple[dict[str, EvaluationReport], dict[str, int]]:
    """Cold users removed from training entirely, then ranked from their follows only (all their
    interactions are the test set; nothing is excluded)."""
    from recsys.core.dataset import identity_only
    from recsys.core.training import train as train_model

    cold_rows = cold_user_split(dataset.interactions, dataset.user_follows, seed=seed)
    if len(cold_rows) == 0:
        return {}, {"cold_users": 0}
    keep = np.ones(dataset.n_users, dtype=bool)
    keep[cold_rows] = False
    keep_diag = sp.diags(keep.astype(np.float32))
    train_matrix = (keep_diag @ dataset.interactions).tocsr()
    train_weights = (keep_diag @ dataset.weights).tocsr()
    train_matrix.eliminate_zeros()
    train_weights.eliminate_zeros()
    test = (sp.diags((~keep).astype(np.float32)) @ dataset.interactions).tocsr()
    test.eliminate_zeros()
    split = dataset.with_interactions(train_matrix, train_weights)
    model = train_model(split, params)

    def scorer(model_: TrainedModel, blend: bool) -> ScoreFunction:
        def score(rows: np.ndarray) -> np.ndarray:
            vectors, biases = follow_only_representations(
                model_, follows=dataset.user_follows, user_keys=dataset.user_keys, rows=rows
            )
            weights = np.full(len(rows), model_.blend.cold_weight) if blend else None
            return score_matrix(model_, vectors, biases, blend_weights=weights)

        return score

    reports = {
        "model": evaluate_scores(
            scorer(model, True), train=train_matrix, test=test, k=k, users=cold_rows
        )
    }
    if identity_only_baseline:
        plain = train_model(identity_only(split), params.replace(tune_blend=False))
        plain = _without_followee_taste(plain)
        reports["identity_only"] = evaluate_scores(
            scorer(plain, False), train=train_matrix, test=test, k=k, users=cold_rows
        )
    reports["popularity"] = evaluate_popularity(train=train_matrix, test=test, k=k, users=cold_rows)
    return reports, {"cold_users": len(cold_rows)}


def _without_followee_taste(model: TrainedModel) -> TrainedModel:
    import dataclasses

    return dataclasses.replace(model, followee_taste_weight=0.0)
