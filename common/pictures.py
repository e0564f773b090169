"""Picture renditions: several widths of a stored picture in WebP (and AVIF where Pillow has it), made once off
the request path and named so that a page computes every URL without asking the store.

Small square pictures (avatars) get square renditions instead: centre-cropped to sides of their own list
(`square_renditions_store`), under the same names (`<side>w.<ext>`), so `srcset` serves both.

A stored original `products/2026/12/ab12.jpg` gets `renditions/products/2026/12/ab12.jpg/<width>w.<ext>` for each
width in RENDITION_WIDTHS below the original's width (plus the original's own width, capped at the largest),
in every format of PICTURE_FORMATS. Files go through Django's storage API (local disk or the S3 bucket); the
caller records what was made on its own row (a `Picture`: name, width, height, rendition widths) so a template
emits `srcset` only for files that exist. `renditions_store` is what a Celery task (or the demo seeder) calls;
`{% picture %}` (shop/templatetags/pictures.py) renders a `Picture`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Protocol

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from PIL import Image, ImageOps, features

__all__ = [
    "RENDITION_RECIPE",
    "RENDITION_WIDTHS",
    "Picture",
    "PictureSource",
    "picture_formats",
    "rendition_name",
    "rendition_widths_for",
    "renditions_build",
    "renditions_store",
    "square_renditions_build",
    "square_renditions_store",
    "square_sides_for",
    "srcset",
]

logger = logging.getLogger(__name__)

RENDITION_WIDTHS: tuple[int, ...] = (160, 320, 640, 960, 1200, 1600, 2048)
# Encoder settings: WebP at method 4 and AVIF at speed 8 keep a 1200 px rendition under 150 ms on one core;
# AVIF at quality 45 is about a quarter smaller than WebP at 80 on the demo shots, with no visible loss.
# Bump RENDITION_RECIPE when they change, so caches of made files (the demo's) are not reused.
RENDITION_RECIPE = "r1"
_ENCODERS: dict[str, tuple[str, str, dict[str, int]]] = {
    "avif": ("AVIF", "image/avif", {"quality": 45, "speed": 8}),
    "webp": ("WEBP", "image/webp", {"quality": 80, "method": 4}),
}


@dataclass(frozen=True)
class Picture:
    """A stored picture as a page needs it: the original's storage name, its size, the rendition widths made
    for it (empty until the renditions task ran: the page then shows the original), its alt text and, where
    recorded, the formats made."""

    name: str
    width: int = 0
    height: int = 0
    renditions: tuple[int, ...] = field(default=())
    alt: str = ""
    # The formats the renditions were stored in, when the row records them (avatars); empty means every
    # format of picture_formats() (product and post photos record widths only).
    formats: tuple[str, ...] = field(default=())

    @property
    def url(self) -> str:
        return default_storage.url(self.name) if self.name else ""


class PictureSource(Protocol):
    """Anything `{% picture %}` accepts besides a `Picture`: a model row that knows its picture."""

    @property
    def picture(self) -> Picture: ...


def picture_formats() -> tuple[str, ...]:
    """The rendition formats in preference order (best first), limited to what this Pillow can encode."""
    wanted = [part.strip().lower() for part in str(settings.PICTURE_FORMATS).split(",")]
    formats = [fmt for fmt in wanted if fmt in _ENCODERS and features.check(fmt)]
    if "webp" not in formats:
        formats.append("webp")  # every current browser decodes WebP: the img's own srcset
    return tuple(formats)


def mime_type(fmt: str) -> str:
    return _ENCODERS[fmt][1]


def rendition_name(name: str, width: int, fmt: str) -> str:
    return f"renditions/{name}/{width}w.{fmt}"


def rendition_widths_for(width: int) -> tuple[int, ...]:
    """The widths made for an original `width` px wide: the standard ones below it, then its own (capped)."""
    if width <= 0:
        return ()
    top = min(width, RENDITION_WIDTHS[-1])
    return (*(w for w in RENDITION_WIDTHS if w < top), top)


def srcset(picture: Picture, fmt: str, *, storage: Storage | None = None) -> str:
    store = storage or default_storage
    return ", ".join(
        f"{store.url(rendition_name(picture.name, width, fmt))} {width}w"
        for width in picture.renditions
    )


def _upright(image: Image.Image) -> Image.Image:
    """`image` turned as its EXIF says and in RGB (RGBA when it has transparency), ready to encode."""
    image = ImageOps.exif_transpose(image) or image
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    return image.convert("RGBA" if has_alpha else "RGB")


def _encode(image: Image.Image, formats: Iterable[str]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for fmt in formats:
        pil_format, _mime, options = _ENCODERS[fmt]
        buffer = BytesIO()
        image.save(buffer, format=pil_format, **options)
        out[fmt] = buffer.getvalue()
    return out


def _store_missing(store: Storage, name: str, built: dict[tuple[int, str], bytes]) -> None:
    """Save each rendition of `name` not stored yet (names derive from the original's, never reused)."""
    for (size, fmt), data in built.items():
        target = rendition_name(name, size, fmt)
        if not store.exists(target):
            store.save(target, ContentFile(data))


def renditions_build(image: Image.Image, formats: Iterable[str]) -> dict[tuple[int, str], bytes]:
    """Encode `image` at every rendition width in every format (pure: no storage)."""
    image = _upright(image)
    out: dict[tuple[int, str], bytes] = {}
    for width in rendition_widths_for(image.width):
        height = max(1, round(image.height * width / image.width))
        resized = (
            image
            if width == image.width
            else image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        )
        for fmt, data in _encode(resized, formats).items():
            out[(width, fmt)] = data
    return out


def renditions_store(*, name: str, storage: Storage | None = None) -> Picture:
    """Make and store every rendition of the stored picture `name` (those already stored are kept: names are
    derived from the original's, which is never reused). Returns the picture with its size and widths."""
    store = storage or default_storage
    formats = picture_formats()
    with store.open(name, "rb") as handle, Image.open(handle) as source:
        source.load()
        built = renditions_build(source, formats)
        width, height = (ImageOps.exif_transpose(source) or source).size
    _store_missing(store, name, built)
    widths = tuple(sorted({w for w, _fmt in built}))
    logger.info("renditions stored", extra={"picture": name, "widths": widths})
    return Picture(name=name, width=width, height=height, renditions=widths)


def square_sides_for(width: int, height: int, sides: Iterable[int]) -> tuple[int, ...]:
    """The square sides made for a `width` x `height` original: those of `sides` that fit its short side, or
    the short side alone when even the smallest does not (never enlarged)."""
    short = min(width, height)
    if short <= 0:
        return ()
    fitting = tuple(sorted(side for side in set(sides) if side <= short))
    return fitting or (short,)


def square_renditions_build(
    image: Image.Image, sides: Iterable[int], formats: Iterable[str]
) -> dict[tuple[int, str], bytes]:
    """Centre-crop `image` to a square and encode it at every side of `sides` that fits (pure: no storage)."""
    image = _upright(image)
    formats = tuple(formats)
    out: dict[tuple[int, str], bytes] = {}
    for side in square_sides_for(image.width, image.height, sides):
        square = ImageOps.fit(image, (side, side), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
        for fmt, data in _encode(square, formats).items():
            out[(side, fmt)] = data
    return out


def square_renditions_store(
    *,
    name: str,
    sides: Iterable[int],
    formats: Iterable[str] = ("webp",),
    storage: Storage | None = None,
) -> Picture:
    """Make and store the square renditions of the stored picture `name` in `formats` (files already stored
    are kept: a row made in WebP alone only gains its AVIF files). Returns a square `Picture` whose width and
    height are the largest side made, with the formats made."""
    store = storage or default_storage
    formats = tuple(formats)
    with store.open(name, "rb") as handle, Image.open(handle) as source:
        source.load()
        built = square_renditions_build(source, sides, formats)
    _store_missing(store, name, built)
    made = tuple(sorted({side for side, _fmt in built}))
    logger.info("square renditions stored", extra={"picture": name, "sides": made})
    top = made[-1] if made else 0
    return Picture(
        name=name, width=top, height=top, renditions=made, formats=formats if made else ()
    )
