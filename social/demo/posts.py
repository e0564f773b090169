"""Demo posts: posts that tag products their authors actually bought (so the verified badge is true), shared
purchases and reviews, likes from followers, comments with replies, and the denormalised counters."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count

from shop.demo.pictures import picture_parts
from shop.models import Order, OrderLine, Product, ProductImage, Review
from social.demo.photos import DemoPhoto, close_up, flat_lay
from social.models import Comment, Like, Post, PostImage, PostProduct

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


# How many written posts get photos (flat lays of their tagged products; the newest first).
PHOTO_POSTS = 160
PHOTO_POSTS_SMALL = 30
# One photo post in this many also gets a close-up of each tagged product (a post of 2-4 photos).
CLOSE_UP_EVERY = 3
FALLBACK_OBJECT = ("1f6cd-fe0f", None)


@dataclass(frozen=True)
class DemoPosts:
    """How many rows the posts seeder wrote (for the log line)."""

    posts: int
    likes: int
    comments: int
    photo_posts: int = 0


def _product_objects(product_ids: set[int]) -> dict[int, tuple[str, str | None]]:
    """Each product's (object stem, colour) from its first demo picture's name (shopping bags otherwise)."""
    objects: dict[int, tuple[str, str | None]] = {}
    for product_id, name in (
        ProductImage.objects.filter(product_id__in=product_ids)
        .order_by("product_id", "-position", "-id")
        .values_list("product_id", "image")
    ):
        parts = picture_parts(name)
        if parts is not None:
            objects[product_id] = parts
    return objects


def _photos_seed(
    *, posts: list[Post], post_products: list[list[int]], small: bool, names: dict[int, str]
) -> dict[tuple[int, int], tuple[int, float, float]]:
    """Photos for the newest written posts with tagged products; returns {(post id, product id): (photo id,
    x, y)} where each product lies in its post's flat lay."""
    chosen = sorted(
        (
            (post, products)
            for post, products in zip(posts, post_products, strict=True)
            if post.kind == Post.Kind.POST and products
        ),
        key=lambda pair: pair[0].created_at,
        reverse=True,
    )[: PHOTO_POSTS_SMALL if small else PHOTO_POSTS]
    objects = _product_objects({abs(pid) for _post, products in chosen for pid in products})
    images: list[PostImage] = []
    points: list[tuple[int, int, float, float]] = []  # (index in images, product id, x, y)
    for number, (post, products) in enumerate(chosen):
        shown = [abs(pid) for pid in products[:3]]
        key = f"post:{post.pk}"
        lay = flat_lay(key=key, products=[objects.get(pid, FALLBACK_OBJECT) for pid in shown])
        photos: list[tuple[DemoPhoto, str]] = [
            (lay, "Flat lay: " + ", ".join(names.get(pid, "") for pid in shown))
        ]
        for product_id, (x, y) in zip(shown, lay.points, strict=True):
            points.append((len(images), product_id, x, y))
        if number % CLOSE_UP_EVERY == 0:
            for product_id in shown:
                stem, colour = objects.get(product_id, FALLBACK_OBJECT)
                photo = close_up(key=f"{key}:{product_id}", stem=stem, colour=colour)
                photos.append((photo, f"Close-up: {names.get(product_id, '')}"))
        for position, (photo, alt) in enumerate(photos):
            images.append(
                PostImage(
                    post_id=post.pk,
                    image=photo.name,
                    width=photo.width,
                    height=photo.height,
                    alt_text=alt[:200],
                    position=position,
                )
            )
    PostImage.objects.bulk_create(images, batch_size=1000)
    return {
        (images[index].post_id, product_id): (images[index].pk, x, y)
        for index, product_id, x, y in points
    }


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
    names = dict(
        Product.objects.filter(
            pk__in={abs(pid) for products in post_products for pid in products}
        ).values_list("pk", "name")
    )
    placed = _photos_seed(posts=posts, post_products=post_products, small=small, names=names)
    tags = []
    for post, products in zip(posts, post_products, strict=True):
        if post.kind == Post.Kind.PURCHASE:
            products = order_products.get(post.order_id or 0, [])[:5]
        for position, product_id in enumerate(products):
            image_id, x, y = placed.get((post.pk, abs(product_id)), (None, None, None))
            tags.append(
                PostProduct(
                    post_id=post.pk,
                    product_id=abs(product_id),
                    position=position,
                    verified_purchase=product_id > 0,
                    image_id=image_id,
                    x=x,
                    y=y,
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
    return DemoPosts(
        posts=len(posts),
        likes=len(likes),
        comments=len(comments) + len(replies),
        photo_posts=len({key[0] for key in placed}),
    )
