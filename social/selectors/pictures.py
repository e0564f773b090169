"""Post photos and avatars as the renditions work needs them, and an avatar as a JSON payload shows it (the
support console's queue and messages draw avatars in the browser: `{% avatar %}` is the HTML home)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.core.files.storage import default_storage
from django.db.models import Q

from common.pictures import picture_formats, rendition_name, srcset
from shop.models import User
from social.models import PostImage, Profile

__all__ = [
    "AvatarSources",
    "avatar_sources",
    "avatar_sources_for",
    "avatars_without_renditions",
    "post_images_without_renditions",
]


@dataclass(frozen=True)
class AvatarSources:
    """What a script needs to draw an avatar as `{% avatar %}` does: `src` (the smallest rendition, or the
    original before renditions exist), the WebP `srcset` and, where AVIF files exist, `srcset_avif` (both empty
    before renditions exist). A script sets `sizes` to the size it shows."""

    src: str
    srcset: str = ""
    srcset_avif: str = ""


def avatar_sources(profile: Profile | None) -> AvatarSources | None:
    """`profile`'s avatar as URLs (no storage request: computed from names); None without an avatar."""
    picture = profile.avatar_picture if profile is not None else None
    if picture is None:
        return None
    if not picture.renditions:
        return AvatarSources(src=picture.url)
    return AvatarSources(
        src=default_storage.url(rendition_name(picture.name, picture.renditions[0], "webp")),
        srcset=srcset(picture, "webp"),
        srcset_avif=srcset(picture, "avif") if "avif" in picture.formats else "",
    )


def avatar_sources_for(user: User | None) -> AvatarSources | None:
    """A person's avatar sources; None for nobody, a person without a profile or without an avatar. Load
    people with `select_related("profile")` (or `<relation>__profile`) so that a list asks nothing per row."""
    if user is None:
        return None
    try:
        profile = user.profile
    except ObjectDoesNotExist:
        return None
    return avatar_sources(profile)


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
