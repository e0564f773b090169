"""Who may see which post, and the lists built on that rule: the feed, a profile's posts, a product's posts.

One rule, in `visible_posts`: hidden posts never; nothing across a block (either direction); a private
profile's posts only to its approved followers and to the author. Everything else (pages, feed, API,
notifications) asks here, so "private posts are invisible to non-followers everywhere" has one home.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils.translation import gettext as _

from shop.models import ProductImage, User
from social.models import Block, Comment, Follow, Like, Mute, Post, PostImage, PostProduct
from social.selectors.graph import Viewer, signed_in_viewer

__all__ = [
    "FeedPage",
    "comment_access",
    "comments_for_post",
    "feed_cursor_decode",
    "feed_cursor_encode",
    "feed_for_user",
    "post_access",
    "post_can_view",
    "posts_for_profile",
    "posts_for_tag",
    "visible_posts",
]


@dataclass(frozen=True)
class FeedPage:
    items: list[Post]
    next_cursor: str | None


def _viewer_id(viewer: Viewer) -> int | None:
    user = signed_in_viewer(viewer)
    return user.pk if user is not None else None


def _blocked_q(viewer_id: int) -> Q:
    blocked = Block.objects.filter(blocker_id=viewer_id).values("blocked_id")
    blockers = Block.objects.filter(blocked_id=viewer_id).values("blocker_id")
    return Q(author_id__in=blocked) | Q(author_id__in=blockers)


def visible_posts(*, viewer: Viewer) -> QuerySet[Post]:
    posts = Post.objects.filter(is_hidden=False, author__is_active=True)
    viewer_id = _viewer_id(viewer)
    public = Q(author__profile__is_private=False) | Q(author__profile__isnull=True)
    if viewer_id is None:
        return posts.filter(public)
    followees = Follow.objects.filter(follower_id=viewer_id, status=Follow.Status.ACTIVE).values(
        "followee_id"
    )
    return posts.filter(public | Q(author_id=viewer_id) | Q(author_id__in=followees)).exclude(
        _blocked_q(viewer_id)
    )


# A tagged product's first picture, read inside the tag query (one round trip fewer than a prefetch).
_first_image = ProductImage.objects.filter(product_id=OuterRef("product_id")).order_by(
    "position", "id"
)


def _with_display(posts: QuerySet[Post], viewer: Viewer) -> QuerySet[Post]:
    """Everything a post card shows: author and profile, the shared review, tagged products with their
    pictures (prefetched), whether the viewer liked it, and whether it has pictures of its own."""
    posts = (
        posts.select_related("author", "author__profile", "review", "review__product")
        .prefetch_related(
            Prefetch(
                "product_tags",
                queryset=PostProduct.objects.select_related("product")
                .annotate(
                    thumb=Subquery(_first_image.values("image")[:1]),
                    thumb_alt=Subquery(_first_image.values("alt_text")[:1]),
                    thumb_renditions=Subquery(_first_image.values("renditions")[:1]),
                )
                .order_by("position", "id"),
            )
        )
        .annotate(has_images=Exists(PostImage.objects.filter(post_id=OuterRef("pk"))))
    )
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        posts = posts.annotate(
            liked_by_me=Exists(Like.objects.filter(post_id=OuterRef("pk"), user_id=viewer_id))
        )
    return posts


def _cards(posts: QuerySet[Post]) -> list[Post]:
    """Evaluate a card queryset: at most 3 queries whatever the number of posts (posts, tagged products
    with their first picture, post pictures); the picture query runs only when a post on the page has pictures,
    which saves a round trip on most feed pages."""
    items = list(posts)
    with_images = [post for post in items if getattr(post, "has_images", False)]
    prefetch_related_objects(with_images, "images")
    for post in items:
        if not getattr(post, "has_images", False):
            # An already evaluated empty result, as a prefetch leaves it: `post.images.all()` then costs
            # nothing (an unevaluated `.none()` still went through the query compiler on every access).
            empty = PostImage.objects.none()
            empty._result_cache = []
            empty._prefetch_done = True  # type: ignore[attr-defined]
            post.__dict__.setdefault("_prefetched_objects_cache", {})["images"] = empty
    return items


def post_can_view(*, viewer: Viewer, post: Post) -> bool:
    return visible_posts(viewer=viewer).filter(pk=post.pk).exists()


def post_access(*, user: Viewer, post_id: int) -> Post:
    """The post if this user may see it; 404 otherwise (a private post's existence is not revealed)."""
    found = _cards(_with_display(visible_posts(viewer=user), user).filter(pk=post_id))
    post = found[0] if found else None
    if post is None:
        raise Http404(_("Post not found."))
    return post


def comment_access(*, user: Viewer, comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("post", "author")
        .filter(pk=comment_id, is_hidden=False)
        .first()
    )
    if comment is None or not post_can_view(viewer=user, post=comment.post):
        raise Http404(_("Comment not found."))
    return comment


def feed_cursor_encode(post: Post) -> str:
    raw = f"{post.created_at.timestamp():.6f}:{post.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def feed_cursor_decode(cursor: str) -> tuple[datetime, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, _sep, pk = base64.urlsafe_b64decode(padded.encode()).decode().partition(":")
        return datetime.fromtimestamp(float(stamp), tz=UTC), int(pk)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError, OSError):
        raise ValidationError(_("Invalid cursor."), code="invalid_cursor") from None


def _page(posts: QuerySet[Post], *, viewer: Viewer, cursor: str | None, page_size: int) -> FeedPage:
    """One keyset page of cards, newest first, and the cursor of the next page if there is one."""
    if cursor:
        created_at, pk = feed_cursor_decode(cursor)
        posts = posts.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, pk__lt=pk))
    # One round trip: the ids (LIMIT page_size + 1, an index-only scan on PostgreSQL, see migration
    # 0006) as a subquery of the card query.
    ids = posts.order_by("-created_at", "-id").values("pk")[: page_size + 1]
    items = _cards(
        _with_display(Post.objects.filter(pk__in=ids), viewer).order_by("-created_at", "-id")
    )
    more = len(items) > page_size
    items = items[:page_size]
    return FeedPage(
        items=items, next_cursor=feed_cursor_encode(items[-1]) if more and items else None
    )


def feed_for_user(
    *, user: User, cursor: str | None = None, page_size: int | None = None
) -> FeedPage:
    """Posts, shared purchases and reviews from the people I follow (and mine), newest first.

    Keyset pagination on (created_at, id): a page never repeats or skips items when new posts arrive.
    Muted and blocked accounts never appear. Followees are approved follows only, so a private account's
    posts appear exactly for its approved followers.
    """
    page_size = min(max(int(page_size or settings.SOCIAL_FEED_PAGE_SIZE), 1), 100)
    followees = Follow.objects.filter(follower_id=user.pk, status=Follow.Status.ACTIVE).values(
        "followee_id"
    )
    muted = Mute.objects.filter(muter_id=user.pk).values("muted_id")
    posts = (
        Post.objects.filter(is_hidden=False)
        .filter(Q(author_id__in=followees) | Q(author_id=user.pk))
        .exclude(author_id__in=muted)
        .exclude(_blocked_q(user.pk))
    )
    return _page(posts, viewer=user, cursor=cursor, page_size=page_size)


def posts_for_profile(
    *, viewer: Viewer, author: User, cursor: str | None = None, page_size: int = 20
) -> FeedPage:
    posts = visible_posts(viewer=viewer).filter(author=author)
    return _page(posts, viewer=viewer, cursor=cursor, page_size=page_size)


def posts_for_tag(
    *, viewer: Viewer, tag: str, cursor: str | None = None, page_size: int = 20
) -> FeedPage:
    posts = visible_posts(viewer=viewer).filter(
        body__iregex=rf"(^|[^\w#&/])#{re.escape(tag)}(\W|$)"
    )
    return _page(posts, viewer=viewer, cursor=cursor, page_size=page_size)


def comments_for_post(*, viewer: Viewer, post: Post) -> list[Comment]:
    """Top-level comments with their replies, oldest first, without comments across a block."""
    comments = Comment.objects.filter(post=post, is_hidden=False).select_related(
        "author", "author__profile"
    )
    viewer_id = _viewer_id(viewer)
    if viewer_id is not None:
        blocked = Block.objects.filter(blocker_id=viewer_id).values("blocked_id")
        blockers = Block.objects.filter(blocked_id=viewer_id).values("blocker_id")
        comments = comments.exclude(Q(author_id__in=blocked) | Q(author_id__in=blockers))
    rows = list(comments.order_by("created_at", "id"))
    by_parent: dict[int, list[Comment]] = {}
    for comment in rows:
        if comment.parent_id:
            by_parent.setdefault(comment.parent_id, []).append(comment)
    top = [comment for comment in rows if comment.parent_id is None]
    for comment in top:
        comment.reply_list = by_parent.get(comment.pk, [])
    return top
