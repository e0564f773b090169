"""Representations of shoppers the model did not train on (new shoppers, follows changed, cold users): from
their followees' learned follow features, the followees' own taste, attributes and chosen categories. The
LightFM hybrid's vectors, so scoring them is `score_matrix` as for any shopper.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from recsys.core.dataset import user_feature_row
from recsys.core.model import TrainedModel

__all__ = ["UserVectors", "follow_only_representations", "user_representation_from_features"]

UserVectors = tuple[np.ndarray, np.ndarray]
"""(embeddings n x d, biases n) of users, as returned by `user_representation_from_features`."""


def _followee_taste(model: TrainedModel, followee_rows: np.ndarray) -> UserVectors | None:
    trained = followee_rows[model.user_train_counts[followee_rows] > 0]
    if len(trained) == 0:
        return None
    vectors, biases = model.user_representations(model.user_features[trained])
    return vectors.mean(axis=0), np.asarray(biases.mean(), dtype=np.float32)


def user_representation_from_features(
    model: TrainedModel,
    *,
    followees: Sequence[Hashable] = (),
    favourite_categories: Sequence[str] = (),
    attributes: Mapping[str, str] | None = None,
    user_key: Hashable | None = None,
) -> UserVectors:
    """A representation for a user the model was not trained on (or whose follows changed), without retraining.

    Mixes (1) the learned embeddings of the user's features (one per followee the model knows, attributes,
    chosen categories), (2) the mean taste of the followees themselves (their own trained representations,
    weighted by the model's validated `followee_taste_weight`), and (3) for chosen categories, the mean
    representation of trained users who interacted with items of that category. Returns arrays shaped (1, d)
    and (1,), ready for `top_k(..., user_vectors=...)`; a user with nothing known gets zeros (popularity via the
    item biases).
    """
    dim = model.no_components
    parts: list[tuple[float, np.ndarray, float]] = []
    row = user_feature_row(
        feature_names=model.user_feature_index(),
        params=model.params,
        user_key=user_key,
        followees=followees,
        attributes=attributes,
        favourite_categories=favourite_categories,
    )
    if row.nnz:
        vectors, biases = model.user_representations(row)
        parts.append((1.0, vectors[0], float(biases[0])))
    user_index = model.user_index()
    followee_rows = np.array([user_index[f] for f in followees if f in user_index], dtype=np.int64)
    if len(followee_rows) and model.followee_taste_weight > 0:
        taste = _followee_taste(model, followee_rows)
        if taste is not None:
            weight = model.followee_taste_weight
            parts = [(w * (1.0 - weight), v, b) for w, v, b in parts]
            parts.append((weight, taste[0], float(taste[1])))
    centroids = [
        model.category_centroids[c] for c in favourite_categories if c in model.category_centroids
    ]
    if centroids and not any(name.startswith("likes:") for name in _row_names(model, row)):
        vector = np.mean([c[0] for c in centroids], axis=0)
        bias = float(np.mean([c[1] for c in centroids]))
        parts.append((model.params.favourite_category_weight, vector, bias))
    if not parts:
        return np.zeros((1, dim), dtype=np.float32), np.zeros(1, dtype=np.float32)
    total = sum(w for w, _, _ in parts) or 1.0
    vector = sum(w * v for w, v, _ in parts) / total
    bias = sum(w * b for w, _, b in parts) / total
    return np.asarray(vector, dtype=np.float32)[None, :], np.array([bias], dtype=np.float32)


def follow_only_representations(
    model: TrainedModel,
    *,
    follows: sp.csr_matrix,
    user_keys: Sequence[Hashable] | np.ndarray,
    rows: Sequence[int] | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Vectors (n, d) and biases (n,) for users `rows` scored from whom they follow alone (cold users): what
    `user_representation_from_features(model, followees=...)` gives for each row's followees (columns of
    `follows`, named by `user_keys`), computed for all rows at once.

    Per row: the learned embeddings of the followees' follow features (each followee the model knows as a
    feature weighs the same), mixed with the mean trained representation of the followees the model trained
    on, by `followee_taste_weight`."""
    rows = np.asarray(rows, dtype=np.int64)
    dim = model.no_components
    if len(rows) == 0:
        return np.zeros((0, dim), dtype=np.float32), np.zeros(0, dtype=np.float32)
    followed = follows.tocsr()[rows]
    followed.data[:] = 1.0
    keys = np.asarray(user_keys, dtype=object)
    # Follow features: column of "follows:<key>" for each followee column (-1 when the model has none).
    feature_index = model.user_feature_index()
    feature_col = np.array(
        [feature_index.get(f"follows:{key}", -1) for key in keys.tolist()], dtype=np.int64
    )
    coo = followed.tocoo()
    cols = feature_col[coo.col]
    known = cols >= 0
    features = sp.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.float32), (coo.row[known], cols[known])),
        shape=(len(rows), len(model.user_feature_names)),
    )
    features.sum_duplicates()
    counts = np.asarray(features.sum(axis=1)).ravel()
    features = sp.diags(1.0 / np.maximum(counts, 1)).astype(np.float32) @ features
    feature_vectors, feature_biases = model.user_representations(features)
    has_features = counts > 0
    # Followees' own taste: the mean representation of the followees the model trained on.
    user_index = model.user_index()
    model_row = np.array([user_index.get(key, -1) for key in keys.tolist()], dtype=np.int64)
    target = model_row[coo.col]
    trained = (target >= 0) & (model.user_train_counts[np.maximum(target, 0)] > 0)
    taste = sp.csr_matrix(
        (np.ones(int(trained.sum()), dtype=np.float32), (coo.row[trained], target[trained])),
        shape=(len(rows), model.n_users),
    )
    taste.sum_duplicates()
    taste.data[:] = 1.0
    taste_counts = np.asarray(taste.sum(axis=1)).ravel()
    weight = float(model.followee_taste_weight)
    has_taste = (taste_counts > 0) & (weight > 0)
    taste_vectors = np.zeros((len(rows), dim), dtype=np.float32)
    taste_biases = np.zeros(len(rows), dtype=np.float32)
    if has_taste.any():
        needed = np.unique(taste.indices)
        vectors_all, biases_all = model.user_representations(model.user_features[needed])
        position = np.full(model.n_users, -1, dtype=np.int64)
        position[needed] = np.arange(len(needed))
        taste = sp.csr_matrix(
            (taste.data, position[taste.indices], taste.indptr), shape=(len(rows), len(needed))
        )
        mean = sp.diags(1.0 / np.maximum(taste_counts, 1)).astype(np.float32) @ taste
        taste_vectors = np.asarray(mean @ vectors_all, dtype=np.float32)
        taste_biases = np.asarray(mean @ biases_all, dtype=np.float32).ravel()
    feature_share = np.where(has_features, np.where(has_taste, 1.0 - weight, 1.0), 0.0)
    taste_share = np.where(has_taste, weight, 0.0)
    total = feature_share + taste_share
    total[total == 0] = 1.0
    vectors = (
        feature_share[:, None] * feature_vectors + taste_share[:, None] * taste_vectors
    ) / total[:, None]
    biases = (feature_share * feature_biases + taste_share * taste_biases) / total
    return vectors.astype(np.float32), biases.astype(np.float32)


def _row_names(model: TrainedModel, row: sp.csr_matrix) -> list[str]:
    return [model.user_feature_names[c] for c in row.indices]
