"""Seeded splits of an interaction matrix: the per-user random holdout and the cold-user split.

Both evaluation (test data) and training (validation data carved from the training split) use them, so they live
below both.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["cold_user_split", "holdout_split"]


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
