"""The one module that imports `lightfm` (rectools-lightfm 1.17.3): choosing another build is a one-file change.

Everything else in `recsys.core` works on the plain numpy arrays this module hands out, so scoring, similarity
and explanations never depend on LightFM internals.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from lightfm import LightFM

__all__ = [
    "LightFM",
    "fit_epoch",
    "model_arrays",
    "new_model",
    "predict",
    "restore_state",
    "snapshot_state",
]

_STATE_FIELDS = (
    "item_embeddings",
    "item_embedding_gradients",
    "item_embedding_momentum",
    "item_biases",
    "item_bias_gradients",
    "item_bias_momentum",
    "user_embeddings",
    "user_embedding_gradients",
    "user_embedding_momentum",
    "user_biases",
    "user_bias_gradients",
    "user_bias_momentum",
)


def new_model(
    *,
    no_components: int,
    loss: str,
    learning_rate: float,
    item_alpha: float,
    user_alpha: float,
    max_sampled: int,
    seed: int,
) -> LightFM:
    return LightFM(
        no_components=no_components,
        loss=loss,
        learning_rate=learning_rate,
        item_alpha=item_alpha,
        user_alpha=user_alpha,
        max_sampled=max_sampled,
        random_state=np.random.RandomState(seed),
    )


def fit_epoch(
    model: LightFM,
    *,
    interactions: sp.coo_matrix,
    sample_weight: sp.coo_matrix | None,
    user_features: sp.csr_matrix,
    item_features: sp.csr_matrix,
    num_threads: int,
) -> None:
    """One pass over the interactions (LightFM's `fit_partial` with `epochs=1`)."""
    model.fit_partial(
        interactions,
        user_features=user_features,
        item_features=item_features,
        sample_weight=sample_weight,
        epochs=1,
        num_threads=num_threads,
    )


def model_arrays(model: LightFM) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(user feature embeddings, user feature biases, item feature embeddings, item feature biases)."""
    return (
        model.user_embeddings,
        model.user_biases,
        model.item_embeddings,
        model.item_biases,
    )


def snapshot_state(model: LightFM) -> dict[str, np.ndarray]:
    """A copy of every learned array (for keeping the best epoch during early stopping)."""
    return {name: getattr(model, name).copy() for name in _STATE_FIELDS}


def restore_state(model: LightFM, state: dict[str, np.ndarray]) -> None:
    for name, value in state.items():
        setattr(model, name, value.copy())


def predict(
    model: LightFM,
    *,
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    user_features: sp.csr_matrix,
    item_features: sp.csr_matrix,
    num_threads: int = 1,
) -> np.ndarray:
    """LightFM's own pairwise `predict`, kept for reference checks and the speed benchmark."""
    return model.predict(
        np.asarray(user_ids, dtype=np.int32),
        np.asarray(item_ids, dtype=np.int32),
        user_features=user_features,
        item_features=item_features,
        num_threads=num_threads,
    )
