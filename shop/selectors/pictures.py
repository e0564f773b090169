"""Product pictures as the renditions work needs them."""

from __future__ import annotations

from shop.models import ProductImage

__all__ = ["product_images_without_renditions"]


def product_images_without_renditions() -> list[int]:
    """Ids of product pictures whose renditions were never recorded."""
    return list(
        ProductImage.objects.filter(renditions=[]).exclude(image="").values_list("id", flat=True)
    )
