"""The evaluation protocol and its metrics.

Holdout: every (deduplicated) interaction is a positive; for each user with at least 2 interactions a seeded
random 20% goes to test. Every item is ranked for every test user with the user's training items excluded, and
P@k, R@k, NDCG@k, MAP@k, HR@k and AUC are averaged over users, overall and for users with at most 5 training
interactions. Cold users: 20% of the users who follow someone and have at least 5 interactions are removed from
training entirely and ranked from their follows only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from recsys.core.model import TrainedModel
from recsys.core.scoring import score_matrix, top_k_from_scores
from recsys.core.splits import cold_user_split, holdout_split
from recsys.core.types import EvaluationReport, Metrics

__all__ = [
    "cold_user_split",
    "evaluate",
    "evaluate_popularity",
    "evaluate_scores",
    "holdout_split",
    "popularity_scores",
]

ScoreFunction = Callable[[np.ndarray], np.ndarray]


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
