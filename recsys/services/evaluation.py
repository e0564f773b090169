"""Judging a new model: against popularity on the same holdout, and against the serving model on the held-out
pairs the serving model never trained on (so it cannot win by memory). The promotion rule lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse as sp
from django.conf import settings

from recsys import core
from recsys.models import ModelVersion
from recsys.services.artifacts import ArtifactUnavailable, model_load, trained_pairs_load

__all__ = ["MIN_SERVING_TEST_USERS", "compare_with_serving", "promotion_decision"]

MIN_SERVING_TEST_USERS = 5


def _serving_scorer(
    serving: core.TrainedModel, dataset: core.Dataset
) -> Callable[[np.ndarray], np.ndarray]:
    """Score the new dataset's users and items with an older model (unknown items rank last)."""
    serving_items = serving.item_index()
    columns = np.array(
        [serving_items.get(key, -1) for key in dataset.item_keys.tolist()], dtype=np.int64
    )
    known = columns >= 0
    serving_users = serving.user_index()
    follows = dataset.user_follows.tocsr()

    def score(rows: np.ndarray) -> np.ndarray:
        vectors = np.zeros((len(rows), serving.no_components), dtype=np.float32)
        biases = np.zeros(len(rows), dtype=np.float32)
        for i, row in enumerate(rows):
            key = dataset.user_keys[row]
            if key in serving_users:
                v, b = serving.user_representations(serving.user_features[[serving_users[key]]])
            else:
                followees = dataset.user_keys[
                    follows.indices[follows.indptr[row] : follows.indptr[row + 1]]
                ]
                v, b = core.user_representation_from_features(serving, followees=followees.tolist())
            vectors[i], biases[i] = v[0], b[0]
        full = core.score_matrix(serving, vectors, biases)
        out = np.full((len(rows), dataset.n_items), np.float32(-1e9), dtype=np.float32)
        out[:, known] = full[:, columns[known]]
        return out

    return score


def _restrict_test(
    dataset: core.Dataset, test: sp.csr_matrix, seen_pairs: set[tuple[str, str]]
) -> sp.csr_matrix:
    coo = test.tocoo()
    keep = np.array(
        [
            (str(dataset.user_keys[r]), str(dataset.item_keys[c])) not in seen_pairs
            for r, c in zip(coo.row.tolist(), coo.col.tolist(), strict=True)
        ],
        dtype=bool,
    )
    return sp.csr_matrix(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=test.shape, dtype=np.float32
    )


def compare_with_serving(
    *,
    serving_version: ModelVersion,
    dataset: core.Dataset,
    model: core.TrainedModel,
    train_matrix: sp.csr_matrix,
    test: sp.csr_matrix,
    k: int,
) -> dict[str, Any] | None:
    """Both models on the held-out pairs the serving model did not train on; None when too few remain."""
    try:
        serving = model_load(serving_version)
    except ArtifactUnavailable:
        return None  # recorded for the dashboard; the candidate is judged against popularity alone
    seen = trained_pairs_load(version=serving_version)
    if serving is None or seen is None:
        return None
    fresh_test = _restrict_test(dataset, test, seen)
    users = np.flatnonzero(np.diff(fresh_test.indptr) > 0)
    if len(users) < MIN_SERVING_TEST_USERS:
        return {"test_users": int(len(users))}
    serving_report = core.evaluate_scores(
        _serving_scorer(serving, dataset), train=train_matrix, test=fresh_test, k=k
    )
    model_report = core.evaluate(model, train=train_matrix, test=fresh_test, k=k)
    return {
        "test_users": int(len(users)),
        "serving": serving_report.as_dict(),
        "model": model_report.as_dict(),
    }


def promotion_decision(metrics: dict[str, Any]) -> tuple[bool, str]:
    """The promotion rule: beat popularity; not worse than serving beyond the tolerance."""
    name = settings.RECSYS_PROMOTION_METRIC
    tolerance = float(settings.RECSYS_PROMOTION_TOLERANCE)
    model_value = metrics["model"]["overall"][name]
    popularity_value = metrics["popularity"]["overall"][name]
    if not model_value > popularity_value:
        return False, f"{name} {model_value:.4f} does not beat popularity {popularity_value:.4f}"
    comparison = metrics.get("serving_comparison")
    if comparison and "serving" in comparison:
        serving_value = comparison["serving"]["overall"][name]
        candidate_value = comparison["model"]["overall"][name]
        if candidate_value < serving_value * (1 - tolerance):
            return False, (
                f"{name} {candidate_value:.4f} is below the serving model's {serving_value:.4f} "
                f"by more than {tolerance:.0%} on {comparison['test_users']} fresh test users"
            )
        return True, (
            f"{name} {model_value:.4f} beats popularity {popularity_value:.4f}; "
            f"{candidate_value:.4f} vs serving {serving_value:.4f} on fresh pairs"
        )
    return True, f"{name} {model_value:.4f} beats popularity {popularity_value:.4f}"
