"""Demo data for the social layer; called by `manage.py seed_demo` after the shop's part.

Shoppers (with profiles and favourite categories from the shop's seeder) get a follow graph with communities
(people who like the same categories follow each other), a few very followed accounts, posts that tag products
their authors actually bought (so the verified badge is true), shared purchases and reviews, likes, comments
with replies, and some unread notifications for the demo shopper. Everything is written with bulk_create.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

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


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    from shop.models import OrderLine, Review, User
    from social.models import Comment, Follow, Like, Notification, Post, PostProduct, Profile

    now = timezone.now()
    people = list(
        User.objects.filter(is_active=True, is_staff=False)
        .order_by("pk")
        .values_list("pk", "username")
    )
    if len(people) < 3:
        log("    social: not enough shoppers, skipped")
        from social import demo_community

        demo_community.seed(rng=rng, small=small, log=log)
        return
    ids = [pk for pk, _name in people]
    names = dict(people)
    shopper_id = next((pk for pk, name in people if name == "shopper"), ids[0])
    # Every demo person gets a face (composed at seed time by shop.demo_pictures).
    from shop.demo_pictures import avatar_picture

    profiles = list(Profile.objects.filter(user_id__in=ids))
    for profile in profiles:
        profile.avatar = avatar_picture(username=names[profile.user_id])
    Profile.objects.bulk_update(profiles, ["avatar"], batch_size=1000)

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

    bought: dict[int, list[tuple[int, object]]] = defaultdict(list)
    for user_id, product_id, created_at in (
        OrderLine.objects.filter(order__user_id__in=ids, product__isnull=False)
        .exclude(order__status="cancelled")
        .values_list("order__user_id", "product_id", "order__created_at")
    ):
        bought[user_id].append((product_id, created_at))
    orders_by_user: dict[int, list[int]] = defaultdict(list)
    from shop.models import Order

    for order_id, user_id in (
        Order.objects.filter(user_id__in=ids)
        .exclude(status="cancelled")
        .values_list("pk", "user_id")
    ):
        orders_by_user[user_id].append(order_id)

    with transaction.atomic():
        Follow.objects.bulk_create(
            [
                Follow(follower_id=a, followee_id=b, status=Follow.Status.ACTIVE)
                for a, b in sorted(edges)
            ],
            batch_size=5000,
            ignore_conflicts=True,
        )

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
                products = order_products.get(post.order_id, [])[:5]
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

        my_followers = [a for a, b in edges if b == shopper_id][:4]
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=shopper_id,
                    actor_id=actor,
                    kind=Notification.Kind.FOLLOW,
                    message=f"@{names[actor]} started following you.",
                    url=f"/social/people/{names[actor]}/",
                )
                for actor in my_followers
            ]
        )
    log(
        f"    {len(edges)} follows ({len(communities)} communities, {len(stars)} popular accounts), "
        f"{len(posts)} posts, {len(likes)} likes, {len(comments) + len(replies)} comments"
    )

    from social import demo_community

    demo_community.seed(rng=rng, small=small, log=log)
