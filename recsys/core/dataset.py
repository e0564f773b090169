"""Turning an interaction log plus side information into LightFM's matrices.

Signals are weighted by kind (a purchase counts more than a view), decayed with age, and deduplicated per user
and item (the strongest decayed signal wins, so repeated views do not drown a purchase). Users get an identity
feature, one feature per followee (the followee block shares `followee_weight` evenly) and attribute features;
items get identity, their category and its ancestors, tags, a price band and text terms from title and
description. Every feature row is normalised to sum 1.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence

import numpy as np
import scipy.sparse as sp

from recsys.core.types import Dataset, InteractionLog, ItemMeta, TrainingParams, UserMeta

__all__ = [
    "build_dataset",
    "identity_only",
    "interaction_weights",
    "text_terms",
    "user_feature_row",
]

_SECONDS_PER_DAY = 86400.0
_WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "this",
        "that",
        "these",
        "those",
        "are",
        "was",
        "were",
        "you",
        "your",
        "our",
        "their",
        "its",
        "his",
        "her",
        "not",
        "but",
        "all",
        "any",
        "can",
        "has",
        "have",
        "had",
        "into",
        "onto",
        "over",
        "under",
        "than",
        "then",
        "them",
        "they",
        "out",
        "off",
        "one",
        "two",
        "new",
        "more",
        "most",
        "very",
        "just",
        "also",
        "only",
        "such",
        "each",
        "other",
        "some",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "why",
        "how",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "about",
        "after",
        "before",
        "again",
        "against",
        "between",
        "both",
        "down",
        "during",
        "few",
        "here",
        "own",
        "same",
        "too",
    ]
)


def text_terms(text: str) -> list[str]:
    """Lower-cased words of three letters or more, without common English stop words."""
    return [word for word in _WORD.findall(text.lower()) if word not in _STOPWORDS]


def interaction_weights(
    log: InteractionLog, params: TrainingParams, *, now: float | None
) -> np.ndarray:
    """Weight of every event: the kind's weight, scaled by a rating's value, decayed by age (half-life)."""
    kinds = log.kinds.astype(str)
    base = np.zeros(len(log), dtype=np.float64)
    for kind, weight in params.signal_weights:
        base[kinds == kind] = weight
    is_rating = kinds == "rating"
    if is_rating.any():
        values = np.nan_to_num(log.values[is_rating], nan=params.rating_scale)
        base[is_rating] *= np.clip(values / params.rating_scale, 0.1, 1.0)
    stamps = log.timestamps.astype(np.float64)
    known = ~np.isnan(stamps)
    if known.any() and params.half_life_days > 0:
        reference = float(np.nanmax(stamps)) if now is None else now
        age_days = np.clip((reference - stamps[known]) / _SECONDS_PER_DAY, 0.0, None)
        decay = np.maximum(0.5 ** (age_days / params.half_life_days), params.min_decay)
        base[known] *= decay
    return base


def _key_index(keys: Iterable[Hashable]) -> tuple[np.ndarray, dict[Hashable, int]]:
    index: dict[Hashable, int] = {}
    for key in keys:
        if key not in index:
            index[key] = len(index)
    ordered = np.empty(len(index), dtype=object)
    for key, row in index.items():
        ordered[row] = key
    return ordered, index


def _normalise_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    matrix = matrix.tocsr().astype(np.float32)
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    sums[sums == 0] = 1.0
    return (sp.diags(1.0 / sums).astype(np.float32) @ matrix).tocsr()


class _FeatureSpace:
    """Collects (row, feature name, weight) triples and assigns feature columns in first-seen order."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.data: list[float] = []

    def add(self, row: int, name: str, weight: float) -> None:
        if weight <= 0:
            return
        col = self.names.setdefault(name, len(self.names))
        self.rows.append(row)
        self.cols.append(col)
        self.data.append(weight)

    def add_group(self, row: int, names: Sequence[str], total: float) -> None:
        """Share `total` evenly across `names` (so one followee of many weighs less than an only followee)."""
        unique = list(dict.fromkeys(names))
        for name in unique:
            self.add(row, name, total / len(unique))

    def matrix(self, n_rows: int) -> tuple[sp.csr_matrix, tuple[str, ...]]:
        matrix = sp.csr_matrix(
            (np.asarray(self.data, dtype=np.float32), (self.rows, self.cols)),
            shape=(n_rows, len(self.names)),
        )
        matrix.sum_duplicates()
        ordered = tuple(sorted(self.names, key=self.names.__getitem__))
        return _normalise_rows(matrix), ordered


def _price_band_edges(prices: np.ndarray, bands: int) -> np.ndarray:
    if len(prices) == 0 or bands < 2:
        return np.array([])
    return np.unique(np.quantile(prices, np.linspace(0, 1, bands + 1)[1:-1]))


def user_feature_row(
    *,
    feature_names: Sequence[str] | Mapping[str, int],
    params: TrainingParams,
    user_key: Hashable | None = None,
    followees: Sequence[Hashable] = (),
    attributes: Mapping[str, str] | None = None,
    favourite_categories: Sequence[str] = (),
) -> sp.csr_matrix:
    """One normalised user feature row in an existing feature space; unknown features are dropped.

    Used for users outside training: a new shopper (no `user_key`, or a key without an identity feature) is
    represented by their followees, attributes and chosen categories only.
    """
    index = (
        feature_names
        if isinstance(feature_names, Mapping)
        else {name: col for col, name in enumerate(feature_names)}
    )
    weights: dict[int, float] = {}

    def add(name: str, weight: float) -> None:
        col = index.get(name)
        if col is not None and weight > 0:
            weights[col] = weights.get(col, 0.0) + weight

    if user_key is not None:
        add(f"user:{user_key}", params.user_identity_weight)
    known_followees = [
        f"follows:{key}" for key in dict.fromkeys(followees) if f"follows:{key}" in index
    ]
    for name in known_followees:
        add(name, params.followee_weight / len(known_followees))
    for name, value in (attributes or {}).items():
        add(f"attr:{name}={value}", params.user_attribute_weight)
    known_categories = [
        f"likes:{name}" for name in dict.fromkeys(favourite_categories) if f"likes:{name}" in index
    ]
    for name in known_categories:
        add(name, params.favourite_category_weight / len(known_categories))
    cols = np.fromiter(weights.keys(), dtype=np.int32, count=len(weights))
    data = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
    row = sp.csr_matrix((data, (np.zeros(len(cols), dtype=np.int32), cols)), shape=(1, len(index)))
    return _normalise_rows(row)


def build_dataset(
    log: InteractionLog,
    *,
    params: TrainingParams | None = None,
    users: Sequence[UserMeta] = (),
    items: Sequence[ItemMeta] = (),
    follows: Sequence[tuple[Hashable, Hashable]] = (),
    now: float | None = None,
) -> Dataset:
    """Build the matrices for training.

    Users are every user in `log`, `users` and `follows` (followers and followees); items are every item in
    `log` and `items`. `now` (Unix seconds) anchors the age decay; by default the newest event, so the same
    input always gives the same matrices.
    """
    params = params or TrainingParams()
    user_keys, user_index = _key_index(
        [
            *log.user_keys.tolist(),
            *(u.key for u in users),
            *(a for a, _ in follows),
            *(b for _, b in follows),
        ]
    )
    item_keys, item_index = _key_index([*log.item_keys.tolist(), *(i.key for i in items)])
    n_users, n_items = len(user_keys), len(item_keys)

    # Interactions: strongest decayed signal per (user, item).
    weights = interaction_weights(log, params, now=now)
    rows = np.fromiter(
        (user_index[k] for k in log.user_keys.tolist()), dtype=np.int64, count=len(log)
    )
    cols = np.fromiter(
        (item_index[k] for k in log.item_keys.tolist()), dtype=np.int64, count=len(log)
    )
    keep = weights > 0
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    pair = rows * n_items + cols
    order = np.lexsort((-weights, pair))
    pair, weights = pair[order], weights[order]
    first = np.ones(len(pair), dtype=bool)
    first[1:] = pair[1:] != pair[:-1]
    pair, weights = pair[first], weights[first]
    u, i = pair // max(n_items, 1), pair % max(n_items, 1)
    weight_matrix = sp.csr_matrix(
        (weights.astype(np.float32), (u, i)), shape=(n_users, n_items), dtype=np.float32
    )
    interactions = weight_matrix.copy()
    interactions.data = np.ones_like(interactions.data)

    # Follows.
    follow_rows = [user_index[a] for a, b in follows if a != b]
    follow_cols = [user_index[b] for a, b in follows if a != b]
    follow_matrix = sp.csr_matrix(
        (np.ones(len(follow_rows), dtype=np.float32), (follow_rows, follow_cols)),
        shape=(n_users, n_users),
    )
    follow_matrix.sum_duplicates()
    follow_matrix.data[:] = 1.0

    # User features.
    user_space = _FeatureSpace()
    for row, key in enumerate(user_keys.tolist()):
        user_space.add(row, f"user:{key}", params.user_identity_weight)
    if params.followee_weight > 0:
        for row in range(n_users):
            followees = follow_matrix.indices[
                follow_matrix.indptr[row] : follow_matrix.indptr[row + 1]
            ]
            if len(followees):
                user_space.add_group(
                    row, [f"follows:{user_keys[f]}" for f in followees], params.followee_weight
                )
    for meta in users:
        row = user_index[meta.key]
        for name, value in meta.attributes.items():
            if value not in (None, ""):
                user_space.add(row, f"attr:{name}={value}", params.user_attribute_weight)
        if meta.favourite_categories:
            user_space.add_group(
                row,
                [f"likes:{c}" for c in meta.favourite_categories],
                params.favourite_category_weight,
            )
    user_features, user_feature_names = user_space.matrix(n_users)

    # Item features.
    item_space = _FeatureSpace()
    for row, key in enumerate(item_keys.tolist()):
        item_space.add(row, f"item:{key}", params.item_identity_weight)
    metas = [m for m in items if m.key in item_index]
    prices = np.array([m.price for m in metas if m.price is not None], dtype=np.float64)
    edges = _price_band_edges(prices, params.price_bands)
    term_lists = {m.key: text_terms(f"{m.title} {m.description}") for m in metas}
    if params.text_weight > 0:
        document_frequency = Counter(t for terms in term_lists.values() for t in set(terms))
        max_df = max(params.min_term_items, int(0.3 * len(metas)))
        vocabulary = {
            t for t, df in document_frequency.items() if params.min_term_items <= df <= max_df
        }
    else:
        vocabulary = set()
    for item in metas:
        row = item_index[item.key]
        path = [c for c in item.category_path if c]
        if path and params.category_weight > 0:
            # The item's own category weighs most; each ancestor half as much as its child.
            shares = np.array([0.5 ** (len(path) - 1 - d) for d in range(len(path))])
            shares = shares / shares.sum() * params.category_weight
            for name, share in zip(path, shares, strict=True):
                item_space.add(row, f"category:{name}", float(share))
        tags = [t.strip().lower() for t in item.tags if t and t.strip()]
        if tags and params.tag_weight > 0:
            item_space.add_group(row, [f"tag:{t}" for t in tags], params.tag_weight)
        if item.price is not None and params.price_weight > 0 and len(prices):
            band = int(np.searchsorted(edges, float(item.price), side="right"))
            item_space.add(row, f"price:{band}", params.price_weight)
        terms = [t for t in dict.fromkeys(term_lists[item.key]) if t in vocabulary]
        if terms:
            item_space.add_group(
                row, [f"term:{t}" for t in terms[: params.max_text_terms]], params.text_weight
            )
    item_features, item_feature_names = item_space.matrix(n_items)

    return Dataset(
        user_keys=user_keys,
        item_keys=item_keys,
        interactions=interactions.tocsr(),
        weights=weight_matrix.tocsr(),
        user_features=user_features,
        item_features=item_features,
        user_feature_names=user_feature_names,
        item_feature_names=item_feature_names,
        user_follows=follow_matrix.tocsr(),
        params=params,
    )


def identity_only(dataset: Dataset) -> Dataset:
    """The same data with identity features only (plain matrix factorisation, the reference model)."""
    import dataclasses

    return dataclasses.replace(
        dataset,
        user_features=sp.identity(dataset.n_users, dtype=np.float32, format="csr"),
        item_features=sp.identity(dataset.n_items, dtype=np.float32, format="csr"),
        user_feature_names=tuple(f"user:{k}" for k in dataset.user_keys.tolist()),
        item_feature_names=tuple(f"item:{k}" for k in dataset.item_keys.tolist()),
    )
