"""Demo group buys and moderation reports; called at the end of social/demo.py."""

from __future__ import annotations

import random
from collections.abc import Callable


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    """Filled in by the social-community area."""
