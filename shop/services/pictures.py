"""Product picture renditions: after a product picture is stored, a task makes its widths and formats
(common.pictures) and records them on the row, so pages only ever link renditions that exist.

The task takes the row's id, is idempotent (stored renditions are kept, the row is overwritten with the same
values) and retries when the store is briefly unreachable; a row deleted meanwhile is a no-op.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.db.models import Q, QuerySet

from common.pictures import renditions_store
from common.storage import StorageUnavailable
from shop.models import ProductImage
from shop.services.catalog import catalogue_changed

__all__ = [
    "product_image_delete",
    "product_image_save",
    "product_image_renditions_make",
    "product_image_renditions_queue",
    "product_image_renditions_task",
]

logger = logging.getLogger(__name__)


def product_image_save(*, image: ProductImage) -> ProductImage:
    """Store a product picture (cards show the first one) and queue its renditions. A new file resets the
    recorded renditions, so the page shows the new original until its own renditions exist."""
    if image.pk:
        stored = ProductImage.objects.filter(pk=image.pk).values_list("image", flat=True).first()
        if stored != image.image.name:
            image.width, image.height, image.renditions = 0, 0, []
    image.save()
    if not image.renditions:
        product_image_renditions_queue(image_id=image.pk)
    catalogue_changed()
    return image


def product_image_delete(*, images: QuerySet[ProductImage]) -> int:
    deleted, _rows = images.delete()
    catalogue_changed()
    return deleted


def product_image_renditions_make(*, image_id: int) -> ProductImage | None:
    """Make and record the renditions of one product picture; None when the row is gone."""
    image = ProductImage.objects.filter(pk=image_id).first()
    if image is None or not image.image.name:
        return None
    # Rows can share one stored file (the demo's equal shots): when another row already recorded this file's
    # renditions, they exist in the store and only the record is copied, not made again.
    twin = (
        ProductImage.objects.filter(image=image.image.name, width__gt=0)
        .exclude(renditions=[])
        .values("width", "height", "renditions")
        .first()
    )
    if twin is not None:
        width, height, widths = twin["width"], twin["height"], list(twin["renditions"])
    else:
        picture = renditions_store(name=image.image.name)
        width, height, widths = picture.width, picture.height, list(picture.renditions)
    ProductImage.objects.filter(Q(pk=image_id) | Q(renditions=[]), image=image.image.name).update(
        width=width, height=height, renditions=widths
    )
    image.width, image.height, image.renditions = width, height, widths
    catalogue_changed()  # cards and pages are cached by content; the new srcset is new content
    return image


def product_image_renditions_queue(*, image_id: int) -> None:
    """Queue the renditions once the picture's row is committed."""
    transaction.on_commit(lambda: product_image_renditions_task.delay(image_id))


@shared_task(
    name="shop.tasks.product_image_renditions_task",
    ignore_result=True,
    autoretry_for=(StorageUnavailable, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def product_image_renditions_task(image_id: int) -> None:
    product_image_renditions_make(image_id=image_id)
