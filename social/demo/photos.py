"""Demo post photos: flat lays of a post's tagged products on a table top, and close-ups of single products.

Composed at seed time (never at request time) from the same Fluent Emoji 3D cut-outs as the product pictures
(`shop.demo.pictures`), recoloured to the product's colour, and stored once through the cross-seed picture
cache. Each flat lay returns where it put every product, so the post's tags sit on the product in the photo.
Photos come in three shapes (square, 4:5, 3:4), which gives the explore masonry its rhythm.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from shop.demo.pictures import object_render, picture_store

__all__ = ["DemoPhoto", "close_up", "flat_lay"]

RECIPE = "flatlay-1"
WIDTH = 1080
HEIGHTS = (1080, 1350, 1440)
# Table tops (top, bottom of a soft gradient): linen, sage, lilac, paper, oak.
SURFACES: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((240, 231, 218), (224, 211, 193)),
    ((228, 236, 228), (206, 218, 207)),
    ((236, 230, 240), (217, 208, 226)),
    ((247, 244, 238), (230, 225, 215)),
    ((216, 196, 170), (196, 173, 146)),
)
# Where products lie for 1, 2 or 3 of them: (centre x, centre y, width as a fraction of the photo's width).
LAYOUTS: dict[int, tuple[tuple[float, float, float], ...]] = {
    1: ((0.5, 0.5, 0.6),),
    2: ((0.31, 0.34, 0.46), (0.68, 0.67, 0.46)),
    3: ((0.29, 0.28, 0.4), (0.72, 0.43, 0.4), (0.4, 0.75, 0.42)),
}
# A small prop in a free corner of one- and two-product shots: a mug, a notebook, a candle.
PROPS = ("2615", "1f4d2", "1f56f-fe0f")


@dataclass(frozen=True)
class DemoPhoto:
    """A stored demo photo: its name under MEDIA_ROOT, its size, and the centre of each product in it (x, y
    as fractions of the width and height), in the order the products were given."""

    name: str
    width: int
    height: int
    points: tuple[tuple[float, float], ...]


def _index(key: str, modulo: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % modulo


def _surface(size: tuple[int, int], choice: int):
    from PIL import Image

    top, bottom = SURFACES[choice % len(SURFACES)]
    strip = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        strip.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return strip.resize(size, Image.Resampling.BICUBIC)


def _lay(canvas, subject, *, centre: tuple[int, int], width: int, max_height: int, angle: float):
    """Put a cut-out flat on the table: scaled, turned a little, with a soft shadow below-right."""
    from PIL import Image, ImageFilter

    subject = subject.crop(subject.getbbox() or (0, 0, *subject.size))
    height = round(subject.height * width / subject.width)
    if height > max_height:
        width, height = round(subject.width * max_height / subject.height), max_height
    subject = subject.resize((max(width, 1), max(height, 1)), Image.Resampling.LANCZOS)
    subject = subject.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    left = centre[0] - subject.width // 2
    top = centre[1] - subject.height // 2
    # The shadow: the object's outline, blurred at half size, offset toward the bottom right.
    half = subject.getchannel("A").resize((subject.width // 2 + 1, subject.height // 2 + 1))
    shadow = half.filter(ImageFilter.GaussianBlur(9)).point(lambda a: a * 40 // 100)
    shadow = shadow.resize(subject.size, Image.Resampling.BILINEAR)
    canvas.paste((70, 52, 40), (left + width // 28, top + width // 18), shadow)
    canvas.paste(subject, (left, top), subject)


def flat_lay(*, key: str, products: list[tuple[str, str | None]]) -> DemoPhoto:
    """A table-top photo of up to three products ((object stem, colour) each), stored under
    MEDIA_ROOT/posts/demo/; `key` makes it unique (the post's seed identity)."""
    products = products[:3]
    height = HEIGHTS[_index(f"h:{key}", len(HEIGHTS))]
    surface = _index(f"s:{key}", len(SURFACES))
    layout = LAYOUTS[len(products)]
    points = tuple((x, y) for x, y, _w in layout)
    prop = PROPS[_index(f"p:{key}", len(PROPS))] if len(products) < 3 else None

    def make():
        canvas = _surface((WIDTH, height), surface)
        if prop is not None:
            corner = (round(WIDTH * 0.83), round(height * 0.14))
            if len(products) == 2:
                corner = (round(WIDTH * 0.18), round(height * 0.84))
            _lay(
                canvas,
                object_render(stem=prop, colour=None, recolour=False),
                centre=corner,
                width=round(WIDTH * 0.2),
                max_height=round(height * 0.2),
                angle=_index(f"pa:{key}", 40) - 20,
            )
        for index, ((stem, colour), (x, y, share)) in enumerate(zip(products, layout, strict=True)):
            _lay(
                canvas,
                object_render(stem=stem, colour=colour),
                centre=(round(WIDTH * x), round(height * y)),
                width=round(WIDTH * share),
                max_height=round(height * (0.42 if len(products) > 1 else 0.6)),
                angle=_index(f"a:{key}:{index}", 24) - 12,
            )
        return canvas

    digest = hashlib.sha256(repr((key, products, height, surface, prop)).encode()).hexdigest()[:12]
    name = picture_store(f"posts/demo/flatlay-{digest}-{RECIPE}.webp", make)
    return DemoPhoto(name=name, width=WIDTH, height=height, points=points)


def close_up(*, key: str, stem: str, colour: str | None) -> DemoPhoto:
    """One product large on a table top (a post's second or third photo)."""
    height = HEIGHTS[1 + _index(f"h:{key}", 2)]
    surface = _index(f"s:{key}", len(SURFACES))

    def make():
        canvas = _surface((WIDTH, height), surface)
        _lay(
            canvas,
            object_render(stem=stem, colour=colour),
            centre=(WIDTH // 2, height // 2),
            width=round(WIDTH * 0.78),
            max_height=round(height * 0.72),
            angle=_index(f"a:{key}", 16) - 8,
        )
        return canvas

    digest = hashlib.sha256(repr((key, stem, colour, height, surface)).encode()).hexdigest()[:12]
    name = picture_store(f"posts/demo/closeup-{digest}-{RECIPE}.webp", make)
    return DemoPhoto(name=name, width=WIDTH, height=height, points=((0.5, 0.5),))
