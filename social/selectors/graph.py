"""The follow graph as other apps need it (the recommender, suggestions, reasons)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from shop.models import User
from social.models import Block, Follow

__all__ = ["Viewer", "blocked_pair_ids", "follow_edges", "followee_ids", "signed_in_viewer"]

# Who is looking at a page or calling the API: a signed-in shopper, an anonymous visitor, or nobody (a task).
Viewer: TypeAlias = User | AnonymousUser | None


def signed_in_viewer(viewer: Viewer) -> User | None:
    """The signed-in shopper behind `viewer`, or None for anonymous visitors and tasks."""
    return viewer if isinstance(viewer, User) and viewer.is_authenticated else None


def follow_edges(*, user_ids: Iterable[int] | None = None) -> list[tuple[int, int]]:
    """Active (follower_id, followee_id) pairs, optionally only for the given followers."""
    queryset = Follow.objects.filter(status=Follow.Status.ACTIVE)
    if user_ids is not None:
        queryset = queryset.filter(follower_id__in=list(user_ids))
    return list(queryset.values_list("follower_id", "followee_id"))


def followee_ids(*, user_id: int) -> list[int]:
    return list(
        Follow.objects.filter(follower_id=user_id, status=Follow.Status.ACTIVE).values_list(
            "followee_id", flat=True
        )
    )


def blocked_pair_ids(*, user_id: int) -> set[int]:
    """Everyone this user blocked or was blocked by: they see nothing of each other."""
    blocked = Block.objects.filter(blocker_id=user_id).values_list("blocked_id", flat=True)
    blockers = Block.objects.filter(blocked_id=user_id).values_list("blocker_id", flat=True)
    return set(blocked) | set(blockers)
