"""A model version: one training of the recommender, its inputs, offline figures, artefacts and status."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ModelVersion"]


class ModelVersion(models.Model):
    """One training of the recommender: what went in, how it scored offline, where its artefact lives."""

    class Status(models.TextChoices):
        TRAINING = "training", _("training")
        READY = "ready", _("ready")
        SERVING = "serving", _("serving")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")
        RETIRED = "retired", _("retired")

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.TRAINING, db_index=True
    )
    params = models.JSONField(default=dict, blank=True)
    # Users, items, interactions, features: the size of the training input.
    data_counts = models.JSONField(default=dict, blank=True)
    # {"model": {...}, "popularity": {...}, "serving": {...}}: the same holdout for all three.
    metrics = models.JSONField(default=dict, blank=True)
    # [{"epoch": 1, "value": 0.12}, ...] on the validation split; early stopping picks the best epoch.
    validation_curve = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    # Storage names (RECSYS_ARTIFACT_STORAGE), never filesystem paths: `recsys/models/<sha256>.pkl`, the
    # trained model, and `recsys/models/<sha256>.pairs.npz`, the pairs it trained on. Named by content hash and
    # verified against it on every load.
    artifact_name = models.CharField(max_length=200, blank=True)
    pairs_name = models.CharField(max_length=200, blank=True)
    decision = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    # The Celery task id that trains this version: a retry of the same task resumes the same row.
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one version serves at any time.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="serving"),
                name="recsys_one_serving_version",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.pk} ({self.status})"

    def metric(self, source: str, name: str) -> float | None:
        value = (self.metrics or {}).get(source, {}).get(name)
        return float(value) if value is not None else None
