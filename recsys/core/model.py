"""A trained recommender: the LightFM model plus everything needed to score without the training data.

Item representations (item feature embeddings summed by the item feature matrix, with biases) are computed once
at training time, so scoring a user is one matrix product. Saved with pickle to a temporary file in the target
folder and renamed into place, so a reader never sees a half-written artefact. Only load artefacts this
application wrote (pickle runs code from the file).
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from recsys.core.selection import SelectionReport, ServedFamilies
from recsys.core.types import PopularityBlend, TrainingParams

__all__ = ["TrainedModel"]

_FORMAT_VERSION = 1


@dataclass(frozen=True)
class TrainedModel:
    params: TrainingParams
    lightfm: Any
    user_keys: np.ndarray
    item_keys: np.ndarray
    user_features: sp.csr_matrix
    item_features: sp.csr_matrix
    user_feature_names: tuple[str, ...]
    item_feature_names: tuple[str, ...]
    user_feature_embeddings: np.ndarray
    user_feature_biases: np.ndarray
    item_representations: np.ndarray
    item_biases: np.ndarray
    # Training interaction count per user row and popularity per item row (for blending and cold users).
    user_train_counts: np.ndarray
    item_popularity: np.ndarray
    user_follows: sp.csr_matrix
    blend: PopularityBlend = field(default_factory=PopularityBlend)
    followee_taste_weight: float = 0.5
    # Mean user representation of the users who interacted with each category (for "picked categories").
    category_centroids: dict[str, tuple[np.ndarray, float]] = field(default_factory=dict)
    validation_curve: tuple[float, ...] = ()
    best_epoch: int = 0
    epochs_run: int = 0
    train_seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    # The families chosen on validation for trained shoppers (None: the LightFM hybrid with its blend, as
    # before model selection existed), and the report of that choice.
    served: ServedFamilies | None = None
    selection: SelectionReport | None = None

    @property
    def n_users(self) -> int:
        return len(self.user_keys)

    @property
    def n_items(self) -> int:
        return len(self.item_keys)

    @property
    def no_components(self) -> int:
        return self.item_representations.shape[1]

    def __getstate__(self) -> dict[str, Any]:
        # Lookup tables built by `_cached` are rebuilt after loading, not written into the artefact.
        return {key: value for key, value in self.__dict__.items() if not key.startswith("_")}

    def _cached(self, name: str, build):
        # Frozen dataclass: lookup tables are built once per loaded model and kept on the instance.
        value = self.__dict__.get(name)
        if value is None:
            value = build()
            object.__setattr__(self, name, value)
        return value

    def user_index(self) -> dict[Hashable, int]:
        """Key -> row (built once; do not modify the returned dict)."""
        return self._cached(
            "_user_index", lambda: {key: row for row, key in enumerate(self.user_keys.tolist())}
        )

    def item_index(self) -> dict[Hashable, int]:
        """Key -> row (built once; do not modify the returned dict)."""
        return self._cached(
            "_item_index", lambda: {key: row for row, key in enumerate(self.item_keys.tolist())}
        )

    def user_key_set(self) -> frozenset[Hashable]:
        return self._cached("_user_key_set", lambda: frozenset(self.user_keys.tolist()))

    def user_feature_index(self) -> dict[str, int]:
        return self._cached(
            "_user_feature_index",
            lambda: {name: col for col, name in enumerate(self.user_feature_names)},
        )

    def user_representations(self, feature_rows: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """(embeddings, biases) of users given their feature rows."""
        feature_rows = sp.csr_matrix(feature_rows, dtype=np.float32)
        vectors = np.asarray(feature_rows @ self.user_feature_embeddings, dtype=np.float32)
        biases = np.asarray(feature_rows @ self.user_feature_biases, dtype=np.float32).ravel()
        return vectors, biases

    def item_embedding_matrix(self) -> np.ndarray:
        return self.item_representations

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write atomically: a temporary file next to `path`, fsynced, then renamed over it."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                pickle.dump(
                    {"format": _FORMAT_VERSION, "model": self},
                    stream,
                    protocol=pickle.HIGHEST_PROTOCOL,
                )
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, target)
        except BaseException:
            if os.path.exists(temp_name):
                os.unlink(temp_name)
            raise
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TrainedModel:
        with open(path, "rb") as stream:
            payload = pickle.load(stream)  # noqa: S301 - only artefacts this application wrote
        if not isinstance(payload, dict) or payload.get("format") != _FORMAT_VERSION:
            raise ValueError(f"{path} is not a recommender artefact of format {_FORMAT_VERSION}")
        model = payload["model"]
        if not isinstance(model, cls):
            raise ValueError(f"{path} does not hold a TrainedModel")
        return model
