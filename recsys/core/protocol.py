"""The benchmark protocol: the warm holdout (model, identity-only LightFM, popularity) and the cold-user run.

Training sees only the training split (its own validation split comes out of it); test data is only scored.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from recsys.core.dataset import identity_only
from recsys.core.evaluation import ScoreFunction, evaluate, evaluate_popularity, evaluate_scores
from recsys.core.model import TrainedModel
from recsys.core.representations import follow_only_representations
from recsys.core.scoring import score_matrix
from recsys.core.splits import cold_user_split, holdout_split
from recsys.core.training import train as train_model
from recsys.core.types import EvaluationReport, TrainingParams

__all__ = ["ProtocolResult", "run_cold_protocol", "run_protocol"]


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
            # Each candidate family's validation figures per group, the recipe served and why.
            "selection": model.selection.as_dict() if model.selection else None,
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
    return dataclasses.replace(model, followee_taste_weight=0.0)
