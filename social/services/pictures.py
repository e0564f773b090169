"""Post photo renditions: after a post photo is stored, a task makes its widths and formats (common.pictures)
and records them on the row, so pages only ever link renditions that exist (the same recipe as product
pictures in shop.services.pictures).

The task takes the row's id, is idempotent (stored renditions are kept, the row is overwritten with the same
values) and retries when the store is briefly unreachable; a row deleted meanwhile is a no-op.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from common.pictures import picture_formats, rendition_name, renditions_store
from common.storage import StorageUnavailable
from social.models import PostImage

__all__ = [
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
