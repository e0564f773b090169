"""Demo data for this app; called by `manage.py seed_demo` after shop, social and support.

Trains the recommender on the demo shop and scores every shopper synchronously (the training service with
inline scoring, no broker), so the home page shows personal picks with reasons right after `make run`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from recsys.models import ScoringRun
from recsys.services import training


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    started = time.perf_counter()
    overrides = {"seed": rng.randrange(1_000_000), "num_threads": 1}
    if small:
        overrides.update(no_components=16, max_epochs=10, patience=2)
    outcome = training.model_version_train(
        force=True, params=training.training_params(**overrides), inline_scoring=True
    )
    log(f"  recsys: model v{outcome.version_id} {outcome.status}: {outcome.message}")
    run = (
        ScoringRun.objects.get(pk=outcome.scoring_run_id)
        if outcome.scoring_run_id is not None
        else training.serving_lists_refresh(version_id=outcome.serving_version_id, inline=True)
    )
    log(
        f"  recsys: scored {run.users_scored} shoppers in {time.perf_counter() - started:.1f}s "
        f"(run {run.pk})"
    )
