"""The recommender's inputs and results as frozen dataclasses over plain numpy/scipy values.

Keys (`user_keys`, `item_keys`) are whatever the caller uses to name users and items (database ids, external ids);
the core only maps them to matrix rows and back.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "SIGNAL_KINDS",
    "Dataset",
    "EvaluationReport",
    "InteractionLog",
    "ItemMeta",
    "Metrics",
    "Neighbours",
    "PopularityBlend",
    "Reason",
    "TrainingParams",
    "UserMeta",
]

SIGNAL_KINDS = ("view", "like", "wishlist", "cart", "purchase", "rating")


@dataclass(frozen=True)
class TrainingParams:
    """Hyper-parameters of training and of the feature matrices. Defaults suit a small shop.

    `signal_weights` weighs each kind of interaction (a purchase counts more than a view); a rating's weight is
    scaled by its value (`rating_scale` is the top of the scale). Ages decay with `half_life_days`. Feature
    weights set how much of each row's (normalised) weight goes to identity and to each side feature group.
    With `num_threads > 1` LightFM trains lock-free in parallel, so results are only bit-for-bit reproducible
    with `num_threads=1`.
    """

    no_components: int = 32
    loss: str = "warp"
    learning_rate: float = 0.05
    item_alpha: float = 0.0
    user_alpha: float = 0.0
    max_sampled: int = 10
    max_epochs: int = 40
    min_epochs: int = 3
    patience: int = 4
    validation_fraction: float = 0.1
    validation_max_users: int = 1500
    # Validation users are also capped so that scoring them over the catalogue stays within this many
    # (user, item) scores per pass (at least 300 users): 100,000 items -> 500 users. Same for cold users / 4.
    validation_max_scores: int = 50_000_000
    # After early stopping: "continue" resumes the best-epoch model on all data (validation part included) for
    # `refit_epochs` epochs; "full" trains a fresh model on all data for the best epoch count (about twice the
    # time); "none" keeps the best-epoch model as it is.
    refit: str = "continue"
    refit_epochs: int = 1
    seed: int = 42
    num_threads: int = 2
    k: int = 10
    # Signals: weight per kind, decayed with age.
    signal_weights: tuple[tuple[str, float], ...] = (
        ("view", 1.0),
        ("like", 2.0),
        ("wishlist", 2.5),
        ("cart", 3.0),
        ("purchase", 5.0),
        ("rating", 4.0),
    )
    rating_scale: float = 5.0
    half_life_days: float = 180.0
    min_decay: float = 0.1
    use_sample_weights: bool = True
    # Feature weights (relative, before each row is normalised to sum 1).
    user_identity_weight: float = 1.0
    followee_weight: float = 1.0
    user_attribute_weight: float = 0.5
    favourite_category_weight: float = 0.5
    item_identity_weight: float = 1.0
    category_weight: float = 0.5
    tag_weight: float = 0.5
    price_weight: float = 0.1
    text_weight: float = 0.3
    price_bands: int = 5
    max_text_terms: int = 20
    min_term_items: int = 2
    # Popularity blend for users with little history, tuned on the validation split.
    tune_blend: bool = True
    light_user_threshold: int = 5
    cold_validation_fraction: float = 0.1
    # The noise test, in standard errors of the paired per-user difference on validation: a LightFM popularity
    # weight must beat popularity alone by more than this (and by 3% relative); in model selection a blend
    # must beat the best single family, the chosen recipe popularity, and a group's own best candidate the
    # recipe chosen on all validation users, each by more than this.
    blend_min_z: float = 2.0
    # Model selection: the families tried on the validation split (the LightFM hybrid always trains, since
    # cold shoppers, similar items and reasons come from it), each family's settings to try, and the blends.
    families: tuple[str, ...] = ("lightfm", "als", "ease", "item_knn", "popularity")
    als_settings: tuple[tuple[int, float, float], ...] = ((64, 0.05, 10.0),)  # factors, reg, alpha
    als_iterations: int = 12
    als_refit_iterations: int = 4
    ease_regularisations: tuple[float, ...] = (100.0, 500.0)
    ease_max_items: int = 3000
    knn_neighbours: tuple[int, ...] = (50, 200)
    blend_families: int = 3
    blend_weights: tuple[float, ...] = (0.25, 0.5, 0.75)
    # False only for peer benchmarks: serve the best candidate even when it does not beat popularity.
    popularity_guard: bool = True

    def signal_weight(self, kind: str) -> float:
        return dict(self.signal_weights).get(kind, 0.0)

    def replace(self, **changes: Any) -> TrainingParams:
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class InteractionLog:
    """One row per event: who (`user_keys`), what (`item_keys`), which signal (`kinds`, one of SIGNAL_KINDS),
    the rating for `rating` rows (`values`, NaN otherwise) and when (`timestamps`, Unix seconds, NaN if unknown).
    """

    user_keys: np.ndarray
    item_keys: np.ndarray
    kinds: np.ndarray
    values: np.ndarray
    timestamps: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.user_keys)
        for name in ("item_keys", "kinds", "values", "timestamps"):
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"InteractionLog.{name} has {len(getattr(self, name))} rows, expected {n}"
                )

    def __len__(self) -> int:
        return len(self.user_keys)

    @classmethod
    def from_rows(
        cls, rows: Sequence[tuple[Hashable, Hashable, str, float | None, float | None]]
    ) -> InteractionLog:
        """Build from (user_key, item_key, kind, value, timestamp) tuples; None means unknown."""
        users = np.empty(len(rows), dtype=object)
        items = np.empty(len(rows), dtype=object)
        kinds = np.empty(len(rows), dtype=object)
        values = np.full(len(rows), np.nan)
        stamps = np.full(len(rows), np.nan)
        for i, (user, item, kind, value, stamp) in enumerate(rows):
            users[i], items[i], kinds[i] = user, item, kind
            if value is not None:
                values[i] = value
            if stamp is not None:
                stamps[i] = stamp
        return cls(users, items, kinds, values, stamps)

    @classmethod
    def concat(cls, logs: Sequence[InteractionLog]) -> InteractionLog:
        return cls(
            np.concatenate([log.user_keys.astype(object) for log in logs]),
            np.concatenate([log.item_keys.astype(object) for log in logs]),
            np.concatenate([log.kinds.astype(object) for log in logs]),
            np.concatenate([log.values.astype(float) for log in logs]),
            np.concatenate([log.timestamps.astype(float) for log in logs]),
        )


@dataclass(frozen=True)
class UserMeta:
    """Side information about a user: attributes (`{"age": "25-34"}`) and categories chosen at sign-up."""

    key: Hashable
    attributes: Mapping[str, str] = field(default_factory=dict)
    favourite_categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class ItemMeta:
    """Side information about an item. `category_path` runs from the root to the item's own category."""

    key: Hashable
    category_path: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    price: float | None = None
    title: str = ""
    description: str = ""


@dataclass(frozen=True)
class Dataset:
    """Everything training needs, as matrices with id maps.

    `interactions` is binary (users x items), `weights` has the same pattern with the decayed signal weights.
    Feature matrices are row-normalised (each row sums to 1, LightFM's convention). `user_follows` holds each
    user's followees (users x users, binary) so cold users can be represented from their follows.
    """

    user_keys: np.ndarray
    item_keys: np.ndarray
    interactions: sp.csr_matrix
    weights: sp.csr_matrix
    user_features: sp.csr_matrix
    item_features: sp.csr_matrix
    user_feature_names: tuple[str, ...]
    item_feature_names: tuple[str, ...]
    user_follows: sp.csr_matrix
    params: TrainingParams

    @property
    def n_users(self) -> int:
        return len(self.user_keys)

    @property
    def n_items(self) -> int:
        return len(self.item_keys)

    def user_index(self) -> dict[Hashable, int]:
        return {key: row for row, key in enumerate(self.user_keys.tolist())}

    def item_index(self) -> dict[Hashable, int]:
        return {key: row for row, key in enumerate(self.item_keys.tolist())}

    def with_interactions(self, interactions: sp.csr_matrix, weights: sp.csr_matrix) -> Dataset:
        """The same users, items and features with other interactions (a training split)."""
        return dataclasses.replace(self, interactions=interactions.tocsr(), weights=weights.tocsr())


@dataclass(frozen=True)
class PopularityBlend:
    """How much popularity is mixed into each kind of user's scores (0 = the model alone).

    Scores are standardised per user, then `weight * standardised log-popularity` is added. The weights are
    chosen on the validation split, never on test data.
    """

    light_weight: float = 0.0
    heavy_weight: float = 0.0
    cold_weight: float = 0.0
    light_threshold: int = 5

    def weights_for_counts(self, counts: np.ndarray) -> np.ndarray:
        return np.where(counts <= self.light_threshold, self.light_weight, self.heavy_weight)


@dataclass(frozen=True)
class Metrics:
    precision: float
    recall: float
    ndcg: float
    map: float
    hit_rate: float
    auc: float
    n_users: int

    def as_dict(self) -> dict[str, float]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class EvaluationReport:
    """Ranking quality at `k` for all test users and for users with at most `light_threshold` training items."""

    k: int
    overall: Metrics
    light_users: Metrics
    light_threshold: int = 5

    def as_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "overall": self.overall.as_dict(),
            "light_users": self.light_users.as_dict(),
            "light_threshold": self.light_threshold,
        }


@dataclass(frozen=True)
class Neighbours:
    """Per-item neighbour lists: `items[i]` are item rows (-1 pads short lists), `scores[i]` their scores."""

    items: np.ndarray
    scores: np.ndarray

    def for_item(self, row: int) -> list[tuple[int, float]]:
        return [
            (int(item), float(score))
            for item, score in zip(self.items[row], self.scores[row], strict=True)
            if item >= 0
        ]


@dataclass(frozen=True)
class Reason:
    """Why an item was recommended. `kind` is `followee` (a followed account drove the score or interacted with
    the item), `similar_item` (close to an item in the user's history), `category` (a favourite or usual
    category), `attribute` or `popular`. `key` names the followee, item or category; `strength` orders reasons.
    """

    kind: str
    key: Hashable
    strength: float
