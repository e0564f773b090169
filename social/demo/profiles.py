"""What social keeps about the shop demo's people, added while the shop demo runs (shop/hooks.py:
`demo_accounts_created`, `demo_shoppers_seeded`): profiles with display names, and the favourite categories
about half the shoppers picked at onboarding (a cold-start signal). Registered in `SocialConfig.ready()`.
"""

from __future__ import annotations

from shop.hooks import DemoShoppers
from shop.models import User
from social.models import Profile

__all__ = ["demo_favourite_categories_set", "demo_profiles_create"]


def demo_profiles_create(users: list[User]) -> None:
    Profile.objects.bulk_create(
        [
            Profile(
                user_id=user.id,
                display_name=f"{user.first_name} {user.last_name}".strip() or user.username,
            )
            for user in users
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )


def demo_favourite_categories_set(seeded: DemoShoppers) -> None:
    """About half the shoppers picked their favourite categories; drawn from the shop demo's generator."""
    rng = seeded.rng
    profile_ids = dict(
        Profile.objects.filter(user_id__in=[s.user_id for s in seeded.shoppers]).values_list(
            "user_id", "id"
        )
    )
    through = Profile.favourite_categories.through
    rows = [
        through(profile_id=profile_ids[shopper.user_id], category_id=cid)
        for shopper in seeded.shoppers
        if shopper.user_id in profile_ids and rng.random() < 0.5
        for cid in shopper.favourite_category_ids
    ]
    through.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
