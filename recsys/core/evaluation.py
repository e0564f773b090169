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
from recsys.core.scoring import chunk_rows, score_matrix, served_scores, top_k_from_scores
from recsys.core.splits import cold_user_split, holdout_split
from recsys.core.types import EvaluationReport, Metrics

__all__ = [
    "cold_user_split",
    "evaluate",
    "evaluate_popularity",
    "evaluate_scores",
    "holdout_split",
    "popularity_scores",
    "user_gains",
]

ScoreFunction = Callable[[np.ndarray], np.ndarray]


AUC_SAMPLE_ITEMS = 4096
"""AUC compares each positive with every candidate item when the catalogue has at most this many items, and
with a seeded random sample of this many items otherwise (an unbiased estimate, at a fraction of the cost)."""


def _membership(truth: sp.csr_matrix, items: np.ndarray) -> np.ndarray:
    """(n, m) booleans: is `items[i, j]` (-1 = none) in row i of `truth` (rows aligned with `items`)."""
    truth = truth.tocsr()
    truth.sort_indices()
    n_cols = truth.shape[1]
    rows = np.repeat(np.arange(truth.shape[0], dtype=np.int64), np.diff(truth.indptr))
    keys = rows * n_cols + truth.indices
    wanted = np.arange(items.shape[0], dtype=np.int64)[:, None] * n_cols + items
    at = np.minimum(np.searchsorted(keys, wanted), max(len(keys) - 1, 0))
    found = (keys[at] == wanted) if len(keys) else np.zeros(items.shape, dtype=bool)
    return found & (items >= 0)


def user_gains(
    scores: np.ndarray,
    exclude: sp.csr_matrix | None,
    truth: sp.csr_matrix,
    k: int,
    *,
    copy: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row (aligned with `scores`): the number of top-k items (excluded ones removed) in `truth`, and
    their discounted sum (DCG@k: a hit at rank r counts 1 / log2(r + 1)). `copy=False` lets it overwrite
    `scores` (excluded entries)."""
    items, _ = top_k_from_scores(scores, k, exclude=exclude, copy=copy)
    hits = _membership(truth, items).astype(np.float64)
    return hits.sum(axis=1), hits @ (1.0 / np.log2(np.arange(2, k + 2)))


def _auc_columns(n_items: int, rng: np.random.Generator) -> np.ndarray:
    if n_items <= AUC_SAMPLE_ITEMS:
        return np.arange(n_items)
    return np.sort(rng.choice(n_items, AUC_SAMPLE_ITEMS, replace=False))


def _auc(
    sample: np.ndarray, columns: np.ndarray, positives: np.ndarray, test: sp.csr_matrix
) -> np.ndarray:
    """Per row: the share of candidate negatives (finite score, not in `test`) ranked below each positive
    (ties count half), averaged over the row's positives; 1 when a row has no negative.

    `sample` holds the rows' scores at `columns` (excluded items minus infinity), `positives` the score of
    each entry of `test` (CSR order)."""
    n = sample.shape[0]
    negative = np.isfinite(sample) & ~(test[:, columns].toarray() > 0)
    n_negative = negative.sum(axis=1)
    counts = np.diff(test.indptr)
    padded = np.full((n, max(int(counts.max(initial=0)), 1)), np.nan, dtype=np.float32)
    rows = np.repeat(np.arange(n), counts)
    slots = np.arange(test.nnz) - test.indptr[rows]
    padded[rows, slots] = positives
    below = np.zeros(n, dtype=np.float64)
    for slot in range(padded.shape[1]):
        active = np.flatnonzero(counts > slot)
        part, threshold = sample[active], padded[active, slot][:, None]
        neg = negative[active]
        below[active] += ((part < threshold) & neg).sum(axis=1) + 0.5 * (
            (part == threshold) & neg
        ).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        auc = below / (np.maximum(counts, 1) * np.maximum(n_negative, 1))
    return np.where(n_negative > 0, auc, 1.0)


def _metrics(values: dict[str, np.ndarray], rows: np.ndarray) -> Metrics:
    if len(rows) == 0:
        return Metrics(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0)
    mean = {name: float(np.mean(values[name][rows])) for name in values}
    return Metrics(
        precision=mean["p"],
        recall=mean["r"],
        ndcg=mean["ndcg"],
        map=mean["map"],
        hit_rate=mean["hr"],
        auc=mean["auc"],
        n_users=len(rows),
    )


Block = Callable[
    [np.ndarray, sp.csr_matrix, sp.csr_matrix, np.ndarray],
    tuple[np.ndarray, np.ndarray, np.ndarray],
]
"""(user rows, their training rows, their test rows, AUC columns) -> (top-k item rows with training items
left out, -1 padded; scores at the AUC columns with training items at minus infinity; the score of each test
entry in CSR order)."""


def _dense_block(score: ScoreFunction, k: int) -> Block:
    def block(chunk: np.ndarray, train_chunk: sp.csr_matrix, test_chunk: sp.csr_matrix, columns):
        # `score` returns a fresh block: excluded entries are overwritten in place (no copy of the block).
        scores = np.asarray(score(chunk), dtype=np.float32)
        rows = np.repeat(np.arange(len(chunk)), np.diff(train_chunk.indptr))
        scores[rows, train_chunk.indices] = -np.inf
        top, _ = top_k_from_scores(scores, k)
        test_rows = np.repeat(np.arange(len(chunk)), np.diff(test_chunk.indptr))
        return top, scores[:, columns], scores[test_rows, test_chunk.indices]

    return block


def _popularity_block(popularity: np.ndarray, k: int) -> Block:
    """The popularity baseline without a dense block: every user's list is the global order with their
    training items left out, so only the best k + (most training items in the block) items can be in it."""
    order = np.lexsort((np.arange(len(popularity)), -popularity))

    def block(chunk: np.ndarray, train_chunk: sp.csr_matrix, test_chunk: sp.csr_matrix, columns):
        n = len(chunk)
        width = min(len(order), k + int(np.diff(train_chunk.indptr).max(initial=0)))
        candidates = np.ascontiguousarray(np.broadcast_to(order[:width], (n, width)))
        excluded = _membership(train_chunk, candidates)
        # The first k candidates not excluded, in popularity order (False sorts before True).
        picked = np.argsort(excluded, axis=1, kind="stable")[:, : min(k, width)]
        top = np.take_along_axis(candidates, picked, axis=1)
        top[np.take_along_axis(excluded, picked, axis=1)] = -1
        if top.shape[1] < k:
            top = np.hstack([top, np.full((n, k - top.shape[1]), -1, dtype=top.dtype)])
        sample = np.tile(popularity[columns].astype(np.float32), (n, 1))
        rows = np.repeat(np.arange(n), np.diff(train_chunk.indptr))
        at = np.minimum(np.searchsorted(columns, train_chunk.indices), max(len(columns) - 1, 0))
        hit = columns[at] == train_chunk.indices if len(columns) else np.zeros(0, dtype=bool)
        sample[rows[hit], at[hit]] = -np.inf
        counts = np.diff(test_chunk.indptr)
        padded = np.full((n, max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
        test_rows = np.repeat(np.arange(n), counts)
        slots = np.arange(test_chunk.nnz) - test_chunk.indptr[test_rows]
        padded[test_rows, slots] = test_chunk.indices
        positives = popularity[test_chunk.indices].astype(np.float32)
        positives[_membership(train_chunk, padded)[test_rows, slots]] = -np.inf
        return top, sample, positives

    return block


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
    """Evaluate any scorer: `score(user_rows) -> dense scores (len(user_rows) x n_items)`, a fresh array
    each call (it is overwritten: training items get minus infinity).

    Vectorised per block of users (no loop over users; a block holds at most 16 M scores, 64 MB): top-k by
    per-row thresholds, membership by sorted-key search, AUC by one comparison pass per positive slot (see
    `AUC_SAMPLE_ITEMS`)."""
    step = chunk_rows(test.shape[1], chunk_size, budget=1 << 24)
    return _evaluate_blocks(
        _dense_block(score, k),
        train=train,
        test=test,
        k=k,
        light_threshold=light_threshold,
        users=users,
        step=step,
    )


def _evaluate_blocks(
    block: Block,
    *,
    train: sp.csr_matrix,
    test: sp.csr_matrix,
    k: int,
    light_threshold: int,
    users: np.ndarray | None,
    step: int,
) -> EvaluationReport:
    train, test = train.tocsr(), test.tocsr()
    if users is None:
        users = np.flatnonzero(np.diff(test.indptr) > 0)
    users = np.asarray(users, dtype=np.int64)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.concatenate([[1.0], np.cumsum(discounts)])
    rng = np.random.default_rng(0)
    parts: dict[str, list[np.ndarray]] = {m: [] for m in ("p", "r", "ndcg", "map", "hr", "auc")}
    for start in range(0, len(users), step):
        chunk = users[start : start + step]
        train_chunk = train[chunk]
        test_chunk = test[chunk]
        test_chunk.sort_indices()
        columns = _auc_columns(test.shape[1], rng)
        top, sample, positives = block(chunk, train_chunk, test_chunk, columns)
        hits = _membership(test_chunk, top).astype(np.float64)
        n_pos = np.diff(test_chunk.indptr).astype(np.float64)
        n_hits = hits.sum(axis=1)
        capped = np.minimum(n_pos, k).astype(np.int64)
        parts["p"].append(n_hits / k)
        parts["r"].append(n_hits / np.maximum(n_pos, 1))
        parts["hr"].append((n_hits > 0).astype(np.float64))
        parts["ndcg"].append((hits @ discounts) / np.where(capped > 0, ideal[capped], 1.0))
        precision_at = np.cumsum(hits, axis=1) / np.arange(1, k + 1)
        parts["map"].append((precision_at * hits).sum(axis=1) / np.maximum(capped, 1))
        parts["auc"].append(_auc(sample, columns, positives, test_chunk))
    values = {
        name: (np.concatenate(chunks) if chunks else np.zeros(0)) for name, chunks in parts.items()
    }
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
    """A trained model on a holdout: full ranking over all items with training items excluded.

    With `blend`, users are scored as served (`served_scores`: each group's recipe chosen on validation);
    without it, by the LightFM hybrid alone. `train` must be the matrix the model was trained on."""

    def score(rows: np.ndarray) -> np.ndarray:
        if blend:
            return served_scores(model, rows)
        vectors, biases = model.user_representations(model.user_features[rows])
        return score_matrix(model, vectors, biases)

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
    return _evaluate_blocks(
        _popularity_block(popularity_scores(train), k),
        train=train,
        test=test,
        k=k,
        light_threshold=5,
        users=users,
        # No dense block here: the AUC sample (at most AUC_SAMPLE_ITEMS columns) bounds the block.
        step=chunk_rows(min(test.shape[1], AUC_SAMPLE_ITEMS), 1024, budget=1 << 24),
    )
