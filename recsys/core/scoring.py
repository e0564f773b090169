"""Scoring with a trained model: vectorised top-k, served recipes, similar items, bought together,
trending (the reasons behind one item live in `recsys.core.reasons`).

Top-k is one dense matrix product per chunk of users (user representations times item representations, plus
user and item biases), which gives the same numbers as LightFM's `predict` but scores every item for every user
at once. Excluded items (already bought, sold out) get minus infinity before the partial sort.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp

from recsys.core.model import TrainedModel
from recsys.core.representations import UserVectors
from recsys.core.selection import Recipe
from recsys.core.types import Neighbours

__all__ = [
    "UserVectors",
    "blend_recipe",
    "bought_together",
    "chunk_rows",
    "score_matrix",
    "served_scores",
    "similar_items",
    "standardised_scores",
    "top_k",
    "top_k_from_scores",
    "trending",
]


_POPULARITY_ONLY = 1000.0


_SELECTION_THREADS = 2
_PARALLEL_MIN_ROWS = 64
_selection_executor: ThreadPoolExecutor | None = None


def _selection_pool() -> ThreadPoolExecutor:
    global _selection_executor
    if _selection_executor is None:
        _selection_executor = ThreadPoolExecutor(_SELECTION_THREADS, thread_name_prefix="topk")
    return _selection_executor


def _forget_selection_pool() -> None:
    # A forked child (Celery prefork, multiprocessing) inherits the pool object but not its threads;
    # it must build its own or map() would wait forever.
    global _selection_executor
    _selection_executor = None


os.register_at_fork(after_in_child=_forget_selection_pool)


def _popularity_z(model: TrainedModel) -> np.ndarray:
    def build() -> np.ndarray:
        pop = np.log1p(model.item_popularity.astype(np.float64))
        std = pop.std()
        return ((pop - pop.mean()) / (std if std > 0 else 1.0)).astype(np.float32)

    return model._cached("_popularity_z_scores", build)


def _popularity_rank_score(model: TrainedModel) -> np.ndarray:
    """Popularity as distinct scores in (0, 1]: most interacted first, ties to the lower item row (the same
    order as the popularity baseline), so "popularity only" never depends on how a sort breaks ties."""

    def build() -> np.ndarray:
        order = np.lexsort((np.arange(model.n_items), -model.item_popularity))
        scores = np.empty(model.n_items, dtype=np.float32)
        scores[order] = (model.n_items - np.arange(model.n_items)) / model.n_items
        return scores

    return model._cached("_popularity_rank_scores", build)


def _augmented_items(model: TrainedModel) -> np.ndarray:
    def build() -> np.ndarray:
        items = model.item_representations
        out = np.empty((len(items), items.shape[1] + 2), dtype=np.float32)
        out[:, :-2], out[:, -2], out[:, -1] = items, 1.0, model.item_biases
        return out

    return model._cached("_augmented_items", build)


def _blend_items(model: TrainedModel) -> np.ndarray:
    """Item rows [q, 1, item bias, 1, popularity z, popularity rank] for the blended product."""

    def build() -> np.ndarray:
        items = _augmented_items(model)
        width = items.shape[1]
        out = np.empty((len(items), width + 3), dtype=np.float32)
        out[:, :width], out[:, width] = items, 1.0
        out[:, width + 1], out[:, width + 2] = _popularity_z(model), _popularity_rank_score(model)
        return out

    return model._cached("_blend_items", build)


def _item_moments(model: TrainedModel) -> tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (float64, over the catalogue) of the augmented item rows [q, 1, item bias]."""

    def build() -> tuple[np.ndarray, np.ndarray]:
        items = _augmented_items(model).astype(np.float64)
        mean = items.mean(axis=0) if len(items) else np.zeros(items.shape[1])
        centred = items - mean
        return mean, centred.T @ centred / max(len(items), 1)

    return model._cached("_item_moments", build)


def row_moments(model: TrainedModel, augmented: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and (population) standard deviation over the catalogue of each row of `augmented @ items.T`,
    from the items' mean and covariance: x . mean and sqrt(x' C x), with no pass over the scores."""
    mean, covariance = _item_moments(model)
    users = augmented.astype(np.float64)
    variance = np.einsum("ij,jk,ik->i", users, covariance, users)
    return users @ mean, np.sqrt(np.maximum(variance, 0.0))


def score_matrix(
    model: TrainedModel,
    vectors: np.ndarray,
    biases: np.ndarray,
    *,
    blend_weights: np.ndarray | None = None,
) -> np.ndarray:
    """Dense scores (users x items). With blend weights, each user's scores are standardised and
    `weight * standardised log popularity` is added (0 leaves that user's scores as the model gives them;
    `_POPULARITY_ONLY` or more serves popularity's rank scores alone).

    One BLAS product whatever the blend: a user's raw scores are x . y with x = [v, b, 1] and
    y = [q, 1, item bias]; their mean and standard deviation over the catalogue follow from the items' mean
    and covariance (`row_moments`), so (x . y - mean) / std + w * pop = [x / std, -mean / std, w, 0] .
    [y, 1, pop, rank], and popularity alone is [0, 0, 0, 1]. No pass over the dense block besides the product,
    which is what made blended scoring several times slower than the product itself."""
    augmented = np.empty((len(vectors), vectors.shape[1] + 2), dtype=np.float32)
    augmented[:, :-2], augmented[:, -2], augmented[:, -1] = vectors, biases, 1.0
    if blend_weights is None or not np.any(np.asarray(blend_weights) > 0):
        return augmented @ _augmented_items(model).T
    return _blended_product(model, augmented, np.asarray(blend_weights, dtype=np.float64))


def standardised_scores(model: TrainedModel, vectors: np.ndarray, biases: np.ndarray) -> np.ndarray:
    """Each user's LightFM scores minus their mean over the catalogue, over their standard deviation (rows
    with no spread only centred): the blend with popularity weight 0, in one product."""
    augmented = np.empty((len(vectors), vectors.shape[1] + 2), dtype=np.float32)
    augmented[:, :-2], augmented[:, -2], augmented[:, -1] = vectors, biases, 1.0
    return _blended_product(model, augmented, np.ones(len(vectors)), popularity=False)


def _blended_product(
    model: TrainedModel, augmented: np.ndarray, weights: np.ndarray, *, popularity: bool = True
) -> np.ndarray:
    width = augmented.shape[1]
    users = np.zeros((len(augmented), width + 3), dtype=np.float64)
    users[:, :width] = augmented
    blended = weights > 0
    mean, std = row_moments(model, augmented[blended])
    # A row whose scores barely vary is only centred (as a zero spread is in `standardised`).
    std[std <= 1e-6 * np.maximum(np.abs(mean), 1.0)] = 1.0
    users[blended, :width] /= std[:, None]
    users[blended, width] = -mean / std
    users[blended, width + 1] = weights[blended] if popularity else 0.0
    only = weights >= _POPULARITY_ONLY
    users[only] = 0.0
    users[only, width + 2] = 1.0
    return users.astype(np.float32) @ _blend_items(model).T


def chunk_rows(n_items: int, chunk_size: int = 1024, *, budget: int = 1 << 25) -> int:
    """Users per block so that a dense block of scores stays near `budget` floats (32 M: 128 MB)."""
    return max(1, min(chunk_size, max(16, budget // max(n_items, 1))))


def standardised(scores: np.ndarray, *, copy: bool = True, weight: float = 1.0) -> np.ndarray:
    """Each row minus its mean, over its standard deviation (rows with no spread are only centred), times
    `weight` (folded into the same pass).

    Row sums and sums of squares come from BLAS products (two passes over the block, no temporaries);
    `copy=False` standardises `scores` in place."""
    scores = np.array(scores, dtype=np.float32, copy=copy)
    n_items = max(scores.shape[1], 1)
    ones = np.ones(scores.shape[1], dtype=np.float32)
    mean = (scores @ ones).astype(np.float64) / n_items
    squares = np.einsum("ij,ij->i", scores, scores, dtype=np.float64) / n_items
    std = np.sqrt(np.maximum(squares - mean**2, 0.0))
    std[std <= 1e-12] = 1.0
    scores -= mean[:, None].astype(np.float32)
    scores *= (weight / std)[:, None].astype(np.float32)
    return scores


ComponentScores = Callable[[str, np.ndarray], np.ndarray]
"""(family name, user rows) -> dense scores of those users (rows x items)."""


def blend_recipe(
    recipe: Recipe,
    rows: np.ndarray,
    component: ComponentScores,
    popularity_rank: np.ndarray,
    *,
    fresh_components: bool = False,
) -> np.ndarray:
    """Scores of `rows` under a recipe: one family as it scores (popularity as its distinct rank scores, so
    ties never depend on a sort), several as the weighted sum of per-user standardised scores.

    `fresh_components`: `component` returns a new array each call, which may then be standardised in place."""
    if len(recipe) == 1:
        name = recipe[0][0]
        if name == "popularity":
            return np.tile(popularity_rank, (len(rows), 1))
        return np.asarray(component(name, rows), dtype=np.float32)
    total: np.ndarray | None = None
    for name, weight in recipe:
        part = standardised(component(name, rows), copy=not fresh_components, weight=weight)
        if total is None:
            total = part
        else:
            total += part
    assert total is not None
    return total


def _lightfm_rows(model: TrainedModel, rows: np.ndarray) -> np.ndarray:
    vectors, biases = model.user_representations(model.user_features[rows])
    weights = model.blend.weights_for_counts(model.user_train_counts[rows])
    return score_matrix(model, vectors, biases, blend_weights=weights)


def served_scores(
    model: TrainedModel,
    user_rows: Sequence[int] | np.ndarray,
    *,
    vectors: np.ndarray | None = None,
    biases: np.ndarray | None = None,
) -> np.ndarray:
    """Dense scores (users x items) as served: the recipe chosen on validation for each user's group.

    `user_rows[i]` is the model row of a trained shopper, scored by their group's recipe (light or heavy,
    by their training history), or -1 for a shopper represented by `vectors[i]`, `biases[i]` (from
    `user_representation_from_features`: new shoppers, shoppers whose follows changed), scored by the
    LightFM hybrid with the cold popularity blend. Model rows without training history are cold too
    (represented by their feature row unless vectors are given). Models trained before model selection
    (`served` is None) serve the LightFM hybrid with its blend for everyone, as `score_matrix` does.
    """
    rows = np.asarray(user_rows, dtype=np.int64)
    n = len(rows)
    out = np.empty((n, model.n_items), dtype=np.float32)
    counts = np.where(rows >= 0, model.user_train_counts[np.maximum(rows, 0)], 0)
    cold = (rows < 0) | (counts == 0)
    served = model.served
    trained = np.flatnonzero(~cold)
    if len(trained):
        if served is None:
            if len(trained) == n:
                return _lightfm_rows(model, rows)
            out[trained] = _lightfm_rows(model, rows[trained])
        else:
            popularity_rank = _popularity_rank_score(model)

            def component(name: str, chosen: np.ndarray) -> np.ndarray:
                if name == "lightfm":
                    return _lightfm_rows(model, chosen)
                return served.families[name].scores(chosen, served.history[chosen])

            light = counts[trained] <= served.light_threshold
            for group, mask in (("light", light), ("heavy", ~light)):
                picked = trained[mask]
                if len(picked) == n:
                    # Everyone in one group: the recipe's block is fresh, return it without copying.
                    return blend_recipe(
                        served.recipe_for(group),
                        rows,
                        component,
                        popularity_rank,
                        fresh_components=True,
                    )
                if len(picked):
                    out[picked] = blend_recipe(
                        served.recipe_for(group),
                        rows[picked],
                        component,
                        popularity_rank,
                        fresh_components=True,
                    )
    cold_rows = np.flatnonzero(cold)
    if len(cold_rows):
        if vectors is not None and biases is not None:
            cold_vectors = np.asarray(vectors, dtype=np.float32)[cold_rows]
            cold_biases = np.asarray(biases, dtype=np.float32)[cold_rows]
        elif np.all(rows[cold_rows] >= 0):
            cold_vectors, cold_biases = model.user_representations(
                model.user_features[rows[cold_rows]]
            )
        else:
            raise ValueError("rows of -1 need their vectors and biases")
        out[cold_rows] = score_matrix(
            model,
            cold_vectors,
            cold_biases,
            blend_weights=np.full(len(cold_rows), model.blend.cold_weight),
        )
    return out


_GROUP = 16
_MAX_CANDIDATES_PER_ROW = 64


def _best_sorted(scores: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The `width` best columns of each row and their scores, best first, ties to the lower column.

    Instead of partially sorting every row, a threshold per row is found first. Columns are dealt into
    interleaved groups (column j goes to group j mod n_groups, up to 16 columns per group, at least
    2 * width groups); the `width`-th largest group maximum is a lower bound of the row's `width`-th largest
    score, since those `width` maxima are distinct entries. Interleaving makes the maxima one elementwise pass
    over contiguous memory and spreads runs of similar columns (neighbouring ids) over many groups, so the
    bound is tight: only the entries at or above it (about `width` of them) are then sorted. Rows with many
    ties at the threshold (over 64 candidates), and catalogues too small for groups, are sorted in full
    (stable, so ties still go to the lower column).
    """
    n_rows, n_items = scores.shape
    per_group = min(_GROUP, n_items // (2 * width))
    if per_group < 2:
        return _full_sort(scores, width)
    n_groups = n_items // per_group
    maxima = scores[:, : n_groups * per_group].reshape(n_rows, per_group, n_groups).max(axis=1)
    if n_items % per_group:
        # Leftover columns join groups too (column j to group j mod n_groups): maxima only grow, bound holds.
        for start in range(n_groups * per_group, n_items, n_groups):
            piece = scores[:, start : start + n_groups]
            np.maximum(maxima[:, : piece.shape[1]], piece, out=maxima[:, : piece.shape[1]])
    threshold = np.partition(maxima, n_groups - width, axis=1)[:, n_groups - width]
    candidates = scores >= threshold[:, None]
    crowded = np.flatnonzero(candidates.sum(axis=1) > _MAX_CANDIDATES_PER_ROW)
    candidates[crowded] = False
    rows, cols = np.divmod(np.flatnonzero(candidates), n_items)
    values = scores[rows, cols]
    order = np.lexsort((cols, -values, rows))
    # Every row not crowded has at least `width` candidates (its `width` largest group maxima), in row order.
    first = np.searchsorted(rows[order], np.arange(n_rows))
    first[crowded] = 0
    items = np.empty((n_rows, width), dtype=np.int64)
    best = np.empty((n_rows, width), dtype=np.float32)
    if len(order):
        picked = order[first[:, None] + np.arange(width)[None, :]]
        items[:], best[:] = cols[picked], values[picked]
    if len(crowded):
        items[crowded], best[crowded] = _full_sort(scores[crowded], width)
    return items, best


def _full_sort(scores: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    items = np.argsort(-scores, axis=1, kind="stable")[:, :width]
    return items, np.take_along_axis(scores, items, axis=1)


def _select(scores: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """`_best_sorted` on row blocks; numpy releases the GIL in the heavy steps, so two threads use both cores
    of this machine; selection, not the matrix product, dominates scoring."""
    if scores.shape[0] < _PARALLEL_MIN_ROWS:
        return _best_sorted(scores, width)
    blocks = np.array_split(scores, _SELECTION_THREADS)
    results = list(_selection_pool().map(lambda block: _best_sorted(block, width), blocks))
    return np.vstack([r[0] for r in results]), np.vstack([r[1] for r in results])


def top_k_from_scores(
    scores: np.ndarray, k: int, *, exclude: sp.csr_matrix | None = None, copy: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """Best `k` columns per row, best first (ties to the lower column); excluded entries removed; short rows
    padded with -1/-inf.

    `copy=False` lets the function overwrite `scores` (excluded entries) instead of copying it first."""
    scores = np.array(scores, dtype=np.float32, copy=copy)
    n_rows, n_items = scores.shape
    if exclude is not None and exclude.nnz:
        exclude = exclude.tocsr()
        rows = np.repeat(np.arange(exclude.shape[0]), np.diff(exclude.indptr))
        scores[rows, exclude.indices] = -np.inf
    width = min(k, n_items)
    if width == 0 or n_rows == 0:
        return np.full((n_rows, k), -1, dtype=np.int64), np.full((n_rows, k), -np.inf, np.float32)
    items, values = _select(scores, width)
    items = items.astype(np.int64)
    items[~np.isfinite(values)] = -1
    if width < k:
        items = np.hstack([items, np.full((n_rows, k - width), -1, dtype=np.int64)])
        values = np.hstack([values, np.full((n_rows, k - width), -np.inf, dtype=np.float32)])
    return items, values


def top_k(
    model: TrainedModel,
    user_rows: Sequence[int] | np.ndarray | None = None,
    *,
    user_feature_rows: sp.csr_matrix | None = None,
    user_vectors: UserVectors | None = None,
    k: int = 10,
    exclude: sp.csr_matrix | None = None,
    chunk_size: int = 2048,
    blend: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Top `k` item rows and scores for each user, best first.

    Give exactly one of: `user_rows` (rows of the model's users; scored from their training feature rows),
    `user_feature_rows` (one feature row per user in the model's user feature space, e.g. new users) or
    `user_vectors` (from `user_representation_from_features`). `exclude` has one row per requested user and
    marks items to leave out. Returns `(items, scores)`, both shaped (n_users, k); -1 pads short lists.
    With `blend`, shoppers given by `user_rows` are scored as served (`served_scores`: the recipe chosen on
    validation for their group) and other users by the LightFM hybrid with the cold popularity blend; without
    it the scores equal LightFM's `predict`.
    """
    given = [x is not None for x in (user_rows, user_feature_rows, user_vectors)]
    if sum(given) != 1:
        raise ValueError("give exactly one of user_rows, user_feature_rows, user_vectors")
    if user_rows is not None:
        rows = np.asarray(user_rows, dtype=np.int64)
        n = len(rows)
        blend_weights = model.blend.weights_for_counts(model.user_train_counts[rows])
    elif user_feature_rows is not None:
        n = user_feature_rows.shape[0]
        blend_weights = np.full(n, model.blend.cold_weight)
    else:
        assert user_vectors is not None
        n = len(user_vectors[0])
        blend_weights = np.full(n, model.blend.cold_weight)
    if exclude is not None and exclude.shape != (n, model.n_items):
        raise ValueError(f"exclude must be shaped {(n, model.n_items)}, got {exclude.shape}")
    weights: np.ndarray | None = blend_weights if blend else None
    all_items = np.empty((n, k), dtype=np.int64)
    all_scores = np.empty((n, k), dtype=np.float32)
    # Served recipes hold a few dense blocks at once (components, standardised copies): smaller blocks.
    step = chunk_rows(model.n_items, chunk_size, budget=1 << 24)
    for start in range(0, n, step):
        stop = min(start + step, n)
        if user_rows is not None and weights is not None:
            scores = served_scores(model, rows[start:stop])
            items, values = top_k_from_scores(
                scores, k, exclude=None if exclude is None else exclude[start:stop], copy=False
            )
            all_items[start:stop], all_scores[start:stop] = items, values
            continue
        if user_rows is not None:
            vectors, biases = model.user_representations(model.user_features[rows[start:stop]])
        elif user_feature_rows is not None:
            vectors, biases = model.user_representations(user_feature_rows[start:stop])
        else:
            assert user_vectors is not None
            vectors = np.asarray(user_vectors[0][start:stop], dtype=np.float32)
            biases = np.asarray(user_vectors[1][start:stop], dtype=np.float32)
        scores = score_matrix(
            model,
            vectors,
            biases,
            blend_weights=None if weights is None else weights[start:stop],
        )
        items, values = top_k_from_scores(
            scores, k, exclude=None if exclude is None else exclude[start:stop], copy=False
        )
        all_items[start:stop], all_scores[start:stop] = items, values
    return all_items, all_scores


def similar_items(
    model: TrainedModel,
    k: int = 8,
    *,
    item_rows: Sequence[int] | np.ndarray | None = None,
    exclude_items: np.ndarray | None = None,
    chunk_size: int = 2048,
) -> Neighbours:
    """The `k` items closest to each item by cosine similarity of item representations (itself left out).

    `exclude_items` (item rows, e.g. sold out) never appear as neighbours. Rows follow `item_rows` (all items by
    default).
    """
    embeddings = model.item_representations.astype(np.float32)
    norms = np.linalg.norm(embeddings, axis=1)
    norms[norms == 0] = 1.0
    unit = embeddings / norms[:, None]
    rows = np.arange(model.n_items) if item_rows is None else np.asarray(item_rows, dtype=np.int64)
    items = np.empty((len(rows), k), dtype=np.int64)
    scores = np.empty((len(rows), k), dtype=np.float32)
    for start in range(0, len(rows), chunk_size):
        chunk = rows[start : start + chunk_size]
        sims = unit[chunk] @ unit.T
        sims[np.arange(len(chunk)), chunk] = -np.inf
        if exclude_items is not None and len(exclude_items):
            sims[:, exclude_items] = -np.inf
        items[start : start + len(chunk)], scores[start : start + len(chunk)] = top_k_from_scores(
            sims, k
        )
    return Neighbours(items=items, scores=scores)


def bought_together(
    basket_ids: np.ndarray,
    item_rows: np.ndarray,
    *,
    n_items: int,
    k: int = 8,
    min_count: int = 1,
) -> Neighbours:
    """Items most often bought in the same basket (an order, or a shopper's purchases) as each item.

    `basket_ids[i]` and `item_rows[i]` describe one purchase. Scores are co-purchase counts; pairs seen fewer than
    `min_count` times are dropped; ties go to the lower item row.
    """
    _, baskets = np.unique(np.asarray(basket_ids), return_inverse=True)
    items = np.asarray(item_rows, dtype=np.int64)
    if len(items) == 0:
        return Neighbours(
            items=np.full((n_items, k), -1, dtype=np.int64),
            scores=np.full((n_items, k), -np.inf, dtype=np.float32),
        )
    matrix = sp.csr_matrix(
        (np.ones(len(items), dtype=np.float32), (baskets, items)),
        shape=(baskets.max() + 1, n_items),
    )
    matrix.data[:] = 1.0
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    co = (matrix.T @ matrix).tocsr()
    co.setdiag(0)
    co.eliminate_zeros()
    co.data[co.data < min_count] = 0
    co.eliminate_zeros()
    out_items = np.full((n_items, k), -1, dtype=np.int64)
    out_scores = np.full((n_items, k), -np.inf, dtype=np.float32)
    for row in range(n_items):
        start, stop = co.indptr[row], co.indptr[row + 1]
        if start == stop:
            continue
        cols, counts = co.indices[start:stop], co.data[start:stop]
        order = np.lexsort((cols, -counts))[:k]
        out_items[row, : len(order)] = cols[order]
        out_scores[row, : len(order)] = counts[order]
    return Neighbours(items=out_items, scores=out_scores)


def trending(
    item_rows: np.ndarray,
    timestamps: np.ndarray,
    *,
    n_items: int,
    now: float,
    weights: np.ndarray | None = None,
    half_life_days: float = 7.0,
    k: int = 10,
    exclude_items: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Items by popularity decayed with age: each event counts `weight * 0.5 ** (age / half_life)`.

    Returns `(item_rows, scores)` of the best `k`, best first (items with no events are left out).
    """
    item_rows = np.asarray(item_rows, dtype=np.int64)
    age_days = np.clip((now - np.asarray(timestamps, dtype=np.float64)) / 86400.0, 0.0, None)
    decay = 0.5 ** (age_days / half_life_days)
    if weights is not None:
        decay = decay * np.asarray(weights, dtype=np.float64)
    scores = np.bincount(item_rows, weights=decay, minlength=n_items).astype(np.float32)
    scores[scores <= 0] = -np.inf
    if exclude_items is not None and len(exclude_items):
        scores[np.asarray(exclude_items, dtype=np.int64)] = -np.inf
    items, values = top_k_from_scores(scores[None, :], k)
    keep = items[0] >= 0
    return items[0][keep], values[0][keep]
