"""Post photos and avatars as the renditions work needs them."""

from __future__ import annotations

from django.db.models import Q

from common.pictures import picture_formats
from social.models import PostImage, Profile

__all__ = ["avatars_without_renditions", "post_images_without_renditions"]


def post_images_without_renditions() -> list[int]:
    """Ids of post photos whose renditions were never recorded."""
    return list(
        PostImage.objects.filter(renditions=[]).exclude(image="").values_list("id", flat=True)
    )


def avatars_without_renditions() -> list[int]:
    """Ids of profiles with an avatar whose renditions were never recorded, or were recorded in other formats
    than those made now (WebP alone, before AVIF avatars)."""
    return list(
        Profile.objects.exclude(avatar="")
        .filter(Q(avatar_renditions=[]) | ~Q(avatar_formats=list(picture_formats())))
        .order_by("id")
        .values_list("id", flat=True)
    )
