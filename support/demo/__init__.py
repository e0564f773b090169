"""Demo data for the support chat; called by `manage.py seed_demo` after shop and social. One module per
concept: help articles (the assistant's knowledge), canned replies, and conversations.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from support.demo.articles import seed_articles
from support.demo.conversations import conversations_seed
from support.demo.replies import canned_replies_seed

__all__ = ["seed"]


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    seed_articles(log=log)
    canned_replies_seed(log=log)
    conversations_seed(rng=rng, small=small, log=log)
