"""Starting and stopping A/B experiments (at most one is active)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from common.generations import generation_bump_on_commit
from recsys.models import Experiment, ModelVersion
from recsys.selectors.experiments import EXPERIMENT_SCOPE

__all__ = ["experiment_start", "experiment_stop"]


def experiment_start(
    *, name: str = "", challenger: ModelVersion | None, weights: dict[str, int] | None = None
) -> Experiment:
    """Start an experiment (ending any active one). Without a challenger the split is serving/popularity."""
    if weights is None:
        weights = (
            {"challenger": 34, "serving": 33, "popularity": 33}
            if challenger is not None
            else {"serving": 50, "popularity": 50}
        )
    name = name or f"experiment-{timezone.now():%Y%m%d-%H%M%S}"
    if Experiment.objects.filter(name=name).exists():
        name = f"{name[:70]}-{secrets.token_hex(3)}"
    with transaction.atomic():
        experiment_stop()
        return Experiment.objects.create(
            name=name,
            is_active=True,
            salt=secrets.token_hex(8),
            weights=weights,
            challenger=challenger,
        )


def experiment_stop() -> int:
    stopped = Experiment.objects.filter(is_active=True).update(
        is_active=False, ended_at=timezone.now()
    )
    generation_bump_on_commit(EXPERIMENT_SCOPE)
    return stopped
