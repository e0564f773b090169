"""Training: one at a time, evaluated, stored, promoted or not; then every shopper re-scored.

The flow (`model_version_train`, what the task, `train_recommender` and the demo call): holding the training
lease, the data is read through `recsys.services.data`, a seeded holdout is split off, a model trained on the rest
is judged by `recsys.services.evaluation` (popularity on the same holdout, the serving model on fresh pairs),
the artefact is trained on all data and stored, and the version is promoted when the rule allows. Then the
lists are re-scored with the serving version, queued after commit (`serving_lists_refresh`, the one place that
follows a change of the serving model, also used by the dashboard's promote and rollback).

Only one training runs at a time: it holds a heartbeat lease (`common.lease.lease_held`: 60 s, renewed every 15 s
while it runs, released at the end), so a killed worker blocks retraining for a minute, not for hours. The next
training to take the lease marks the dead run's row failed; the dead task itself, when the broker redelivers it
(same id), takes the lease again, resumes its row and finishes. A training that lost its lease (it stalled past
the time-to-live and another one started) writes nothing. The serving model is never touched before the end.
Model-version statuses are written here only (`_version_status_set`).
"""

from __future__ import annotations

import dataclasses
import logging
import time
import traceback
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from common.lease import HeartbeatLease, Lease, lease_held
from recsys import core
from recsys.models import ModelVersion, ScoringRun
from recsys.selectors import model_version_previous, serving_version
from recsys.services import data
from recsys.services.artifacts import artifact_save, trained_pairs_save
from recsys.services.evaluation import compare_with_serving, promotion_decision
from recsys.services.scoring import score_all_now, scoring_run_create
from recsys.services.scoring_tasks import score_all

__all__ = [
    "LOCK_KEY",
    "MIN_INTERACTIONS",
    "RetrainOutcome",
    "TrainingLeaseLost",
    "model_version_promote",
    "model_version_rollback",
    "model_version_serve",
    "model_version_serve_previous",
    "model_version_train",
    "retrain",
    "retrain_needed",
    "serving_lists_refresh",
    "train_lock_acquire",
    "train_lock_release",
    "training_params",
]

logger = logging.getLogger(__name__)

LOCK_KEY = "recsys:train-lock"
MIN_INTERACTIONS = 10


@dataclass(frozen=True)
class RetrainOutcome:
    status: str  # promoted, rejected, skipped, failed
    version_id: int | None
    serving_version_id: int | None
    message: str
    # The scoring run queued after training (None when training was skipped or scoring not asked for).
    scoring_run_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


# --- parameters and lock ---------------------------------------------------------------------------------


def training_params(**overrides: Any) -> core.TrainingParams:
    allowed = {f.name for f in dataclasses.fields(core.TrainingParams)}
    values = {
        key: value
        for key, value in {**settings.RECSYS_TRAINING, **overrides}.items()
        if key in allowed
    }
    return core.TrainingParams(**values)


def _lease_seconds() -> int:
    return int(settings.RECSYS_TRAIN_LEASE_SECONDS)


def _lease(token: str) -> Lease:
    return Lease(LOCK_KEY, seconds=_lease_seconds(), token=token)


def train_lock_acquire(token: str) -> bool:
    """Take the training lease (no heartbeat: `retrain` renews its own); the same token may take it again."""
    return _lease(token).acquire()


def train_lock_release(token: str) -> None:
    _lease(token).release()


def _training_lease(token: str) -> AbstractContextManager[HeartbeatLease | None]:
    """The one training lease: 60 s that the running training renews every 15 s (see `common.lease`)."""
    return lease_held(
        LOCK_KEY,
        seconds=_lease_seconds(),
        renew_every=float(settings.RECSYS_TRAIN_LEASE_RENEW_SECONDS),
        token=token,
    )


class TrainingLeaseLost(Exception):
    """Another training took the lease (this one stalled past its time-to-live): write nothing."""


# --- version rows ----------------------------------------------------------------------------------------


def _version_status_set(version_id: int, status: str, **fields: Any) -> None:
    """The one place a model version's status is written (with whatever else changes with it)."""
    ModelVersion.objects.filter(pk=version_id).update(status=status, **fields)


def _json_params(params: core.TrainingParams) -> dict[str, Any]:
    values = dataclasses.asdict(params)
    values["signal_weights"] = dict(params.signal_weights)
    return values


def _version_for_task(task_id: str, params: core.TrainingParams) -> ModelVersion:
    if task_id:
        existing = ModelVersion.objects.filter(task_id=task_id).first()
        if existing is not None and existing.status in {
            ModelVersion.Status.TRAINING,
            ModelVersion.Status.FAILED,
        }:
            _version_status_set(
                existing.pk, ModelVersion.Status.TRAINING, error="", created_at=timezone.now()
            )
            existing.refresh_from_db()
            return existing
    return ModelVersion.objects.create(
        status=ModelVersion.Status.TRAINING,
        params=_json_params(params),
        task_id=task_id[:64],
    )


def _fail_abandoned_trainings(*, task_id: str) -> None:
    """Called with the lease just taken: no other training is alive, so rows still `training` belong to a run
    that died (its lease expired). They are marked failed; this task's own row (a redelivery) is resumed."""
    abandoned = ModelVersion.objects.filter(status=ModelVersion.Status.TRAINING)
    if task_id:
        abandoned = abandoned.exclude(task_id=task_id[:64])
    for version_id in abandoned.values_list("pk", flat=True):
        _version_status_set(
            version_id,
            ModelVersion.Status.FAILED,
            error="abandoned: its training stopped and its lease expired",
        )


def model_version_promote(*, version: ModelVersion, actor_note: str = "") -> ModelVersion:
    """Make `version` the serving model (the previous one retires). Lists follow on the next scoring."""
    if (
        version.status
        not in {
            ModelVersion.Status.READY,
            ModelVersion.Status.REJECTED,
            ModelVersion.Status.RETIRED,
            ModelVersion.Status.SERVING,
        }
        or not version.artifact_name
    ):
        raise ValidationError(f"version {version.pk} has no usable model ({version.status})")
    now = timezone.now()
    with transaction.atomic():
        for previous_id in (
            ModelVersion.objects.filter(status=ModelVersion.Status.SERVING)
            .exclude(pk=version.pk)
            .values_list("pk", flat=True)
        ):
            _version_status_set(previous_id, ModelVersion.Status.RETIRED, retired_at=now)
        _version_status_set(
            version.pk,
            ModelVersion.Status.SERVING,
            promoted_at=now,
            decision=(actor_note or version.decision)[:300],
        )
    version.refresh_from_db()
    return version


def model_version_rollback() -> ModelVersion | None:
    """Serve the previously promoted version again; returns it (None when there is nothing to go back to)."""
    previous = model_version_previous(before=serving_version())
    if previous is None:
        return None
    return model_version_promote(version=previous, actor_note="rolled back by staff")


# --- then re-score ---------------------------------------------------------------------------------------


def serving_lists_refresh(*, version_id: int | None, inline: bool = False) -> ScoringRun:
    """Re-score every shopper with `version_id` after training or a change of the serving model.

    The run row is created now (callers can wait for it); its scoring is queued once the transaction commits
    (the scoring tasks), or done right here with `inline` (the demo seed, which has no broker).
    """
    run = scoring_run_create(version_id=version_id)
    if inline:
        return score_all_now(run=run)
    transaction.on_commit(lambda: score_all.delay(version_id=version_id, run_id=run.pk))
    return run


def model_version_train(
    *,
    task_id: str = "",
    force: bool = False,
    params: core.TrainingParams | None = None,
    score: bool = True,
    inline_scoring: bool = False,
) -> RetrainOutcome:
    """Retrain (see `retrain`), then re-score every shopper with whichever version serves."""
    outcome = retrain(task_id=task_id, force=force, params=params)
    if score and outcome.status != "skipped":
        run = serving_lists_refresh(version_id=outcome.serving_version_id, inline=inline_scoring)
        outcome = dataclasses.replace(outcome, scoring_run_id=run.pk)
    return outcome


def model_version_serve(*, version: ModelVersion, actor_note: str = "") -> ModelVersion:
    """Staff's promote: `version` serves, then every shopper is re-scored with it."""
    version = model_version_promote(version=version, actor_note=actor_note)
    serving_lists_refresh(version_id=version.pk)
    return version


def model_version_serve_previous() -> ModelVersion | None:
    """Staff's rollback: the previously promoted version serves again, then every shopper is re-scored."""
    version = model_version_rollback()
    if version is not None:
        serving_lists_refresh(version_id=version.pk)
    return version


# --- retrain ---------------------------------------------------------------------------------------------


def retrain_needed() -> bool:
    """Enough new interactions since the serving model's data was read (or no model at all)."""
    serving = serving_version()
    if serving is None:
        return True
    threshold = int(settings.RECSYS_RETRAIN_MIN_NEW_INTERACTIONS)
    return data.interactions_since(since=serving.created_at) >= threshold


def _pause_for_drills() -> None:
    """RECSYS_TRAIN_PAUSE_SECONDS > 0 holds training open (used by the killed-worker drill and live test)."""
    pause = float(settings.RECSYS_TRAIN_PAUSE_SECONDS or 0)
    if pause > 0:
        time.sleep(pause)


def retrain(
    *, task_id: str = "", force: bool = False, params: core.TrainingParams | None = None
) -> RetrainOutcome:
    """Train, evaluate and store a new version; promote it when the rule allows. Never runs twice at once.

    Without `force`, nothing happens unless enough new interactions arrived since the serving model's data.
    """
    params = params or training_params()
    token = task_id or f"local-{uuid.uuid4().hex}"
    serving = serving_version()
    if not force and not retrain_needed():
        return RetrainOutcome(
            "skipped", None, serving.pk if serving else None, "not enough new interactions"
        )
    with _training_lease(token) as lease:
        if lease is None:
            return RetrainOutcome(
                "skipped", None, serving.pk if serving else None, "another training is running"
            )
        _fail_abandoned_trainings(task_id=task_id)
        return _train(task_id=task_id, params=params, serving=serving, lease=lease)


def _lease_check(lease: HeartbeatLease) -> None:
    if lease.lost:
        raise TrainingLeaseLost("another training took the lease; this one writes nothing")


def _train(
    *,
    task_id: str,
    params: core.TrainingParams,
    serving: ModelVersion | None,
    lease: HeartbeatLease,
) -> RetrainOutcome:
    version = None
    try:
        version = _version_for_task(task_id, params)
        _pause_for_drills()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        dataset = data.load_dataset(params)
        timings["data_seconds"] = round(time.perf_counter() - started, 3)
        counts = {
            "users": int(dataset.n_users),
            "items": int(dataset.n_items),
            "interactions": int(dataset.interactions.nnz),
            "follows": int(dataset.user_follows.nnz),
            "user_features": len(dataset.user_feature_names),
            "item_features": len(dataset.item_feature_names),
        }
        if dataset.interactions.nnz < MIN_INTERACTIONS:
            _lease_check(lease)
            _version_status_set(
                version.pk,
                ModelVersion.Status.REJECTED,
                data_counts=counts,
                timings=timings,
                decision=f"not enough data ({dataset.interactions.nnz} interactions)",
            )
            return RetrainOutcome(
                "rejected", version.pk, serving.pk if serving else None, "not enough data"
            )
        step = time.perf_counter()
        train_matrix, train_weights, test = core.holdout_split(
            dataset.interactions,
            dataset.weights,
            test_fraction=float(settings.RECSYS_HOLDOUT_FRACTION),
            seed=params.seed,
        )
        candidate = core.train(dataset.with_interactions(train_matrix, train_weights), params)
        timings["holdout_train_seconds"] = round(time.perf_counter() - step, 3)
        step = time.perf_counter()
        metrics: dict[str, Any] = {
            "k": params.k,
            "model": core.evaluate(candidate, train=train_matrix, test=test, k=params.k).as_dict(),
            "popularity": core.evaluate_popularity(
                train=train_matrix, test=test, k=params.k
            ).as_dict(),
        }
        if serving is not None:
            comparison = compare_with_serving(
                serving_version=serving,
                dataset=dataset,
                model=candidate,
                train_matrix=train_matrix,
                test=test,
                k=params.k,
            )
            if comparison is not None:
                metrics["serving_comparison"] = comparison
                if "serving" in comparison:
                    metrics["serving"] = comparison["serving"]
        timings["evaluate_seconds"] = round(time.perf_counter() - step, 3)
        step = time.perf_counter()
        # Warm start: the holdout model's choices (families, settings, epochs, blends) brought up to all the
        # data, instead of a second early-stopped training and model selection on nearly the same data.
        final = core.refit(candidate, dataset, params)
        timings["train_seconds"] = round(time.perf_counter() - step, 3)
        if final.selection is not None:
            # Which family (or blend) serves each group and why: each candidate's validation figures.
            metrics["selection"] = final.selection.as_dict()
        _lease_check(lease)
        artifact_name = artifact_save(model=final)
        pairs_name = trained_pairs_save(dataset=dataset)
        timings["total_seconds"] = round(time.perf_counter() - started, 3)
        curve = [
            {"epoch": epoch, "value": value}
            for epoch, value in enumerate(candidate.validation_curve, start=1)
        ]
        promote, decision = promotion_decision(metrics)
        _lease_check(lease)
        _version_status_set(
            version.pk,
            ModelVersion.Status.READY,
            data_counts=counts,
            metrics=metrics,
            validation_curve=curve,
            timings={**timings, "best_epoch": candidate.best_epoch},
            artifact_name=artifact_name,
            pairs_name=pairs_name,
            trained_at=timezone.now(),
            decision=decision[:300],
        )
        version.refresh_from_db()
        if promote:
            model_version_promote(version=version)
            return RetrainOutcome("promoted", version.pk, version.pk, decision)
        _version_status_set(version.pk, ModelVersion.Status.REJECTED)
        return RetrainOutcome("rejected", version.pk, serving.pk if serving else None, decision)
    except TrainingLeaseLost as lost:
        logger.error("recommender training stopped: %s", lost)
        if version is not None:
            _version_status_set(version.pk, ModelVersion.Status.FAILED, error=str(lost))
        return RetrainOutcome(
            "failed",
            version.pk if version is not None else None,
            serving.pk if serving is not None else None,
            str(lost),
        )
    except Exception:
        logger.exception("recommender training failed")
        if version is not None:
            _version_status_set(
                version.pk, ModelVersion.Status.FAILED, error=traceback.format_exc()[-4000:]
            )
        raise
