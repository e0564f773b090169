"""Demo follow graph: communities of shared taste, a few very followed accounts, random links across
communities, and a lively feed for the demo shopper."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from social.models import Follow, Profile

__all__ = ["DemoGraph", "follow_graph_build", "follows_store"]


@dataclass(frozen=True)
class DemoGraph:
    """Who follows whom (follower id, followee id), and how it was grown (for the log line)."""

    edges: set[tuple[int, int]]
    community_count: int
    popular_count: int


def follow_graph_build(
    *, rng: random.Random, ids: list[int], shopper_id: int, small: bool
) -> DemoGraph:
    favourite = defaultdict(list)
    through = Profile.favourite_categories.through
    for user_id, category_id in through.objects.filter(profile__user_id__in=ids).values_list(
        "profile__user_id", "category_id"
    ):
        favourite[user_id].append(category_id)
    communities: dict[int, list[int]] = defaultdict(list)
    for user_id in ids:
        key = min(favourite[user_id]) if favourite[user_id] else -(user_id % 4) - 1
        communities[key].append(user_id)

    edges: set[tuple[int, int]] = set()
    # Communities: shoppers of similar taste follow a good share of each other.
    for members in communities.values():
        for follower in members:
            others = [m for m in members if m != follower]
            for followee in rng.sample(others, k=min(len(others), rng.randint(2, 8))):
                edges.add((follower, followee))
    # A few very followed accounts (taste makers) that most people follow.
    stars = rng.sample(ids, k=3 if small else 6)
    for follower in ids:
        for star in stars:
            if follower != star and rng.random() < 0.6:
                edges.add((follower, star))
        # Some random links across communities.
        for followee in rng.sample(ids, k=2):
            if followee != follower:
                edges.add((follower, followee))
    # The demo shopper has a lively feed and a few followers.
    for followee in rng.sample(ids, k=min(12, len(ids) - 1)):
        if followee != shopper_id:
            edges.add((shopper_id, followee))
    for follower in rng.sample(ids, k=min(6, len(ids) - 1)):
        if follower != shopper_id:
            edges.add((follower, shopper_id))
    return DemoGraph(edges=edges, community_count=len(communities), popular_count=len(stars))


def follows_store(edges: set[tuple[int, int]]) -> None:
    Follow.objects.bulk_create(
        [
            Follow(follower_id=a, followee_id=b, status=Follow.Status.ACTIVE)
            for a, b in sorted(edges)
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
