"""Validation search for the per-dataset hyper-parameters of `bench/recsys_quality.py`, on training data only.

    .venv/bin/python bench/recsys_tune.py lastfm --seed 0 --grid '{"no_components": [32, 64]}'
    .venv/bin/python bench/recsys_tune.py lastfm --cold --grid '{"followee_weight": [1, 2]}'

The test split is made exactly as the benchmark makes it (`holdout_split` with the same seed, or for `--cold`
the same `cold_user_split`) and then never looked at: a second split is carved out of the training part (per
user a seeded 20% for the warm search; 20% of the remaining eligible users who follow someone for the cold
search), each candidate is trained on the rest and scored on that validation part (P@10, full ranking, training
items excluded). Prints one line per candidate, best last; the choices kept in `recsys_quality.PARAMS` and the
commands that chose them are listed in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time

import numpy as np
import scipy.sparse as sp
from _recsys_common import load

from recsys.core import TrainingParams
from recsys.core.evaluation import (
    cold_user_split,
    evaluate,
    evaluate_popularity,
    evaluate_scores,
    holdout_split,
)
from recsys.core.representations import follow_only_representations
from recsys.core.scoring import score_matrix
from recsys.core.training import train

TUNE_SEED_OFFSET = 100


def _drop_users(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    keep = np.ones(matrix.shape[0], dtype=np.float32)
    keep[rows] = 0.0
    result = (sp.diags(keep) @ matrix).tocsr()
    result.eliminate_zeros()
    return result


def _only_users(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    keep = np.zeros(matrix.shape[0], dtype=np.float32)
    keep[rows] = 1.0
    result = (sp.diags(keep) @ matrix).tocsr()
    result.eliminate_zeros()
    return result


def warm_score(dataset, params: TrainingParams, seed: int) -> dict[str, float]:
    """P@10 on a validation split of the benchmark's training split for `seed`."""
    train_matrix, train_weights, _test = holdout_split(
        dataset.interactions, dataset.weights, seed=seed
    )
    fit, fit_weights, validation = holdout_split(
        train_matrix, train_weights, seed=seed + TUNE_SEED_OFFSET
    )
    model = train(dataset.with_interactions(fit, fit_weights), params.replace(seed=seed))
    report = evaluate(model, train=fit, test=validation, k=params.k)
    popular = evaluate_popularity(train=fit, test=validation, k=params.k)
    return {
        "p10": report.overall.precision,
        "light": report.light_users.precision,
        "pop": popular.overall.precision,
        "epoch": model.best_epoch,
        "seconds": model.train_seconds,
    }


def cold_score(dataset, params: TrainingParams, seed: int) -> dict[str, float]:
    """P@10 from follows only for validation cold users drawn from the benchmark's non-cold users."""
    test_rows = cold_user_split(dataset.interactions, dataset.user_follows, seed=seed)
    remaining = _drop_users(dataset.interactions, test_rows)
    weights = _drop_users(dataset.weights, test_rows)
    valid_rows = cold_user_split(remaining, dataset.user_follows, seed=seed + TUNE_SEED_OFFSET)
    fit = _drop_users(remaining, valid_rows)
    fit_weights = _drop_users(weights, valid_rows)
    truth = _only_users(remaining, valid_rows)
    model = train(dataset.with_interactions(fit, fit_weights), params.replace(seed=seed))

    def score(rows: np.ndarray) -> np.ndarray:
        vectors, biases = follow_only_representations(
            model, follows=dataset.user_follows, user_keys=dataset.user_keys, rows=rows
        )
        return score_matrix(
            model,
            vectors,
            biases,
            blend_weights=np.full(len(rows), model.blend.cold_weight),
        )

    report = evaluate_scores(score, train=fit, test=truth, k=params.k, users=valid_rows)
    popular = evaluate_popularity(train=fit, test=truth, k=params.k, users=valid_rows)
    return {
        "p10": report.overall.precision,
        "pop": popular.overall.precision,
        "taste": model.followee_taste_weight,
        "cold_blend": model.blend.cold_weight,
        "epoch": model.best_epoch,
        "seconds": model.train_seconds,
    }


def main() -> None:
    from recsys_quality import PARAMS

    parser = argparse.ArgumentParser()
    parser.add_argument("dataset", choices=list(PARAMS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--grid", default="{}", help="JSON: parameter -> list of values")
    parser.add_argument(
        "--base", default="{}", help="JSON: parameter overrides for every candidate"
    )
    parser.add_argument("--folder", help="converted data folder (default: the dataset's name)")
    args = parser.parse_args()
    base = PARAMS[args.dataset].replace(**json.loads(args.base))
    grid = json.loads(args.grid)
    names = list(grid)
    results = []
    for values in itertools.product(*(grid[n] for n in names)):
        candidate = base.replace(**dict(zip(names, values, strict=True)))
        started = time.perf_counter()
        dataset = load(args.folder or args.dataset, candidate)
        scores = [
            (cold_score if args.cold else warm_score)(dataset, candidate, seed)
            for seed in args.seeds
        ]
        mean = {k: float(np.mean([s[k] for s in scores])) for k in scores[0]}
        label = dict(zip(names, values, strict=True))
        results.append((mean["p10"], label))
        print(
            json.dumps(label),
            " ".join(f"{k}={v:.4f}" for k, v in mean.items()),
            "per-seed " + ",".join(f"{s['p10']:.4f}" for s in scores),
            f"({time.perf_counter() - started:.0f}s)",
            flush=True,
        )
    best = max(results, key=lambda r: r[0])
    print("best", json.dumps(best[1]), f"p10={best[0]:.4f}")


if __name__ == "__main__":
    main()
