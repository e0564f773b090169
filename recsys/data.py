"""The recommender's training input, loaded from the database through the apps' selectors.

Keys are database ids: users are `shop.User` pks, items are `shop.Product` pks, categories are slugs. Users who
turned `Profile.personalise_recommendations` off are left out entirely (their interactions, their follows in
either direction, their attributes); deleted accounts are gone with their rows, and inactive accounts are
skipped by the selectors. This module only gathers data; `recsys.core` builds the matrices and trains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from recsys.core import Dataset, InteractionLog, ItemMeta, TrainingParams, UserMeta, build_dataset
from recsys.models_import import ExternalId
from shop import selectors as shop_selectors
from social import selectors as social_selectors

__all__ = ["TrainingInput", "load_dataset", "load_training_input"]


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
    follows = [
        (a, b)
        for a, b in social_selectors.recommendation_follow_edges()
        if a not in excluded and b not in excluded
    ]
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
