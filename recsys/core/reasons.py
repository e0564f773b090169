"""Why one item was recommended to one user: the reasons behind a score, strongest first (plain arrays).

The serving side (recsys.services.reasons) turns them into sentences and keeps only followees the viewer may see.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping

import numpy as np
import scipy.sparse as sp

from recsys.core.model import TrainedModel
from recsys.core.types import Reason

__all__ = ["explain"]


def explain(
    model: TrainedModel,
    *,
    item_row: int,
    user_row: int | None = None,
    user_feature_row: sp.csr_matrix | None = None,
    history_item_rows: Collection[int] = (),
    followee_item_rows: Mapping[Hashable, Collection[int]] | None = None,
    favourite_categories: Collection[str] = (),
    min_similarity: float = 0.3,
    limit: int = 3,
) -> list[Reason]:
    """The reasons behind one recommendation, strongest first.

    - `followee`: a followed account that interacted with the item (from `followee_item_rows`, keyed by the
      followee's key; strength 2 + count) or whose follow feature pushed the score up (its contribution).
    - `similar_item`: the item in the user's history (`history_item_rows`) closest in embedding (cosine at least
      `min_similarity`); the key is that item's key.
    - `category`: the item's category (or an ancestor) is a favourite, or the user's chosen-category feature
      contributed.
    - `attribute`: a profile attribute feature contributed.
    - `popular`: nothing personal stood out.
    The serving side turns these into sentences and must only name followees the viewer can see.
    """
    reasons: list[Reason] = []
    item_vector = model.item_representations[item_row]
    for followee, rows in (followee_item_rows or {}).items():
        if item_row in rows:
            reasons.append(Reason("followee", followee, 2.0))
    if user_feature_row is None and user_row is not None:
        user_feature_row = model.user_features[user_row]
    if user_feature_row is not None and user_feature_row.nnz:
        row = sp.csr_matrix(user_feature_row)
        contributions = row.data * (
            model.user_feature_embeddings[row.indices] @ item_vector
            + model.user_feature_biases[row.indices]
        )
        for col, value in zip(row.indices, contributions, strict=True):
            name = model.user_feature_names[col]
            if value <= 0:
                continue
            prefix, _, key = name.partition(":")
            if prefix == "follows":
                if not any(r.kind == "followee" and str(r.key) == key for r in reasons):
                    reasons.append(Reason("followee", _original_user_key(model, key), float(value)))
            elif prefix == "likes":
                reasons.append(Reason("category", key, float(value)))
            elif prefix == "attr":
                reasons.append(Reason("attribute", key, float(value)))
    history = np.array([r for r in history_item_rows if r != item_row], dtype=np.int64)
    if len(history):
        embeddings = model.item_representations
        norms = np.linalg.norm(embeddings[history], axis=1) * (np.linalg.norm(item_vector) or 1.0)
        norms[norms == 0] = 1.0
        sims = (embeddings[history] @ item_vector) / norms
        best = int(np.argmax(sims))
        if sims[best] >= min_similarity:
            reasons.append(
                Reason("similar_item", model.item_keys[history[best]], float(sims[best]))
            )
    if favourite_categories:
        feats = model.item_features[item_row]
        for col in feats.indices:
            name = model.item_feature_names[col]
            if name.startswith("category:") and name[len("category:") :] in favourite_categories:
                reasons.append(Reason("category", name[len("category:") :], 1.0))
                break
    reasons.sort(key=lambda r: -r.strength)
    unique: list[Reason] = []
    for reason in reasons:
        if not any(r.kind == reason.kind and r.key == reason.key for r in unique):
            unique.append(reason)
    return unique[:limit] if unique else [Reason("popular", None, 0.0)]


def _original_user_key(model: TrainedModel, text_key: str) -> Hashable:
    """Feature names hold keys as text; give back the model's own key (an int id stays an int)."""
    for candidate in (text_key, _as_int(text_key)):
        if candidate is not None and candidate in model.user_key_set():
            return candidate
    return text_key


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
