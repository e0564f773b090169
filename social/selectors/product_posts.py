"""The product page's posts block, shared by every shopper: the candidates (the same for everyone) and the
per-viewer filter over them (blocks either way, private accounts the viewer does not follow, liked state).

The candidates are the newest posts tagging the product that anyone may see (not hidden, active author), with
what their cards show; `social.templatetags.social_tags.product_posts_block` renders them once per posts
generation (`social.services.product_posts`, the one home of the bump) and keeps only the per-viewer choice
for each response. The visibility rule is `social.selectors.posts.visible_posts`'s, applied to the few
candidate authors in one query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Value

from social.models import Block, Follow, Like, Post, PostProduct
from social.selectors.graph import Viewer, signed_in_viewer
from social.selectors.posts import _cards, _with_display

__all__ = [
    "PRODUCT_POSTS_SHARED",
    "ViewerState",
    "product_posts_candidates",
    "product_posts_viewer_state",
]

# How many candidates the shared block holds; a viewer sees the first `limit` of those they may see.
PRODUCT_POSTS_SHARED = 30


def product_posts_candidates(*, product_id: int) -> list[Post]:
    """Newest first: posts tagging the product that are not hidden and whose author is active, with their
    card display (no viewer: nothing per shopper)."""
    ids = (
        PostProduct.objects.filter(
            product_id=product_id, post__is_hidden=False, post__author__is_active=True
        )
        .order_by("-post__created_at", "-post_id")
        .values("post_id")[:PRODUCT_POSTS_SHARED]
    )
    posts = Post.objects.filter(pk__in=ids)
    return _cards(_with_display(posts, None).order_by("-created_at", "-id"))


@dataclass(frozen=True, slots=True)
class ViewerState:
    """What one viewer's block depends on, among a block's candidate authors and posts."""

    viewer_id: int | None
    hidden_author_ids: frozenset[int]
    followed_ids: frozenset[int]
    liked_post_ids: frozenset[int]

    def may_see(self, *, author_id: int, author_public: bool) -> bool:
        if author_id in self.hidden_author_ids:
            return False
        return author_public or author_id == self.viewer_id or author_id in self.followed_ids


def product_posts_viewer_state(
    *,
    viewer: Viewer,
    post_ids: Sequence[int],
    author_ids: Sequence[int],
    private_ids: Sequence[int],
) -> ViewerState:
    """Blocks either way with the candidate authors, approved follows of the private ones and the viewer's
    likes among the candidate posts, in one query (none for a visitor)."""
    user = signed_in_viewer(viewer)
    if user is None or not post_ids:
        return ViewerState(None, frozenset(), frozenset(), frozenset())
    uid = user.pk
    rows = (
        Block.objects.filter(blocker_id=uid, blocked_id__in=author_ids)
        .values_list(Value("b"), "blocked_id")
        .union(
            Block.objects.filter(blocked_id=uid, blocker_id__in=author_ids).values_list(
                Value("b"), "blocker_id"
            ),
            Follow.objects.filter(
                follower_id=uid, status=Follow.Status.ACTIVE, followee_id__in=private_ids
            ).values_list(Value("f"), "followee_id"),
            Like.objects.filter(user_id=uid, post_id__in=post_ids).values_list(
                Value("l"), "post_id"
            ),
            all=True,
        )
    )
    found: dict[str, set[int]] = {"b": set(), "f": set(), "l": set()}
    for kind, ref in rows:
        found[kind].add(ref)
    return ViewerState(uid, frozenset(found["b"]), frozenset(found["f"]), frozenset(found["l"]))
