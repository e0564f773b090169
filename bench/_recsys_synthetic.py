"""A synthetic shop for the recommender benchmarks: long-tail popularity, category taste, follows.

Each shopper has one or two favourite categories; an interaction picks a favourite category with probability
`taste` (otherwise any item, by global popularity), then an item of that category by popularity (Zipf).
Activity per shopper is Pareto-distributed (a few very heavy shoppers); each shopper follows a few others who
share a favourite category. Seeded, so every run sees the same shop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from recsys.core import InteractionLog, ItemMeta


@dataclass(frozen=True)
class SyntheticShop:
    log: InteractionLog
    items: list[ItemMeta]
    follows: list[tuple[int, int]]


def synthetic_shop(
    *,
    users: int = 7_500,
    items: int = 100_000,
    interactions: int = 200_000,
    categories: int = 60,
    taste: float = 0.7,
    follows_per_user: int = 4,
    seed: int = 0,
) -> SyntheticShop:
    rng = np.random.default_rng(seed)
    item_category = rng.integers(0, categories, items)
    popularity = 1.0 / np.arange(1, items + 1) ** 0.9
    popularity = popularity[rng.permutation(items)]
    popularity /= popularity.sum()
    by_category = [np.flatnonzero(item_category == c) for c in range(categories)]
    category_weights = [popularity[rows] / popularity[rows].sum() for rows in by_category]
    favourites = rng.integers(0, categories, (users, 2))
    activity = rng.pareto(1.5, users) + 1.0
    activity /= activity.sum()
    user_rows = rng.choice(users, interactions, p=activity)
    item_rows = rng.choice(items, interactions, p=popularity)
    tasteful = rng.random(interactions) < taste
    chosen_category = favourites[user_rows, rng.integers(0, 2, interactions)]
    for category in range(categories):
        picked = np.flatnonzero(tasteful & (chosen_category == category))
        if len(picked):
            item_rows[picked] = rng.choice(
                by_category[category], len(picked), p=category_weights[category]
            )
    kinds = np.where(rng.random(interactions) < 0.3, "purchase", "view").astype(object)
    stamps = 1_700_000_000.0 + rng.random(interactions) * 86400.0 * 180
    log = InteractionLog(
        user_rows.astype(object),
        item_rows.astype(object),
        kinds,
        np.full(interactions, np.nan),
        stamps,
    )
    metas = [
        ItemMeta(key=i, category_path=("shop", f"c{item_category[i]}"), price=float(5 + i % 200))
        for i in range(items)
    ]
    members = [np.flatnonzero((favourites == c).any(axis=1)) for c in range(categories)]
    follows = []
    for user in range(users):
        pool = members[favourites[user, 0]]
        for other in rng.choice(pool, min(follows_per_user, len(pool)), replace=False):
            if other != user:
                follows.append((user, int(other)))
    return SyntheticShop(log, metas, follows)
