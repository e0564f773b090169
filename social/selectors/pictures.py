"""Post photos and avatars as the renditions work needs them."""

from __future__ import annotations

from social.models import PostImage, Profile

__all__ = ["avatars_without_renditions", "post_images_without_renditions"]


def post_images_without_renditions() -> list[int]:
    """Ids of post photos whose renditions were never recorded."""
    return list(
        PostImage.objects.filter(renditions=[]).exclude(image="").values_list("id", flat=True)
    )


def avatars_without_renditions() -> list[int]:
    """Ids of profiles with an avatar whose renditions were never recorded."""
    return list(
        Profile.objects.filter(avatar_renditions=[]).exclude(avatar="").values_list("id", flat=True)
    )
