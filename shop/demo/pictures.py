"""Demo pictures that look like products: studio shots composed from Fluent Emoji 3D renders (Pillow only).

The machine that seeds the demo has no web access, so every product picture is made here at seed time (never at
request time) from the 256 px renders of Microsoft's Fluent Emoji 3D (MIT, vendored under
static/vendor/fluent-emoji-3d/ with its licence). Each demo noun maps to one object; the object is recoloured
toward the product's colour name, enlarged onto a 1200 px studio backdrop (a soft gradient and a contact shadow)
and shot in three views: front, turned, and a close crop. Avatars use the person emoji on a pastel disc.

A picture is a pure function of (object, colour, view, backdrop, RECIPE), so files are named by those parameters
and composed once: products that share them share the file, and a cache directory outside MEDIA_ROOT
(DEMO_PICTURE_CACHE, default: the temp dir) keeps them across seeds, so a re-seed copies instead of composing.
"""

from __future__ import annotations

import colorsys
import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from common.pictures import (
    RENDITION_RECIPE,
    picture_formats,
    rendition_name,
    rendition_widths_for,
    renditions_build,
    square_renditions_build,
    square_sides_for,
)

# Bump when the composition changes, so cached files of the old look are not reused.
RECIPE = "studio-1"
SIZE = 1200
AVATAR_SIZE = 400
ASSET_DIR = "vendor/fluent-emoji-3d"

# Demo noun (lower case) -> (emoji file stem, recolour toward the product's colour?)
OBJECTS: dict[str, tuple[str, bool]] = {
    "t-shirt": ("1f455", True),
    "tee": ("1f455", True),
    "polo shirt": ("1f455", True),
    "tank top": ("1f3bd", True),
    "long-sleeve top": ("1f45a", True),
    "rain jacket": ("1f9e5", True),
    "parka": ("1f9e5", True),
    "denim jacket": ("1f9e5", True),
    "wool coat": ("1f9e5", True),
    "bomber jacket": ("1f9e5", True),
    "jumper": ("1f45a", True),
    "cardigan": ("1f9e5", True),
    "hoodie": ("1f45a", True),
    "roll-neck sweater": ("1f9e3", True),
    "jeans": ("1f456", True),
    "chinos": ("1f456", True),
    "joggers": ("1f456", True),
    "cargo trousers": ("1f456", True),
    "shorts": ("1fa73", True),
    "sneakers": ("1f45f", True),
    "running shoes": ("1f45f", True),
    "court shoes": ("1f460", True),
    "slip-ons": ("1f45e", True),
    "chelsea boots": ("1f462", True),
    "hiking boots": ("1f97e", True),
    "ankle boots": ("1f462", True),
    "work boots": ("1f97e", True),
    "sandals": ("1f461", True),
    "flip-flops": ("1fa74", True),
    "slides": ("1f461", True),
    "frying pan": ("1f373", False),
    "saucepan": ("1f372", False),
    "casserole dish": ("1f958", False),
    "wok": ("1f373", False),
    "chef's knife": ("1f52a", False),
    "mug": ("2615", False),
    "dinner plate set": ("1f37d-fe0f", False),
    "serving bowl": ("1f963", True),
    "tumbler set": ("1f943", False),
    "teapot": ("1fad6", True),
    "table lamp": ("1f4a1", False),
    "floor lamp": ("1f6cb-fe0f", True),
    "pendant light": ("1f3ee", True),
    "fairy lights": ("1f4a1", False),
    "duvet cover": ("1f6cf-fe0f", True),
    "throw blanket": ("1f9f6", True),
    "cushion": ("1f6cb-fe0f", True),
    "bath towel set": ("1f9fa", False),
    "wireless earbuds": ("1f3a7", True),
    "over-ear headphones": ("1f3a7", True),
    "bluetooth speaker": ("1f4fb", True),
    "turntable": ("1f4bf", False),
    "phone case": ("1f4f1", True),
    "power bank": ("1f50b", True),
    "charging stand": ("1f4f2", True),
    "usb-c cable": ("1f50c", False),
    "smart plug": ("1f50c", False),
    "smart bulb": ("1f4a1", False),
    "video doorbell": ("1f4f9", False),
    "thermostat": ("1f321-fe0f", False),
    "tent": ("26fa", True),
    "sleeping bag": ("1f392", True),
    "camping stove": ("1f3d5-fe0f", False),
    "head torch": ("1f526", True),
    "water bottle": ("1f964", True),
    "yoga mat": ("1f9d8", False),
    "kettlebell": ("1f3cb-fe0f", False),
    "resistance bands": ("1f3cb-fe0f", False),
    "skipping rope": ("1f3cb-fe0f", False),
    "foam roller": ("1f9d8", False),
    "bike helmet": ("26d1-fe0f", True),
    "bike light set": ("1f526", True),
    "cycling gloves": ("1f9e4", True),
    "bike lock": ("1f512", True),
    "face cream": ("1f9f4", False),
    "cleanser": ("1f9fc", False),
    "serum": ("1f9ea", False),
    "sun cream": ("1f9f4", False),
    "lip balm": ("1f484", False),
    "eau de parfum": ("1fad9", False),
    "body mist": ("1f9f4", False),
    "scented candle": ("1f56f-fe0f", False),
    "diffuser": ("1fad9", False),
    "dotted notebook": ("1f4d2", False),
    "sketchbook": ("1f4d4", False),
    "planner": ("1f4c5", False),
    "notepad set": ("1f4dd", False),
    "fountain pen": ("1f58b-fe0f", False),
    "gel pen set": ("1f58a-fe0f", False),
    "watercolour set": ("1f3a8", False),
    "brush pens": ("1f58c-fe0f", False),
    "cookbook": ("1f4da", False),
    "baking book": ("1f4d6", False),
    "vegetarian cookbook": ("1f4d7", False),
}
# Grey objects: the whole object takes the colour, not only its coloured parts.
WHOLE_TINT = frozenset({"1f3a7", "1f4fb", "1f526"})
# Category roots whose products have no mapped noun fall back to a typical object.
FALLBACK = {
    "Clothing": "1f455",
    "Shoes": "1f45f",
    "Home & Kitchen": "1f373",
    "Electronics": "1f3a7",
    "Sports & Outdoors": "26fa",
    "Beauty & Care": "1f484",
    "Books & Stationery": "1f4da",
}
COLOUR_NAMES: dict[str, tuple[int, int, int]] = {
    "black": (38, 38, 42),
    "white": (238, 236, 230),
    "navy": (32, 52, 104),
    "olive": (112, 120, 52),
    "sand": (214, 188, 146),
    "red": (200, 40, 46),
    "forest green": (36, 104, 62),
    "grey": (128, 130, 136),
    "mustard": (214, 160, 38),
    "sky blue": (104, 168, 228),
    "rose": (228, 134, 158),
}
# Soft studio backdrops (top, bottom); one is picked per product so neighbours in a grid differ.
BACKDROPS: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((246, 242, 236), (226, 219, 208)),
    ((238, 242, 246), (214, 222, 232)),
    ((244, 238, 242), (226, 214, 222)),
    ((240, 244, 238), (218, 226, 214)),
)
VIEWS = ("front", "turned", "detail")
VIEW_LABELS = {"front": "", "turned": ", side view", "detail": ", close-up"}
PEOPLE = ("1f9d1", "1f469", "1f468", "1f471", "1f467", "1f466", "1f475", "1f474")
SKIN_TONES = ("", "-1f3fb", "-1f3fc", "-1f3fd", "-1f3fe", "-1f3ff")
AVATAR_BACKGROUNDS = (
    (255, 224, 214),
    (214, 234, 255),
    (222, 246, 226),
    (246, 226, 255),
    (255, 240, 200),
    (220, 240, 240),
)


@dataclass(frozen=True)
class DemoPicture:
    """One stored picture: its name relative to MEDIA_ROOT, the alt text a page shows for it, its size and the
    rendition widths stored for it (common.pictures)."""

    name: str
    alt_text: str
    width: int = SIZE
    height: int = SIZE
    renditions: tuple[int, ...] = ()


def _stable_index(key: str, modulo: int) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % modulo


def _cache_dir() -> Path:
    configured = os.environ.get("DEMO_PICTURE_CACHE")
    folder = (
        Path(configured) if configured else Path(tempfile.gettempdir()) / "socialshop-demo-pictures"
    )
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@cache
def _emoji(stem: str):
    from PIL import Image

    path = finders.find(f"{ASSET_DIR}/{stem}.webp")
    if not path:
        raise FileNotFoundError(f"demo picture asset {stem}.webp is not in {ASSET_DIR}")
    with Image.open(path) as source:
        return source.convert("RGBA")


def _recolour(image, rgb: tuple[int, int, int], *, whole: bool):
    """Shift the object's coloured parts (or all of it, for grey objects) to `rgb`, keeping its shading and,
    unless `whole`, its neutral parts (soles, laces)."""
    from PIL import Image, ImageFilter

    alpha = image.getchannel("A")
    hue, saturation, value = image.convert("RGB").convert("HSV").split()
    target_h, target_s, target_v = colorsys.rgb_to_hsv(*(channel / 255 for channel in rgb))
    new_hue = Image.new("L", image.size, round(target_h * 255))
    new_saturation = saturation.point(
        lambda s: min(255, round(target_s * 255 * (0.55 + 0.45 * s / 255)))
    )
    # Shading: keep the render's light and dark, centred on the target's brightness.
    new_value = value.point(
        lambda v: max(0, min(255, round(255 * target_v * (0.25 + 0.85 * v / 255) + 10)))
    )
    recoloured = Image.merge("HSV", (new_hue, new_saturation, new_value)).convert("RGB")
    if whole:
        mask = Image.new("L", image.size, 255)
    else:
        mask = saturation.point(lambda s: max(0, min(255, (s - 16) * 8)))
        mask = mask.filter(ImageFilter.GaussianBlur(1.2))
    result = Image.composite(recoloured, image.convert("RGB"), mask)
    result.putalpha(alpha)
    return result


def _backdrop(top: tuple[int, int, int], bottom: tuple[int, int, int], size: int):
    from PIL import Image

    strip = Image.new("RGB", (1, 256))
    for y in range(256):
        t = y / 255
        strip.putpixel(
            (0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        )
    return strip.resize((size, size), Image.Resampling.BICUBIC)


def _place(
    canvas, subject, *, width: int, centre_x: int, bottom_y: int, max_height: float = 0.72
) -> None:
    """Paste `subject` (RGBA) scaled to `width`, standing on `bottom_y`, with a soft contact shadow."""
    from PIL import Image, ImageDraw, ImageFilter

    box = subject.getbbox() or (0, 0, *subject.size)
    subject = subject.crop(box)
    height = round(subject.height * width / subject.width)
    if height > canvas.height * max_height:  # tall objects: fit by height instead
        height = round(canvas.height * max_height)
        width = round(subject.width * height / subject.height)
    subject = subject.resize((width, height), Image.Resampling.LANCZOS)
    left, top = centre_x - width // 2, bottom_y - height
    # The shadow is drawn at quarter size and blurred there: cheap, and soft enough once enlarged.
    quarter = Image.new("L", (canvas.width // 4, canvas.height // 4), 0)
    ImageDraw.Draw(quarter).ellipse(
        (
            (centre_x - width * 0.42) / 4,
            (bottom_y - height * 0.045) / 4,
            (centre_x + width * 0.42) / 4,
            (bottom_y + height * 0.055) / 4,
        ),
        fill=110,
    )
    shadow = quarter.filter(ImageFilter.GaussianBlur(6)).resize(
        canvas.size, Image.Resampling.BILINEAR
    )
    canvas.paste((60, 48, 40), (0, 0), shadow)
    canvas.paste(subject, (left, top), subject)


def _compose(stem: str, colour: str | None, recolour: bool, view: str, backdrop: int):
    from PIL import Image, ImageOps

    subject = _emoji(stem)
    if recolour and colour in COLOUR_NAMES:
        subject = _recolour(subject, COLOUR_NAMES[colour], whole=stem in WHOLE_TINT)
    top, bottom = BACKDROPS[backdrop % len(BACKDROPS)]
    if view == "turned":
        top, bottom = BACKDROPS[(backdrop + 1) % len(BACKDROPS)]
    canvas = _backdrop(top, bottom, SIZE)
    if view == "front":
        _place(
            canvas,
            subject,
            width=round(SIZE * 0.62),
            centre_x=SIZE // 2,
            bottom_y=round(SIZE * 0.82),
        )
    elif view == "turned":
        turned = ImageOps.mirror(subject).rotate(-9, resample=Image.Resampling.BICUBIC, expand=True)
        _place(
            canvas,
            turned,
            width=round(SIZE * 0.52),
            centre_x=round(SIZE * 0.54),
            bottom_y=round(SIZE * 0.84),
        )
    else:  # a close crop: the object enlarged past the frame, its upper part (the features) in view
        _place(
            canvas,
            subject,
            width=round(SIZE * 1.15),
            centre_x=round(SIZE * 0.42),
            bottom_y=round(SIZE * 1.45),
            max_height=1.6,
        )
    return canvas


def _write(relative: str, make) -> str:
    """Store `relative` once through the default storage (local disk or the bucket): from the cross-seed cache
    when there, else compose and cache it. Returns the stored name."""
    if default_storage.exists(relative):
        return relative
    cached = _cache_dir() / Path(relative).name
    if not cached.exists():
        image = make()
        partial = cached.with_suffix(f".{os.getpid()}.part")
        image.save(partial, format="WEBP", quality=80, method=2)
        partial.replace(cached)
    return default_storage.save(relative, ContentFile(cached.read_bytes()))


# While set, a shot whose renditions are not in the cross-seed cache gets none at seeding time: its row is left
# for `manage.py picture_renditions` (which `make run` starts beside the server), so a first seed on a new
# machine does not spend minutes encoding before the site can open; pages show the original meanwhile.
_renditions_later: ContextVar[bool] = ContextVar("demo_renditions_later", default=False)


@contextmanager
def renditions_later() -> Iterator[None]:
    """Seed without making missing renditions (cached ones are still copied)."""
    token = _renditions_later.set(True)
    try:
        yield
    finally:
        _renditions_later.reset(token)


def _store_renditions(relative: str) -> tuple[int, ...]:
    """Store the renditions of the demo picture `relative` (a SIZE x SIZE original), from the cross-seed cache
    when it has them, else made once with common.pictures and cached (or left for later, `renditions_later`).
    Returns the widths stored."""
    formats = picture_formats()
    widths = rendition_widths_for(SIZE)
    stored = _cached_renditions(
        relative,
        folder_name=Path(relative).stem,
        wanted=[(width, fmt) for width in widths for fmt in formats],
        build=lambda source: renditions_build(source, formats),
    )
    return widths if stored else ()


def square_renditions(
    relative: str, *, sides: tuple[int, ...], formats: tuple[str, ...]
) -> tuple[int, ...]:
    """Store the square renditions (common.pictures.square_renditions_build) of the demo picture `relative`
    (a square AVATAR_SIZE original: other apps' avatars), through the same cross-seed cache as the shots, or
    none under `renditions_later`. Returns the sides stored."""
    made = square_sides_for(AVATAR_SIZE, AVATAR_SIZE, sides)
    stored = _cached_renditions(
        relative,
        folder_name=f"{Path(relative).stem}-square",
        wanted=[(side, fmt) for side in made for fmt in formats],
        build=lambda source: square_renditions_build(source, made, formats),
    )
    return made if stored else ()


def _cached_renditions(
    relative: str,
    *,
    folder_name: str,
    wanted: list[tuple[int, str]],
    build: Callable[[Any], dict[tuple[int, str], bytes]],
) -> bool:
    """Copy the `wanted` (size, format) renditions of `relative` into storage from the cross-seed cache, making
    and caching them with `build` first when missing. False (nothing stored) under `renditions_later` when the
    cache lacks some."""
    from PIL import Image

    folder = _cache_dir() / f"renditions-{RENDITION_RECIPE}" / folder_name
    if not all((folder / f"{size}w.{fmt}").exists() for size, fmt in wanted):
        if _renditions_later.get():
            return False
        folder.mkdir(parents=True, exist_ok=True)
        with default_storage.open(relative, "rb") as handle, Image.open(handle) as source:
            source.load()
            built = build(source)
        for (size, fmt), data in built.items():
            partial = folder / f"{size}w.{fmt}.{os.getpid()}.part"
            partial.write_bytes(data)
            partial.replace(folder / f"{size}w.{fmt}")
    for size, fmt in wanted:
        target = rendition_name(relative, size, fmt)
        if not default_storage.exists(target):
            default_storage.save(target, ContentFile((folder / f"{size}w.{fmt}").read_bytes()))
    return True


def object_for(noun: str, root: str) -> tuple[str, bool]:
    """The emoji stem for a demo noun and whether it takes the product's colour."""
    return OBJECTS.get(noun.lower(), (FALLBACK.get(root, "1f6cd-fe0f"), False))


def product_pictures(*, name: str, noun: str, root: str, colour: str | None) -> list[DemoPicture]:
    """Three studio shots of a demo product (front, turned, close-up), stored under MEDIA_ROOT/products/demo/."""
    stem, recolour = object_for(noun, root)
    tint = colour if recolour and colour in COLOUR_NAMES else "natural"
    # The backdrop follows the object and colour (not the product), so equal shots stay one file.
    backdrop = _stable_index(f"{stem}:{tint}", len(BACKDROPS))
    pictures = []
    for view in VIEWS:
        key = f"{stem}-{tint.replace(' ', '-')}-{view}-{RECIPE}"
        relative = f"products/demo/{key}.webp"
        _write(relative, lambda view=view: _compose(stem, colour, recolour, view, backdrop))
        pictures.append(
            DemoPicture(
                name=relative,
                alt_text=f"{name}{VIEW_LABELS[view]}",
                renditions=_store_renditions(relative),
            )
        )
    return pictures


def avatar_picture(*, username: str) -> str:
    """A 400 px avatar for a demo person (the person emoji on a pastel disc); returns the MEDIA_ROOT name."""
    from PIL import Image, ImageDraw

    person = PEOPLE[_stable_index(f"person:{username}", len(PEOPLE))]
    tone = SKIN_TONES[_stable_index(f"tone:{username}", len(SKIN_TONES))]
    background = _stable_index(f"bg:{username}", len(AVATAR_BACKGROUNDS))
    stem = f"{person}{tone}"

    def make():
        canvas = Image.new("RGB", (AVATAR_SIZE, AVATAR_SIZE), AVATAR_BACKGROUNDS[background])
        ImageDraw.Draw(canvas).ellipse(
            (-80, AVATAR_SIZE * 0.55, AVATAR_SIZE + 80, AVATAR_SIZE * 1.6),
            fill=tuple(max(0, c - 18) for c in AVATAR_BACKGROUNDS[background]),
        )
        face = _emoji(stem).resize((300, 300), Image.Resampling.LANCZOS)
        canvas.paste(face, (50, 62), face)
        return canvas

    return _write(f"avatars/demo/{stem}-a{background}-{RECIPE}.webp", make)


def object_render(*, stem: str, colour: str | None, recolour: bool = True):
    """One object's 256 px cut-out (RGBA), recoloured toward `colour` when it takes colours: for other apps'
    demo compositions (social's flat-lay post photos)."""
    subject = _emoji(stem)
    if recolour and colour in COLOUR_NAMES:
        subject = _recolour(subject, COLOUR_NAMES[colour], whole=stem in WHOLE_TINT)
    return subject


def picture_store(relative: str, make) -> str:
    """Store a composed demo picture once under `relative` (through the cross-seed cache); returns its name."""
    return _write(relative, make)


def picture_parts(name: str) -> tuple[str, str | None] | None:
    """(object stem, colour name or None) of a stored demo product picture's name, or None for other files."""
    base = Path(name).name
    stems = sorted(
        {stem for stem, _tint in OBJECTS.values()} | set(FALLBACK.values()) | {"1f6cd-fe0f"},
        key=len,
        reverse=True,
    )
    stem = next((stem for stem in stems if base.startswith(f"{stem}-")), None)
    if stem is None:
        return None
    rest = base[len(stem) + 1 :]
    for view in VIEWS:
        marker = f"-{view}-"
        if marker in rest:
            tint = rest.split(marker, 1)[0].replace("-", " ")
            return stem, tint if tint in COLOUR_NAMES else None
    return None
