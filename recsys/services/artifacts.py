"""Model artefacts in Django's storage API, so any node can load a model whichever node trained it.

An artefact is stored under its content hash (`recsys/models/<sha256>.pkl`, and `<sha256>.pairs.npz` for the
pairs a version trained on) in the storage named by RECSYS_ARTIFACT_STORAGE (the local folder
RECSYS_ARTIFACT_DIR by default; point it at the shared object store when several hosts run). The version row
keeps the storage name, never a filesystem path. Every load reads the bytes from storage and checks them
against the hash in the name before unpickling, so a tampered or truncated file is refused, never run.

Loaded models are kept in this process keyed by hash (the same artefact is one object however many versions
or requests name it). A load that fails raises `ArtifactUnavailable` and is recorded in the shared cache for
the dashboard (`artifact_load_failures`); callers decide what to serve instead, for that request only.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import socket
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.utils import timezone

from recsys import core
from recsys.models import ModelVersion

__all__ = [
    "ArtifactLoadFailure",
    "ArtifactUnavailable",
    "artifact_load_failures",
    "artifact_save",
    "artifact_storage",
    "loaded_models_forget",
    "model_load",
    "trained_pairs_load",
    "trained_pairs_save",
]

logger = logging.getLogger(__name__)

PREFIX = "recsys/models/"
_NAME = re.compile(r"recsys/models/(?P<sha>[0-9a-f]{64})\.(?:pkl|pairs\.npz)")
LOADED_MODELS_KEPT = 4
FAILURE_SECONDS = 24 * 3600


class ArtifactUnavailable(Exception):
    """The artefact cannot be read from storage, or its bytes do not match its hash."""


def artifact_storage() -> Storage:
    return storages[settings.RECSYS_ARTIFACT_STORAGE]


def _store(content: bytes, suffix: str) -> str:
    """Save `content` under its hash; an identical artefact already stored is reused."""
    name = f"{PREFIX}{hashlib.sha256(content).hexdigest()}{suffix}"
    storage = artifact_storage()
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(content))
        if saved != name:  # another process stored the same bytes meanwhile: keep one copy
            storage.delete(saved)
    return name


def _read_verified(name: str) -> bytes:
    match = _NAME.fullmatch(name)
    if match is None:
        raise ArtifactUnavailable(f"{name!r} is not a content-addressed artefact name")
    try:
        with artifact_storage().open(name, "rb") as stream:
            content = stream.read()
    except Exception as error:  # noqa: BLE001 - any storage failure (missing file, network, permissions)
        raise ArtifactUnavailable(f"cannot read {name}: {error}") from error
    if hashlib.sha256(content).hexdigest() != match["sha"]:
        raise ArtifactUnavailable(f"{name} does not match its hash: refused")
    return content


# --- saving ----------------------------------------------------------------------------------------------


def artifact_save(*, model: core.TrainedModel) -> str:
    """Store the trained model; returns its storage name for `ModelVersion.artifact_name`."""
    with tempfile.TemporaryDirectory() as folder:
        path = model.save(Path(folder) / "model.pkl")
        content = path.read_bytes()
    return _store(content, ".pkl")


def trained_pairs_save(*, dataset: core.Dataset) -> str:
    """Store which (user, item) pairs a version trained on, so later evaluations can leave them out."""
    coo = dataset.interactions.tocoo()
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        users=np.asarray(
            [str(k) for k in dataset.user_keys[coo.row].tolist()], dtype=object
        ).astype(str),
        items=np.asarray(
            [str(k) for k in dataset.item_keys[coo.col].tolist()], dtype=object
        ).astype(str),
    )
    return _store(buffer.getvalue(), ".pairs.npz")


# --- loading ---------------------------------------------------------------------------------------------

_loaded: OrderedDict[str, core.TrainedModel] = OrderedDict()
_loaded_lock = threading.Lock()


def loaded_models_forget() -> None:
    """Empty this process's model cache (the next load reads storage again)."""
    with _loaded_lock:
        _loaded.clear()


def model_load(version: ModelVersion) -> core.TrainedModel | None:
    """The version's model: None when it has no artefact; `ArtifactUnavailable` when it cannot be loaded."""
    name = version.artifact_name
    if not name:
        return None
    match = _NAME.fullmatch(name)
    sha = match["sha"] if match is not None else name
    with _loaded_lock:
        model = _loaded.get(sha)
        if model is not None:
            _loaded.move_to_end(sha)
            return model
    try:
        content = _read_verified(name)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "model.pkl"
            path.write_bytes(content)
            # Unpickled only after the bytes matched the hash this application recorded when it trained.
            model = core.TrainedModel.load(path)
    except (ArtifactUnavailable, ValueError) as error:
        _failure_record(version, str(error))
        raise ArtifactUnavailable(str(error)) from error
    with _loaded_lock:
        _loaded[sha] = model
        while len(_loaded) > LOADED_MODELS_KEPT:
            _loaded.popitem(last=False)
    _failure_clear(version)
    return model


def trained_pairs_load(*, version: ModelVersion) -> set[tuple[str, str]] | None:
    """The pairs `version` trained on; None when they were not stored or cannot be read."""
    if not version.pairs_name:
        return None
    try:
        content = _read_verified(version.pairs_name)
    except ArtifactUnavailable as error:
        logger.warning("pairs of version %s unavailable: %s", version.pk, error)
        return None
    with np.load(io.BytesIO(content), allow_pickle=False) as stored:
        return set(zip(stored["users"].tolist(), stored["items"].tolist(), strict=True))


# --- load failures, for the dashboard ----------------------------------------------------------------------


@dataclass(frozen=True)
class ArtifactLoadFailure:
    version_id: int
    node: str
    error: str
    at: str


def _failure_key(version_id: int) -> str:
    return f"recsys:artifact-failure:{version_id}"


def _failure_record(version: ModelVersion, error: str) -> None:
    logger.error("model version %s could not be loaded: %s", version.pk, error)
    cache.set(
        _failure_key(version.pk),
        {"node": socket.gethostname(), "error": error[:500], "at": timezone.now().isoformat()},
        timeout=FAILURE_SECONDS,
    )


def _failure_clear(version: ModelVersion) -> None:
    recorded = cache.get(_failure_key(version.pk))
    if recorded is not None and recorded.get("node") == socket.gethostname():
        cache.delete(_failure_key(version.pk))


def artifact_load_failures(*, version_ids: list[int]) -> dict[int, ArtifactLoadFailure]:
    """The last load failure of each of these versions (within a day), by version id."""
    found = cache.get_many([_failure_key(pk) for pk in version_ids])
    return {
        pk: ArtifactLoadFailure(version_id=pk, **found[_failure_key(pk)])
        for pk in version_ids
        if _failure_key(pk) in found
    }
