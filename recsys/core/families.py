"""Candidate model families besides the LightFM hybrid: popularity, item-kNN, EASE and implicit ALS.

Each family is fitted on a users x items training matrix and scores a block of users from their rows (their
training history for the item-based families, their learned factors for ALS) as a dense block of scores. The
LightFM hybrid stays in `training`/`scoring`; `selection` compares all of them on validation data.

- popularity: log(1 + interaction count) per item, the same for everyone.
- item-kNN: cosine similarity between item columns, pruned to each item's `neighbours` most similar items; a
  user's score for an item is the sum of its similarities to the user's items.
- EASE (Steck 2019): the closed-form item-item model B = I - P / diag(P), P = (X'X + lambda I)^-1, on the
  `max_items` most-interacted items (all of them when the catalogue is that small); the rest score 0. Its dense
  matrix is max_items^2 float32 (8,000 items: 256 MB), which keeps large catalogues under the memory budget.
- ALS (the `implicit` package): weighted matrix factorisation with confidence 1 + alpha * weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg.lapack
import scipy.sparse as sp
from implicit.cpu.als import AlternatingLeastSquares
from threadpoolctl import threadpool_limits

__all__ = [
    "AlsFamily",
    "EaseFamily",
    "ItemKnnFamily",
    "PopularityFamily",
    "fit_als",
    "fit_ease",
    "fit_item_knn",
    "fit_popularity",
    "with_neighbours",
]


def _binary(matrix: sp.csr_matrix) -> sp.csr_matrix:
    binary = matrix.tocsr().astype(np.float32)
    binary.eliminate_zeros()
    binary.data[:] = 1.0
    return binary


@dataclass(frozen=True)
class PopularityFamily:
    log_counts: np.ndarray

    name = "popularity"

    def scores(self, rows: np.ndarray, history: sp.csr_matrix) -> np.ndarray:
        return np.broadcast_to(self.log_counts, (len(rows), len(self.log_counts))).copy()


def fit_popularity(train: sp.csr_matrix) -> PopularityFamily:
    counts = np.bincount(train.tocsr().indices, minlength=train.shape[1])
    return PopularityFamily(np.log1p(counts).astype(np.float32))


@dataclass(frozen=True)
class ItemKnnFamily:
    similarity: sp.csr_matrix  # items x items, row i holds i's neighbours
    neighbours: int

    name = "item_knn"

    def scores(self, rows: np.ndarray, history: sp.csr_matrix) -> np.ndarray:
        return np.asarray((_binary(history) @ self.similarity).toarray(), dtype=np.float32)


def _prune_rows(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Each row's `keep` largest entries (ties to the lower column), vectorised over all rows.

    One stable sort on the key row + (1 - value / (max + 1)): by row, then by value descending."""
    matrix = matrix.tocsr()
    matrix.sort_indices()
    counts = np.diff(matrix.indptr)
    if matrix.nnz == 0 or counts.max() <= keep:
        return matrix
    row_of = np.repeat(np.arange(matrix.shape[0]), counts)
    scaled = matrix.data.astype(np.float64) / (float(matrix.data.max()) + 1.0)
    order = np.argsort(row_of * 2.0 + (1.0 - scaled), kind="stable")
    rank = np.arange(matrix.nnz) - matrix.indptr[row_of[order]]
    chosen = np.sort(order[rank < keep])
    return sp.csr_matrix(
        (matrix.data[chosen], (row_of[chosen], matrix.indices[chosen])), shape=matrix.shape
    )


def _cap_rows(matrix: sp.csr_matrix, cap: int, seed: int) -> sp.csr_matrix:
    """At most `cap` random entries per row (seeded): a few very heavy users would otherwise make the
    item-item co-occurrence matrix quadratic in their history while adding little to any similarity."""
    counts = np.diff(matrix.indptr)
    if matrix.nnz == 0 or counts.max() <= cap:
        return matrix
    row_of = np.repeat(np.arange(matrix.shape[0]), counts)
    order = np.lexsort((np.random.default_rng(seed).random(matrix.nnz), row_of))
    rank = np.empty(matrix.nnz, dtype=np.int64)
    rank[order] = np.arange(matrix.nnz) - matrix.indptr[row_of[order]]
    keep = rank < cap
    return sp.csr_matrix(
        (matrix.data[keep], (row_of[keep], matrix.indices[keep])), shape=matrix.shape
    )


def fit_item_knn(
    train: sp.csr_matrix, *, neighbours: int = 100, user_cap: int = 300, seed: int = 0
) -> ItemKnnFamily:
    binary = _binary(train)
    norms = np.sqrt(np.bincount(binary.indices, minlength=binary.shape[1]).astype(np.float32))
    norms[norms == 0] = 1.0
    capped = _cap_rows(binary, user_cap, seed)
    unit = (capped @ sp.diags(1.0 / norms).astype(np.float32)).tocsr()
    similarity = (unit.T.tocsr() @ unit).tocsr()
    similarity.setdiag(0)
    similarity.eliminate_zeros()
    # Cosine is symmetric: pruning rows and transposing keeps, for each item j, its strongest neighbours i
    # (scores are history @ S, so column j of S is what an item j's score sums over).
    pruned = _prune_rows(similarity, neighbours).T.tocsr().astype(np.float32)
    return ItemKnnFamily(pruned, neighbours)


def with_neighbours(family: ItemKnnFamily, neighbours: int) -> ItemKnnFamily:
    """The same similarities pruned to fewer neighbours per item (no refit)."""
    if neighbours >= family.neighbours:
        return family
    pruned = _prune_rows(family.similarity.T.tocsr(), neighbours).T.tocsr()
    return ItemKnnFamily(pruned, neighbours)


@dataclass(frozen=True)
class EaseFamily:
    head_items: np.ndarray  # item columns the model covers
    weights: np.ndarray  # len(head) x len(head), float32, zero diagonal
    n_items: int
    regularisation: float

    name = "ease"

    def scores(self, rows: np.ndarray, history: sp.csr_matrix) -> np.ndarray:
        out = np.zeros((history.shape[0], self.n_items), dtype=np.float32)
        part = _binary(history)[:, self.head_items]
        out[:, self.head_items] = part @ self.weights
        return out


def fit_ease(
    train: sp.csr_matrix, *, regularisation: float = 200.0, max_items: int = 8000
) -> EaseFamily:
    binary = _binary(train)
    counts = np.bincount(binary.indices, minlength=binary.shape[1])
    active = np.flatnonzero(counts > 0)
    if len(active) > max_items:
        order = np.lexsort((active, -counts[active]))
        active = np.sort(active[order[:max_items]])
    part = binary[:, active].tocsc()
    gram = np.asarray((part.T @ part).toarray(), dtype=np.float32)
    gram[np.diag_indices_from(gram)] += regularisation
    # P = gram^-1 from its Cholesky factor (gram is symmetric positive definite), in place: one m x m array.
    factor, info = scipy.linalg.lapack.spotrf(gram, lower=1, overwrite_a=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: Cholesky failed ({info})")
    precision, info = scipy.linalg.lapack.spotri(factor, lower=1, overwrite_c=1)
    if info != 0:
        raise np.linalg.LinAlgError(f"EASE: inverse failed ({info})")
    lower = np.tril_indices_from(precision, -1)
    precision.T[lower] = precision[lower]  # potri fills one triangle only
    diagonal = np.diag(precision).copy()
    precision /= -diagonal[None, :]
    precision[np.diag_indices_from(precision)] = 0.0
    return EaseFamily(active, precision, binary.shape[1], regularisation)


@dataclass(frozen=True)
class AlsFamily:
    user_factors: np.ndarray
    item_factors: np.ndarray
    factors: int
    regularisation: float
    alpha: float

    name = "als"

    def scores(self, rows: np.ndarray, history: sp.csr_matrix) -> np.ndarray:
        return self.user_factors[rows] @ self.item_factors.T


def fit_als(
    weights: sp.csr_matrix,
    *,
    factors: int = 64,
    regularisation: float = 0.05,
    alpha: float = 10.0,
    iterations: int = 15,
    seed: int = 0,
    num_threads: int = 2,
    start: AlsFamily | None = None,
) -> AlsFamily:
    """ALS on confidence 1 + alpha * w, with the signal weights `w` scaled to mean 1.

    `start` (a model of the same users and items, e.g. fitted on the validation split) warm-starts the
    factors, so a refit on all the data needs only a few iterations."""
    matrix = weights.tocsr().astype(np.float32)
    matrix.eliminate_zeros()
    if matrix.nnz:
        matrix.data /= matrix.data.mean()
    # Items nobody interacted with get zero factors: fitting only the active columns halves the item side
    # of a long-tail catalogue.
    active = np.flatnonzero(np.bincount(matrix.indices, minlength=matrix.shape[1]) > 0)
    # implicit runs its own threads; a multi-threaded BLAS under them only oversubscribes the cores.
    with threadpool_limits(1, "blas"):
        model = AlternatingLeastSquares(
            factors=factors,
            regularization=regularisation,
            alpha=alpha,
            iterations=iterations,
            random_state=seed,
            num_threads=num_threads,
            calculate_training_loss=False,
        )
        if start is not None and start.factors == factors:
            model.user_factors = start.user_factors.copy()
            model.item_factors = np.ascontiguousarray(start.item_factors[active])
        model.fit(matrix[:, active].tocsr(), show_progress=False)
    item_factors = np.zeros((matrix.shape[1], model.item_factors.shape[1]), dtype=np.float32)
    item_factors[active] = model.item_factors
    return AlsFamily(
        np.ascontiguousarray(model.user_factors, dtype=np.float32),
        item_factors,
        factors,
        regularisation,
        alpha,
    )
