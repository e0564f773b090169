"""Demo posts: posts that tag products their authors actually bought (so the verified badge is true), shared
purchases and reviews, likes from followers, comments with replies, and the denormalised counters."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count

from shop.models import Order, OrderLine, Review
from social.models import Comment, Like, Post, PostProduct

__all__ = ["DemoPosts", "posts_seed"]

POST_TEXTS = (
    "Finally got this and I love it. {tag}",
    "Best buy this month, honestly. {tag}",
    "Does anyone else have this? Thoughts? {tag}",
    "Shop the look: everything I wore today. {tag}",
    "Gift for my sister, she was thrilled. {tag}",
    "Quality is better than I expected. {tag}",
    "Second one I bought, that says it all. {tag}",
    "Weekend setup. {tag}",
)
TAGS = ("#haul", "#ootd", "#giftideas", "#home", "#musthave", "#weekend", "#review", "#newin")
COMMENTS = (
    "Looks great!",
    "Where did you get it?",
    "I have the same one, love it.",
    "Adding this to my wishlist.",
    "How is the size?",
    "Nice pick!",
    "Is it worth the price?",
)
REPLIES = ("Totally agree.", "Same here!", "Thanks!", "Good question.", "It fits true to size.")


@dataclass(frozen=True)
class DemoPosts:
    """How many rows the posts seeder wrote (for the log line)."""

    posts: int
    likes: int
    comments: int


def posts_seed(
    *, rng: random.Random, ids: list[int], edges: set[tuple[int, int]], now: datetime, small: bool
) -> DemoPosts:
    """Posts, tags, likes and comments; call inside the seeding transaction, after the follows."""
    bought: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for user_id, product_id, created_at in (
        OrderLine.objects.filter(order__user_id__in=ids, product__isnull=False)
        .exclude(order__status="cancelled")
        .values_list("order__user_id", "product_id", "order__created_at")
    ):
        bought[user_id].append((product_id, created_at))
    orders_by_user: dict[int, list[int]] = defaultdict(list)
    for order_id, user_id in (
        Order.objects.filter(user_id__in=ids)
        .exclude(status="cancelled")
        .values_list("pk", "user_id")
    ):
        orders_by_user[user_id].append(order_id)

    posts: list[Post] = []
    post_products: list[list[int]] = []
    posts_per_user = (1, 3) if small else (1, 5)
    for user_id in ids:
        purchases = bought.get(user_id) or []
        for _ in range(rng.randint(*posts_per_user) if purchases else rng.randint(0, 1)):
            tagged: list[int] = []
            created = now - timedelta(minutes=rng.randint(5, 60 * 24 * 45))
            if purchases:
                picks = rng.sample(purchases, k=min(len(purchases), rng.randint(1, 3)))
                tagged = list(dict.fromkeys(product_id for product_id, _at in picks))
                latest = max(at for _pid, at in picks)
                if created < latest:
                    created = min(now, latest + timedelta(hours=rng.randint(1, 72)))
            text = rng.choice(POST_TEXTS).format(tag=rng.choice(TAGS))
            posts.append(
                Post(author_id=user_id, kind=Post.Kind.POST, body=text, created_at=created)
            )
            post_products.append(tagged)
        # Some shoppers shared an order with their followers.
        for order_id in orders_by_user.get(user_id, [])[:1]:
            if rng.random() < 0.3:
                posts.append(
                    Post(
                        author_id=user_id,
                        kind=Post.Kind.PURCHASE,
                        order_id=order_id,
                        created_at=now - timedelta(minutes=rng.randint(5, 60 * 24 * 30)),
                    )
                )
                post_products.append([])
    reviews = list(
        Review.objects.filter(user_id__in=ids, is_hidden=False).values_list(
            "pk", "user_id", "product_id", "verified_purchase"
        )
    )
    for review_id, user_id, product_id, verified in rng.sample(
        reviews, k=min(len(reviews), len(ids) // 2)
    ):
        posts.append(
            Post(
                author_id=user_id,
                kind=Post.Kind.REVIEW,
                review_id=review_id,
                created_at=now - timedelta(minutes=rng.randint(5, 60 * 24 * 30)),
            )
        )
        post_products.append([-product_id if not verified else product_id])
    Post.objects.bulk_create(posts, batch_size=2000)

    order_products: dict[int, list[int]] = defaultdict(list)
    purchase_order_ids = [p.order_id for p in posts if p.order_id]
    for order_id, product_id in OrderLine.objects.filter(
        order_id__in=purchase_order_ids, product__isnull=False
    ).values_list("order_id", "product_id"):
        if product_id not in order_products[order_id]:
            order_products[order_id].append(product_id)
    tags = []
    for post, products in zip(posts, post_products, strict=True):
        if post.kind == Post.Kind.PURCHASE:
            products = order_products.get(post.order_id or 0, [])[:5]
        for position, product_id in enumerate(products):
            tags.append(
                PostProduct(
                    post_id=post.pk,
                    product_id=abs(product_id),
                    position=position,
                    verified_purchase=product_id > 0,
                )
            )
    PostProduct.objects.bulk_create(tags, batch_size=5000, ignore_conflicts=True)

    followers_of: dict[int, list[int]] = defaultdict(list)
    for follower, followee in edges:
        followers_of[followee].append(follower)
    likes, comments = [], []
    for post in posts:
        audience = followers_of.get(post.author_id, [])
        if not audience:
            continue
        for liker in rng.sample(audience, k=min(len(audience), rng.randint(0, 8))):
            likes.append(Like(post_id=post.pk, user_id=liker))
        for commenter in rng.sample(audience, k=min(len(audience), rng.randint(0, 2))):
            comments.append(
                Comment(post_id=post.pk, author_id=commenter, body=rng.choice(COMMENTS))
            )
    Like.objects.bulk_create(likes, batch_size=5000, ignore_conflicts=True)
    Comment.objects.bulk_create(comments, batch_size=5000)
    author_of = {post.pk: post.author_id for post in posts}
    replies = []
    for comment in comments:
        if rng.random() >= 0.35:
            continue
        # Mostly the post's author answers; sometimes another follower joins in.
        responder = author_of[comment.post_id]
        if rng.random() < 0.3:
            responder = rng.choice(followers_of.get(responder) or [responder])
        replies.append(
            Comment(
                post_id=comment.post_id,
                author_id=responder,
                parent_id=comment.pk,
                body=rng.choice(REPLIES),
            )
        )
    Comment.objects.bulk_create(replies, batch_size=5000)

    # Denormalised counters in two grouped queries, then one bulk update.
    like_counts = dict(
        Like.objects.filter(post_id__in=[p.pk for p in posts])
        .values("post_id")
        .annotate(n=Count("pk"))
        .values_list("post_id", "n")
    )
    comment_counts = dict(
        Comment.objects.filter(post_id__in=[p.pk for p in posts])
        .values("post_id")
        .annotate(n=Count("pk"))
        .values_list("post_id", "n")
    )
    for post in posts:
        post.like_count = like_counts.get(post.pk, 0)
        post.comment_count = comment_counts.get(post.pk, 0)
    Post.objects.bulk_update(posts, ["like_count", "comment_count"], batch_size=2000)
    return DemoPosts(posts=len(posts), likes=len(likes), comments=len(comments) + len(replies))
