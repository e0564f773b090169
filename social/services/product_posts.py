"""The one home of the product page's posts block ("What people say") generation.

The block is rendered once per product and shared by every shopper (see `social.selectors.product_posts`); it is
cached under the product's posts generation, so every write that changes what the block shows calls one of the
functions here: a post tagging the product created, edited, deleted or hidden/restored, a like or a comment on
such a post (the counts are shown), the author's profile (name, picture, privacy) and the stock of a product
tagged by such a post (price and name changes already bump the catalogue version, which is in the key too).
The bump is `common.generations` (a new token now and again after commit), so a page read during the write
cannot keep the old block.
"""

from __future__ import annotations

from collections.abc import Iterable

from common.generations import generation_bump_on_commit
from social.models import PostProduct

__all__ = [
    "product_posts_bump",
    "product_posts_bump_for_author",
    "product_posts_bump_for_posts",
    "product_posts_bump_for_tagged",
    "product_posts_scope",
]


def product_posts_scope(product_id: int) -> str:
    return f"social:product-posts-gen:{product_id}"


def product_posts_bump(product_ids: Iterable[int]) -> None:
    """These products' posts blocks changed."""
    scopes = [product_posts_scope(product_id) for product_id in sorted(set(product_ids))]
    if scopes:
        generation_bump_on_commit(*scopes)


def product_posts_bump_for_posts(post_ids: Iterable[int]) -> None:
    """These posts changed (text, counts, visibility): every product they tag."""
    ids = list(set(post_ids))
    if ids:
        product_posts_bump(
            PostProduct.objects.filter(post_id__in=ids).values_list("product_id", flat=True)
        )


def product_posts_bump_for_author(user_id: int) -> None:
    """An author's name, picture, privacy or account changed: every product their posts tag."""
    product_posts_bump(
        PostProduct.objects.filter(post__author_id=user_id).values_list("product_id", flat=True)
    )


def product_posts_bump_for_tagged(product_ids: Iterable[int]) -> None:
    """These products' stock changed: every product tagged together with one of them (a card shows each
    tagged product's stock)."""
    ids = list(set(product_ids))
    if not ids:
        return
    posts = PostProduct.objects.filter(product_id__in=ids).values("post_id")
    product_posts_bump(
        PostProduct.objects.filter(post_id__in=posts).values_list("product_id", flat=True)
    )
