"""Demo data for this app; called by `manage.py seed_demo`."""

from __future__ import annotations

import random
from collections.abc import Callable


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    """Filled in by this app's area."""
