"""Onboarding: a newcomer's favourite categories and first follows, the cold-start signals.

Profiles and follows are social's: they are written through `social.services`, so a private account gets a
follow request exactly as anywhere else on the site.
"""

from __future__ import annotations

from collections.abc import Iterable

from recsys.services.serving import user_signals_changed
from shop import selectors as shop_selectors
from shop.models import User
from social import services as social_services

__all__ = ["onboarding_complete"]


def onboarding_complete(
    *, user: User, category_ids: Iterable[int], followee_ids: Iterable[int]
) -> int:
    """Store the chosen categories and follow the chosen people; returns how many follows were made."""
    chosen_categories = list(category_ids)
    if chosen_categories:
        social_services.favourite_categories_set(user=user, category_ids=chosen_categories)
    else:
        social_services.profile_get_or_create(user=user)
    made = 0
    for followee in shop_selectors.users_by_ids(user_ids=followee_ids):
        if followee.pk == user.pk:
            continue
        social_services.follow_create(follower=user, followee=followee)
        made += 1
    user_signals_changed(user.pk)
    return made
