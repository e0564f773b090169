"""Explore: posts with photos, as a grid ranked for the shopper who looks.

The rank mixes four signals, each from 0 to 1: how fresh the post is (halving every `FRESH_HALF_LIFE_HOURS`),
how much the recommender expects the shopper to like a tagged product (`social.hooks.explore_product_affinity`,
which recsys answers: social never imports recsys), whether the author is someone they follow or someone
followed by the people they follow ("people like them"), and the post's likes. Anonymous visitors get fresh and
liked posts.

Privacy is the feed's rule (`visible_posts`): hidden posts, private authors the shopper does not follow and
anything across a block never appear; muted authors and the shopper's own posts are left out. The ranked ids
are cached per shopper for `EXPLORE_RANK_SECONDS` so that pages of one scroll agree; every page re-applies the
visibility rule to its ids, so a block or an unfollow takes effect on the next page, not after the cache.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from shop.models import User
from social.hooks import explore_product_affinity
from social.models import Follow, Mute, Post, PostImage, PostProduct
from social.selectors.graph import Viewer, signed_in_viewer
from social.selectors.posts import _cards, _with_display, visible_posts

__all__ = [
    "EXPLORE_PAGE_SIZE",
    "ExplorePage",
    "ExploreWeights",
    "explore_page",
    "explore_rank",
    "explore_rank_forget",
    "photo_posts_for_profile",
]

EXPLORE_CANDIDATES = 600
EXPLORE_PAGE_SIZE = 24
EXPLORE_RANK_SECONDS = 300
FRESH_HALF_LIFE_HOURS = 72.0
LIKES_FOR_FULL_SCORE = 50


@dataclass(frozen=True)
class ExploreWeights:
    """How much each signal counts in a post's rank."""

    fresh: float = 1.0
    affinity: float = 1.2
    followed: float = 0.8
    followed_by_followees: float = 0.4
    likes: float = 0.3


WEIGHTS = ExploreWeights()


@dataclass(frozen=True)
class ExplorePage:
    items: list[Post]
    # The number of the next page (from 1), or None on the last page.
    next_page: int | None


def _rank_key(viewer_id: int | None) -> str:
    return f"social:explore:rank:{viewer_id or 'anonymous'}"


def explore_rank_forget(*, user_id: int) -> None:
    """Drop a shopper's cached ranking (their next explore page ranks afresh)."""
    cache.delete(_rank_key(user_id))


def _fresh(created_at: datetime, now: datetime) -> float:
    hours = max((now - created_at).total_seconds() / 3600, 0.0)
    return float(0.5 ** (hours / FRESH_HALF_LIFE_HOURS))


def _likes(count: int) -> float:
    return min(math.log1p(count) / math.log1p(LIKES_FOR_FULL_SCORE), 1.0)


def _candidates(viewer: Viewer, user: User | None) -> list[tuple[int, int, datetime, int]]:
    """(post id, author id, created at, likes) of the newest visible posts with photos."""
    posts = visible_posts(viewer=viewer).filter(
        Exists(PostImage.objects.filter(post_id=OuterRef("pk")))
    )
    if user is not None:
        muted = Mute.objects.filter(muter_id=user.pk).values("muted_id")
        posts = posts.exclude(author_id__in=muted).exclude(author_id=user.pk)
    return list(
        posts.order_by("-created_at", "-id").values_list(
            "pk", "author_id", "created_at", "like_count"
        )[:EXPLORE_CANDIDATES]
    )


def explore_rank(*, viewer: Viewer, weights: ExploreWeights = WEIGHTS) -> list[int]:
    """The ids of the posts explore shows this viewer, best first (cached per viewer)."""
    user = signed_in_viewer(viewer)
    key = _rank_key(user.pk if user is not None else None)
    ranked = cache.get(key)
    if ranked is not None:
        return list(ranked)
    rows = _candidates(viewer, user)
    affinity: dict[int, float] = {}
    followed: set[int] = set()
    followed_by_followees: set[int] = set()
    tagged: dict[int, list[int]] = {}
    if user is not None and rows:
        for scores in explore_product_affinity.fire(user):
            for product_id, score in scores.items():
                affinity[product_id] = max(affinity.get(product_id, 0.0), float(score))
        followed = set(
            Follow.objects.filter(follower_id=user.pk, status=Follow.Status.ACTIVE).values_list(
                "followee_id", flat=True
            )
        )
        followed_by_followees = set(
            Follow.objects.filter(
                follower_id__in=followed, status=Follow.Status.ACTIVE
            ).values_list("followee_id", flat=True)
        )
        if affinity:
            for post_id, product_id in PostProduct.objects.filter(
                post_id__in=[row[0] for row in rows]
            ).values_list("post_id", "product_id"):
                tagged.setdefault(post_id, []).append(product_id)
    now = timezone.now()
    scored = []
    for post_id, author_id, created_at, like_count in rows:
        score = weights.fresh * _fresh(created_at, now) + weights.likes * _likes(like_count)
        products = tagged.get(post_id)
        if products:
            score += weights.affinity * max(affinity.get(pid, 0.0) for pid in products)
        if author_id in followed:
            score += weights.followed
        elif author_id in followed_by_followees:
            score += weights.followed_by_followees
        scored.append((-score, -created_at.timestamp(), -post_id))
    ranked = [-post_id for _score, _at, post_id in sorted(scored)]
    cache.set(key, ranked, EXPLORE_RANK_SECONDS)
    return ranked


def explore_page(
    *, viewer: Viewer, page: int = 1, page_size: int = EXPLORE_PAGE_SIZE
) -> ExplorePage:
    """One page of explore cards (author, avatar, photos, likes), in rank order."""
    page = max(int(page), 1)
    page_size = min(max(int(page_size), 1), 60)
    ranked = explore_rank(viewer=viewer)
    start = (page - 1) * page_size
    ids = ranked[start : start + page_size]
    if not ids:
        return ExplorePage(items=[], next_page=None)
    # The visibility rule again, on this page's ids: blocks and unfollows since the ranking count now.
    posts = _cards(_with_display(visible_posts(viewer=viewer).filter(pk__in=ids), viewer))
    order = {post_id: index for index, post_id in enumerate(ids)}
    items = sorted(posts, key=lambda post: order[post.pk])
    more = start + page_size < len(ranked)
    return ExplorePage(items=items, next_page=page + 1 if more else None)


PROFILE_PHOTO_POSTS = 30


def photo_posts_for_profile(
    *, viewer: Viewer, author: User, limit: int = PROFILE_PHOTO_POSTS
) -> list[Post]:
    """A profile's photo grid: the author's newest visible posts with photos, each with its photos (the grid
    shows the first). Two queries."""
    posts = (
        visible_posts(viewer=viewer)
        .filter(author=author)
        .filter(Exists(PostImage.objects.filter(post_id=OuterRef("pk"))))
        .prefetch_related(Prefetch("images", queryset=PostImage.objects.order_by("position", "id")))
        .order_by("-created_at", "-id")
    )
    return list(posts[:limit])
