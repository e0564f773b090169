"""Where a trained model and the pairs it trained on are stored, and loading them back (cached per process).

The artefact is written to a temporary file and renamed into place, so a crash never leaves half a model.
"""

from __future__ import annotations

import logging
import uuid
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

from recsys import core
from recsys.models import ModelVersion

__all__ = ["artifact_save", "model_load", "trained_pairs_load", "trained_pairs_save"]

logger = logging.getLogger(__name__)


def _artifact_path(version_id: int) -> Path:
    return Path(settings.RECSYS_ARTIFACT_DIR) / f"model-v{version_id}.pkl"


def _pairs_path(version_id: int) -> Path:
    return Path(settings.RECSYS_ARTIFACT_DIR) / f"model-v{version_id}.pairs.npz"


def artifact_save(*, model: core.TrainedModel, version_id: int) -> str:
    """Store the version's model; returns what `ModelVersion.artifact_path` keeps."""
    path = _artifact_path(version_id)
    model.save(path)
    return str(path)


def trained_pairs_save(*, dataset: core.Dataset, version_id: int) -> None:
    """Remember which (user, item) pairs this version trained on, so later evaluations can leave them out."""
    coo = dataset.interactions.tocoo()
    path = _pairs_path(version_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.npz")
    np.savez_compressed(
        temp,
        users=np.asarray(
            [str(k) for k in dataset.user_keys[coo.row].tolist()], dtype=object
        ).astype(str),
        items=np.asarray(
            [str(k) for k in dataset.item_keys[coo.col].tolist()], dtype=object
        ).astype(str),
    )
    temp.replace(path)


def trained_pairs_load(*, version_id: int) -> set[tuple[str, str]] | None:
    path = _pairs_path(version_id)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as stored:
        return set(zip(stored["users"].tolist(), stored["items"].tolist(), strict=True))


@lru_cache(maxsize=4)
def _load_model_cached(path: str, mtime: float) -> core.TrainedModel:
    return core.TrainedModel.load(path)


def model_load(version: ModelVersion) -> core.TrainedModel | None:
    """The version's artefact, cached per process (keyed by path and modification time)."""
    if not version.artifact_path:
        return None
    path = Path(version.artifact_path)
    if not path.exists():
        logger.warning("artefact of version %s is missing: %s", version.pk, path)
        return None
    return _load_model_cached(str(path), path.stat().st_mtime)
