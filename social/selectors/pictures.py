"""Post photos as the renditions work needs them."""

from __future__ import annotations

from social.models import PostImage

__all__ = ["post_images_without_renditions"]


def post_images_without_renditions() -> list[int]:
    """Ids of post photos whose renditions were never recorded."""
    return list(
        PostImage.objects.filter(renditions=[]).exclude(image="").values_list("id", flat=True)
    )
