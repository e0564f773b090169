"""Post photo and avatar renditions: after a post photo or an avatar is stored, a task makes its renditions
(common.pictures) and records them on the row, so pages only ever link renditions that exist (the same recipe as
product pictures in shop.services.pictures). Avatars get small centre-cropped squares (AVATAR_SIDES) in the
same formats as every picture (AVIF and WebP, `avatar_formats()`), and the row records sides and formats.

The task takes the row's id, is idempotent (stored renditions are kept, the row is overwritten with the same
values) and retries when the store is briefly unreachable; a row deleted meanwhile is a no-op.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from common.pictures import (
    picture_formats,
    rendition_name,
    renditions_store,
    square_renditions_store,
)
from common.storage import StorageUnavailable
from social.models import PostImage, Profile
from social.models.profiles import AVATAR_SIDES
from social.services.product_posts import (
    product_posts_bump_for_author,
    product_posts_bump_for_posts,
)

__all__ = [
    "avatar_file_names",
    "avatar_formats",
    "avatar_renditions_make",
    "avatar_renditions_queue",
    "avatar_renditions_task",
    "post_image_file_names",
    "post_image_renditions_make",
    "post_image_renditions_queue",
    "post_image_renditions_task",
]

logger = logging.getLogger(__name__)


# Every format a rendition may have been made in (the row records widths, not formats, and PICTURE_FORMATS can
# change): deleting a photo deletes all of them (a missing file is not an error for the storage API).
_RENDITION_FORMATS = ("avif", "webp")


def post_image_file_names(image: PostImage) -> list[str]:
    """The stored names of a post photo: its original and every rendition recorded for it."""
    if not image.image.name:
        return []
    formats = sorted({*_RENDITION_FORMATS, *picture_formats()})
    return [
        image.image.name,
        *(
            rendition_name(image.image.name, width, fmt)
            for width in image.renditions or ()
            for fmt in formats
        ),
    ]


def post_image_renditions_make(*, image_id: int) -> PostImage | None:
    """Make and record the renditions of one post photo; None when the row (or its file) is gone."""
    image = PostImage.objects.filter(pk=image_id).first()
    if image is None or not image.image.name:
        return None
    picture = renditions_store(name=image.image.name)
    widths = list(picture.renditions)
    PostImage.objects.filter(pk=image_id).update(
        width=picture.width, height=picture.height, renditions=widths
    )
    image.width, image.height, image.renditions = picture.width, picture.height, widths
    product_posts_bump_for_posts([image.post_id])
    return image


def post_image_renditions_queue(*, image_id: int) -> None:
    """Queue the renditions once the photo's row is committed (nothing is queued if it rolls back)."""
    transaction.on_commit(lambda: post_image_renditions_task.delay(image_id))


@shared_task(
    name="social.tasks.post_image_renditions_task",
    ignore_result=True,
    autoretry_for=(StorageUnavailable, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def post_image_renditions_task(image_id: int) -> None:
    post_image_renditions_make(image_id=image_id)


def avatar_formats() -> list[str]:
    """The formats avatar renditions are made in: those of every picture (AVIF then WebP where Pillow has
    AVIF), so `{% avatar %}` offers the same `<picture>` as `{% picture %}`."""
    return list(picture_formats())


def avatar_file_names(*, name: str, sides: list[int] | tuple[int, ...]) -> list[str]:
    """The stored names of an avatar: its original and the square renditions recorded for it, in every format
    a rendition may have been made in (a missing file is not an error for the storage API)."""
    if not name:
        return []
    formats = sorted({*_RENDITION_FORMATS, *picture_formats()})
    return [name, *(rendition_name(name, side, fmt) for side in sides for fmt in formats)]


def avatar_renditions_make(*, profile_id: int) -> Profile | None:
    """Make and record the square renditions of a profile's current avatar; None when there is none.

    Recorded only while the profile still has that avatar (it may have changed while the task waited). A row
    made in fewer formats (WebP alone, before AVIF avatars) gains the missing files; those stored are kept.
    Demo people share avatar files: when another profile already recorded this file's renditions in the same
    formats, they exist in the store and only the record is copied."""
    profile = Profile.objects.filter(pk=profile_id).first()
    if profile is None or not profile.avatar:
        return None
    name = profile.avatar.name
    formats = avatar_formats()
    twin = (
        Profile.objects.filter(avatar=name, avatar_formats=formats)
        .exclude(avatar_renditions=[])
        .values_list("avatar_renditions", flat=True)
        .first()
    )
    if twin:
        sides = list(twin)
    else:
        picture = square_renditions_store(name=name, sides=AVATAR_SIDES, formats=formats)
        sides = list(picture.renditions)
    made = formats if sides else []
    Profile.objects.filter(pk=profile_id, avatar=name).update(
        avatar_renditions=sides, avatar_formats=made
    )
    profile.avatar_renditions, profile.avatar_formats = sides, made
    product_posts_bump_for_author(profile.user_id)
    return profile


def avatar_renditions_queue(*, profile_id: int) -> None:
    """Queue the avatar's renditions once the profile row is committed (nothing if it rolls back)."""
    transaction.on_commit(lambda: avatar_renditions_task.delay(profile_id))


@shared_task(
    name="social.tasks.avatar_renditions_task",
    ignore_result=True,
    autoretry_for=(StorageUnavailable, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def avatar_renditions_task(profile_id: int) -> None:
    avatar_renditions_make(profile_id=profile_id)
