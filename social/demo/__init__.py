"""Demo data for the social layer; called by `manage.py seed_demo` after the shop's part. One module per
concept: the follow graph, posts (with likes and comments), notifications, group buys and reports.

Shoppers (with profiles and favourite categories from the shop's seeder) get a follow graph with communities,
posts that tag products their authors bought, shared purchases and reviews, likes, comments with replies, and
some unread notifications for the demo shopper (all written with bulk_create); then a running group buy and a few
open reports (through the services). The order of the random draws is fixed, so a seed gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from shop.demo.pictures import avatar_picture, square_renditions
from shop.models import User
from social.demo.graph import follow_graph_build, follows_store
from social.demo.groupbuy import group_buys_seed
from social.demo.moderation import reports_seed
from social.demo.notifications import follow_notifications_seed
from social.demo.posts import posts_seed
from social.models import Profile
from social.models.profiles import AVATAR_SIDES
from social.services.pictures import avatar_formats

__all__ = ["seed"]


def seed(*, rng: random.Random, small: bool, log: Callable[[str], None]) -> None:
    now = timezone.now()
    people = list(
        User.objects.filter(is_active=True, is_staff=False)
        .order_by("pk")
        .values_list("pk", "username")
    )
    if len(people) < 3:
        log("    social: not enough shoppers, skipped")
    else:
        ids = [pk for pk, _name in people]
        names = dict(people)
        shopper_id = next((pk for pk, name in people if name == "shopper"), ids[0])
        # Every demo person gets a face (composed at seed time by shop.demo.pictures).
        # Their square renditions are made here too (a few distinct files), or left to `manage.py
        # avatar_renditions` under `seed_demo --renditions-later`: pages show the originals meanwhile.
        profiles = list(Profile.objects.filter(user_id__in=ids))
        sides: dict[str, tuple[int, ...]] = {}
        formats = avatar_formats()
        for profile in profiles:
            name = avatar_picture(username=names[profile.user_id])
            if name not in sides:
                sides[name] = square_renditions(name, sides=AVATAR_SIDES, formats=tuple(formats))
            profile.avatar = name
            profile.avatar_renditions = list(sides[name])
            profile.avatar_formats = formats if sides[name] else []
        Profile.objects.bulk_update(
            profiles, ["avatar", "avatar_renditions", "avatar_formats"], batch_size=1000
        )
        graph = follow_graph_build(rng=rng, ids=ids, shopper_id=shopper_id, small=small)
        with transaction.atomic():
            follows_store(graph.edges)
            written = posts_seed(rng=rng, ids=ids, edges=graph.edges, now=now, small=small)
            follow_notifications_seed(shopper_id=shopper_id, edges=graph.edges, names=names)
        log(
            f"    {len(graph.edges)} follows ({graph.community_count} communities, "
            f"{graph.popular_count} popular accounts), {written.posts} posts "
            f"({written.photo_posts} with photos), {written.likes} likes, "
            f"{written.comments} comments"
        )
    log("  social: group buys and reports")
    group_buys_seed(rng=rng, small=small, log=log)
    reports_seed(rng=rng, small=small, log=log)
