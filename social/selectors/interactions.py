"""Social signals for the recommender: follows, likes of posts that tag products, favourite categories and
who opted out of personalisation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from shop.models import User
from social.models import Block, Follow, Like, PostProduct, Profile

__all__ = [
    "FolloweeName",
    "display_names",
    "followees_named",
    "favourite_category_ids",
    "favourite_category_slugs",
    "personalisation_allowed_for",
    "post_like_count_since",
    "purchase_sharer_ids",
    "post_like_product_rows",
    "recommendation_follow_edges",
    "recommendation_opt_out_user_ids",
]


def recommendation_opt_out_user_ids() -> set[int]:
    """Users who turned `personalise_recommendations` off: left out of training entirely."""
    return set(
        Profile.objects.filter(personalise_recommendations=False).values_list("user_id", flat=True)
    )


def recommendation_follow_edges(*, user_ids: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Active (follower_id, followee_id) pairs between active accounts."""
    queryset = Follow.objects.filter(
        status=Follow.Status.ACTIVE, follower__is_active=True, followee__is_active=True
    )
    if user_ids is not None:
        queryset = queryset.filter(follower_id__in=list(user_ids))
    return list(queryset.values_list("follower_id", "followee_id"))


def post_like_product_rows(
    *, user_ids: Iterable[int] | None = None
) -> list[tuple[int, int, datetime]]:
    """(user_id, product_id, liked_at) for every like of a visible post that tags a product."""
    likes = Like.objects.filter(post__is_hidden=False, user__is_active=True)
    if user_ids is not None:
        likes = likes.filter(user_id__in=list(user_ids))
    post_likes: dict[int, list[tuple[int, datetime]]] = {}
    for post_id, user_id, created_at in likes.values_list("post_id", "user_id", "created_at"):
        post_likes.setdefault(post_id, []).append((user_id, created_at))
    if not post_likes:
        return []
    tags = PostProduct.objects.filter(post_id__in=list(post_likes)).values_list(
        "post_id", "product_id"
    )
    return [
        (user_id, product_id, created_at)
        for post_id, product_id in tags
        for user_id, created_at in post_likes[post_id]
    ]


def favourite_category_slugs() -> dict[int, list[str]]:
    """user_id -> slugs of the categories picked at onboarding."""
    through = Profile.favourite_categories.through
    result: dict[int, list[str]] = {}
    for user_id, slug in through.objects.values_list("profile__user_id", "category__slug"):
        result.setdefault(user_id, []).append(slug)
    return result


def favourite_category_ids(*, user_ids: Iterable[int]) -> dict[int, list[int]]:
    """user_id -> ids of the categories picked at onboarding, for the given shoppers."""
    result: dict[int, list[int]] = {}
    for user_id, category_id in Profile.objects.filter(
        user_id__in=list(user_ids), favourite_categories__isnull=False
    ).values_list("user_id", "favourite_categories"):
        result.setdefault(user_id, []).append(category_id)
    return result


def personalisation_allowed_for(*, user_id: int) -> bool:
    """False when the shopper turned `personalise_recommendations` off (no profile yet: allowed)."""
    return not Profile.objects.filter(user_id=user_id, personalise_recommendations=False).exists()


def post_like_count_since(*, since: datetime) -> int:
    return Like.objects.filter(created_at__gt=since).count()


def display_names(*, user_ids: Iterable[int]) -> dict[int, str]:
    """Active accounts' names as pages show them: the display name, else @username."""
    ids = list(user_ids)
    shown = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "display_name"))
    return {
        pk: shown.get(pk) or f"@{username}"
        for pk, username in User.objects.filter(pk__in=ids, is_active=True).values_list(
            "pk", "username"
        )
    }


def purchase_sharer_ids(*, user_ids: Iterable[int]) -> set[int]:
    """Those of `user_ids` who share their purchases with followers."""
    return set(
        Profile.objects.filter(
            user_id__in=list(user_ids), share_purchases_default=True
        ).values_list("user_id", flat=True)
    )


@dataclass(frozen=True)
class FolloweeName:
    """Someone a shopper follows, as a recommendation's reason may name them."""

    name: str
    shares_purchases: bool


def followees_named(*, user_id: int) -> dict[int, FolloweeName]:
    """Everyone `user_id` follows (active follows of active accounts, neither side blocking the other), with
    the name pages show (display name, else @username) and whether they share purchases: one query, what
    `followee_ids`, `blocked_pair_ids`, `display_names` and `purchase_sharer_ids` give together."""
    rows = (
        Follow.objects.filter(
            follower_id=user_id, status=Follow.Status.ACTIVE, followee__is_active=True
        )
        .exclude(followee_id__in=Block.objects.filter(blocker_id=user_id).values("blocked_id"))
        .exclude(followee_id__in=Block.objects.filter(blocked_id=user_id).values("blocker_id"))
        .values_list(
            "followee_id",
            "followee__username",
            "followee__profile__display_name",
            "followee__profile__share_purchases_default",
        )
    )
    return {
        followee_id: FolloweeName(name=shown or f"@{username}", shares_purchases=bool(shares))
        for followee_id, username, shown, shares in rows
    }
