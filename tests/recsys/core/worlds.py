"""Small synthetic worlds where the right model family is known (for the selection tests).

- popularity world: everyone picks items by the same long-tail popularity; nothing personal to learn.
- item-item world: items come in small bundles (a tent, its pegs, its lamp); a shopper who has one item of a
  bundle has the others, and bundles are chosen at random, so only item-to-item co-occurrence predicts.
- cold-start world: two communities with their own categories; shoppers follow people of their own community,
  so a shopper with no history is best served from whom they follow (the LightFM hybrid's follow features).
"""

from __future__ import annotations

import numpy as np

from recsys.core import InteractionLog, ItemMeta

Rows = list[tuple[str, str, str, None, float]]


def _log(rows: Rows) -> InteractionLog:
    return InteractionLog.from_rows(rows)


def popularity_world(users: int = 400, items: int = 300, per_user: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, items + 1) ** 1.1
    weights /= weights.sum()
    rows: Rows = []
    for u in range(users):
        # A quarter of the shoppers are light (3-5 items), so every group is exercised.
        count = int(rng.integers(3, 6)) if u % 4 == 0 else per_user
        for i in rng.choice(items, count, replace=False, p=weights):
            rows.append((f"u{u}", f"i{i}", "purchase", None, 1.7e9))
    return _log(rows), [], []


def item_item_world(
    users: int = 400, bundles: int = 150, bundle_size: int = 4, per_user: int = 4, seed: int = 0
):
    rng = np.random.default_rng(seed)
    rows: Rows = []
    for u in range(users):
        # A quarter of the shoppers have one or two bundles only (light users).
        count = int(rng.integers(1, 3)) if u % 4 == 0 else per_user
        for b in rng.choice(bundles, count, replace=False):
            for j in range(bundle_size):
                if rng.random() < 0.9:
                    rows.append((f"u{u}", f"i{b * bundle_size + j}", "purchase", None, 1.7e9))
    return _log(rows), [], []


def cold_start_world(users: int = 300, items_per_side: int = 60, per_user: int = 10, seed: int = 0):
    """Communities A and B (half the users each) buy only their own side's items; within a side popularity
    is flat, so popularity over everyone is no better than chance at telling the sides apart."""
    rng = np.random.default_rng(seed)
    rows: Rows = []
    follows: list[tuple[str, str]] = []
    metas = [
        ItemMeta(key=f"i{i}", category_path=("shop", "a" if i < items_per_side else "b"))
        for i in range(2 * items_per_side)
    ]
    half = users // 2
    for u in range(users):
        side = u // half if u < 2 * half else 1
        first = side * items_per_side
        for i in rng.choice(items_per_side, per_user, replace=False) + first:
            rows.append((f"u{u}", f"i{i}", "purchase", None, 1.7e9))
        peers = rng.choice(half, 5, replace=False) + side * half
        follows.extend((f"u{u}", f"u{p}") for p in peers if p != u)
    return _log(rows), metas, follows
