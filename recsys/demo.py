"""Demo data for this app; called by `manage.py seed_demo` after shop, social and support.

Trains the recommender on the demo shop and scores every shopper synchronously (the pipeline's own functions,
no broker), so the home page shows personal picks with reasons right after `make run`.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    from recsys import pipeline

    started = time.perf_counter()
    overrides = {"seed": rng.randrange(1_000_000), "num_threads": 1}
    if small:
        overrides.update(no_components=16, max_epochs=10, patience=2)
    outcome = pipeline.retrain(force=True, params=pipeline.training_params(**overrides))
    log(f"  recsys: model v{outcome.version_id} {outcome.status}: {outcome.message}")
    run = pipeline.score_all_now(version_id=outcome.serving_version_id)
    log(
        f"  recsys: scored {run.users_scored} shoppers in {time.perf_counter() - started:.1f}s "
        f"(run {run.pk})"
    )
