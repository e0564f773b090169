"""Every read of shop and social data the recommender needs, through `shop.selectors` and `social.selectors`.

Training and scoring read the same follow graph (`follow_graph`): active follows between active accounts, with
shoppers who turned personalisation off left out on both ends.

Keys are database ids: users are `shop.User` pks, items are `shop.Product` pks, categories are slugs. Users who
turned `Profile.personalise_recommendations` off are left out entirely (their interactions, their follows in
either direction, their attributes); deleted accounts are gone with their rows, and inactive accounts are
skipped by the selectors. This module only gathers data; `recsys.core` builds the matrices and trains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from django.utils import timezone

from recsys.core import Dataset, InteractionLog, ItemMeta, TrainingParams, UserMeta, build_dataset
from recsys.models import ExternalId
from shop import selectors as shop_selectors
from social import selectors as social_selectors

__all__ = [
    "FolloweeActions",
    "TRENDING_WEIGHTS",
    "TrainingInput",
    "UserSignals",
    "best_selling_entries",
    "category_slugs",
    "follow_graph",
    "followee_actions",
    "interactions_since",
    "load_dataset",
    "load_training_input",
    "product_category_ancestors",
    "purchase_baskets",
    "recent_events",
    "scoring_user_ids",
    "unavailable_product_ids",
    "user_signals",
]


@dataclass(frozen=True)
class TrainingInput:
    log: InteractionLog
    users: list[UserMeta]
    items: list[ItemMeta]
    follows: list[tuple[int, int]]
    excluded_user_ids: frozenset[int] = field(default_factory=frozenset)
    unavailable_item_ids: frozenset[int] = field(default_factory=frozenset)

    def counts(self) -> dict[str, int]:
        return {
            "events": len(self.log),
            "users": len(self.users),
            "items": len(self.items),
            "follows": len(self.follows),
            "excluded_users": len(self.excluded_user_ids),
        }


def _timestamp(value: datetime | None) -> float:
    return np.nan if value is None else value.timestamp()


def load_training_input() -> TrainingInput:
    """Interactions (product events, wishlist adds, purchases, ratings, likes of posts tagging products),
    follows, favourite categories, imported user attributes and product metadata."""
    excluded = social_selectors.recommendation_opt_out_user_ids()
    rows = [r for r in shop_selectors.interaction_rows() if r[0] not in excluded]
    rows.extend(
        (user_id, product_id, "like", None, liked_at)
        for user_id, product_id, liked_at in social_selectors.post_like_product_rows()
        if user_id not in excluded
    )
    metadata = shop_selectors.product_metadata()
    known_items = {m.product_id for m in metadata}
    rows = [r for r in rows if r[1] in known_items]
    log = InteractionLog(
        user_keys=np.array([r[0] for r in rows], dtype=object),
        item_keys=np.array([r[1] for r in rows], dtype=object),
        kinds=np.array([r[2] for r in rows], dtype=object),
        values=np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=float),
        timestamps=np.array([_timestamp(r[4]) for r in rows], dtype=float),
    )
    follows = follow_graph(excluded=excluded)
    favourites = social_selectors.favourite_category_slugs()
    attributes = dict(
        ExternalId.objects.filter(kind=ExternalId.Kind.USER).values_list("object_id", "attributes")
    )
    user_ids = (
        set(favourites) | {k for k, v in attributes.items() if v} | {a for a, _ in follows}
    ) - excluded
    users = [
        UserMeta(
            key=user_id,
            attributes=attributes.get(user_id) or {},
            favourite_categories=tuple(favourites.get(user_id, ())),
        )
        for user_id in sorted(user_ids)
    ]
    items = [
        ItemMeta(
            key=m.product_id,
            category_path=m.category_path,
            tags=m.tags,
            price=float(m.price),
            title=m.name,
            description=m.description,
        )
        for m in metadata
    ]
    return TrainingInput(
        log=log,
        users=users,
        items=items,
        follows=follows,
        excluded_user_ids=frozenset(excluded),
        unavailable_item_ids=frozenset(m.product_id for m in metadata if not m.in_stock),
    )


def load_dataset(params: TrainingParams | None = None, *, now: float | None = None) -> Dataset:
    """`load_training_input` turned into matrices by `recsys.core.build_dataset`."""
    data = load_training_input()
    return build_dataset(
        data.log, params=params, users=data.users, items=data.items, follows=data.follows, now=now
    )


# --- the follow graph, one for training and scoring ------------------------------------------------------


def follow_graph(
    *, user_ids: Iterable[int] | None = None, excluded: set[int] | None = None
) -> list[tuple[int, int]]:
    """(follower, followee) pairs the recommender uses: active follows between active accounts, none to or
    from a shopper who opted out of personalisation (`excluded`, read when not given)."""
    if excluded is None:
        excluded = social_selectors.recommendation_opt_out_user_ids()
    return [
        (a, b)
        for a, b in social_selectors.recommendation_follow_edges(user_ids=user_ids)
        if a not in excluded and b not in excluded
    ]


# --- when to retrain, trending and baskets ----------------------------------------------------------------


def interactions_since(*, since: datetime) -> int:
    """Shop and social signals recorded after `since` (events, order lines, reviews, wishlists, post likes)."""
    return shop_selectors.interaction_count_since(
        since=since
    ) + social_selectors.post_like_count_since(since=since)


def purchase_baskets() -> list[tuple[int, int]]:
    """(order id, product id) of every non-cancelled order line: the baskets for 'bought together'."""
    return shop_selectors.purchase_baskets()


TRENDING_WEIGHTS = {"view": 1.0, "like": 2.0, "wishlist": 2.0, "cart": 3.0, "purchase": 5.0}


def recent_events(*, days: int) -> list[tuple[int, float, float]]:
    """(product id, unix time, weight) of recent views, likes, wishlist and cart adds, and purchases."""
    horizon = timezone.now() - timedelta(days=days)
    events = [
        (row.product_id, row.created_at.timestamp(), TRENDING_WEIGHTS.get(row.kind, 1.0))
        for row in shop_selectors.product_event_rows(kinds=list(TRENDING_WEIGHTS), since=horizon)
    ]
    events += [
        (
            line.product_id,
            line.created_at.timestamp(),
            TRENDING_WEIGHTS["purchase"] * min(line.quantity, 5),
        )
        for line in shop_selectors.purchase_line_rows(since=horizon)
    ]
    return events


def unavailable_product_ids() -> set[int]:
    return shop_selectors.unavailable_product_ids()


def best_selling_entries(limit: int) -> list[list]:
    """Before any scoring run exists: the best sellers as list entries, so a fresh shop still shows something."""
    return [
        [pk, float(sold), [{"k": "popular"}]]
        for pk, sold in shop_selectors.best_selling_products(limit=limit)
    ]


# --- scoring input -----------------------------------------------------------------------------------------


def scoring_user_ids() -> list[int]:
    """Every active shopper who allows personalisation (staff accounts are not shoppers)."""
    excluded = social_selectors.recommendation_opt_out_user_ids()
    return [pk for pk in shop_selectors.shopper_ids() if pk not in excluded]


@dataclass
class UserSignals:
    """What scoring and reasons need about a batch of shoppers, read in a fixed number of queries."""

    followees: dict[int, list[int]]
    favourite_categories: dict[int, list[int]]
    purchased: dict[int, set[int]]
    history: dict[int, list[int]]


HISTORY_KINDS = ("view", "cart", "wishlist", "like")


def user_signals(user_ids: list[int]) -> UserSignals:
    followees: dict[int, list[int]] = defaultdict(list)
    for follower, followee in follow_graph(user_ids=user_ids):
        followees[follower].append(followee)
    favourites: dict[int, list[int]] = defaultdict(
        list, social_selectors.favourite_category_ids(user_ids=user_ids)
    )
    purchased: dict[int, set[int]] = defaultdict(set)
    for line in shop_selectors.purchase_line_rows(user_ids=user_ids):
        if line.user_id is not None:
            purchased[line.user_id].add(line.product_id)
    history: dict[int, list[int]] = defaultdict(list)
    for event in shop_selectors.product_event_rows(
        kinds=HISTORY_KINDS, user_ids=user_ids, newest_first=True
    ):
        if event.user_id is None:
            continue
        seen = history[event.user_id]
        if len(seen) < 50 and event.product_id not in seen:
            seen.append(event.product_id)
    for user_id, products in purchased.items():
        history[user_id] = list(dict.fromkeys([*products, *history[user_id]]))[:60]
    return UserSignals(followees, favourites, purchased, history)


def category_slugs(category_ids: Iterable[int]) -> dict[int, str]:
    """Category ids -> the keys training gives categories (slugs)."""
    return shop_selectors.category_slugs(category_ids=category_ids)


def product_category_ancestors(product_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each product's category and its ancestors (ids), for the favourite-category reason."""
    return shop_selectors.product_category_ancestors(product_ids=product_ids)


# {followee: {product: {"bought": {...}, "liked": {...}}}}
FolloweeActions = dict[int, dict[int, dict[str, set[int]]]]


def followee_actions(
    followee_ids: Iterable[int], product_ids: Iterable[int] | None = None
) -> FolloweeActions:
    """What followees bought (purchases) or liked (likes, wishlists, good reviews, likes of posts tagging
    the product)."""
    followees = list(set(followee_ids))
    result: FolloweeActions = defaultdict(lambda: defaultdict(lambda: defaultdict(set)))
    if not followees:
        return result
    products = None if product_ids is None else list(set(product_ids))
    for line in shop_selectors.purchase_line_rows(user_ids=followees, product_ids=products):
        if line.user_id is not None:
            result[line.user_id][line.product_id]["bought"].add(line.user_id)
    wanted = None if products is None else set(products)
    liked: list[tuple[int, int]] = [
        (event.user_id, event.product_id)
        for event in shop_selectors.product_event_rows(
            kinds=["like"], user_ids=followees, product_ids=products
        )
        if event.user_id is not None
    ]
    liked += shop_selectors.wishlist_pairs(user_ids=followees, product_ids=products)
    liked += shop_selectors.review_pairs(user_ids=followees, min_rating=4, product_ids=products)
    liked += [
        (user_id, product_id)
        for user_id, product_id, _ in social_selectors.post_like_product_rows(user_ids=followees)
        if wanted is None or product_id in wanted
    ]
    for user_id, product_id in liked:
        result[user_id][product_id]["liked"].add(user_id)
    return result
