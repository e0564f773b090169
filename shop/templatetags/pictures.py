"""`{% picture %}`: one responsive `<img>` (inside a `<picture>` when AVIF renditions exist) for a stored picture.

    {% load pictures %}
    {% picture image sizes="(min-width: 640px) 16rem, 50vw" alt="" %}
    {% picture image sizes="100vw" loading="eager" fetchpriority="high" css_class="hero" data_gallery_main=True %}

`image` is a `common.pictures.Picture` or anything with a `.picture` property returning one (ProductImage; a post
photo model can add the same property). It emits `srcset` per format from the widths recorded on the row,
`sizes`, the original's `width`/`height` (so the page does not jump), `loading` (lazy unless told: pass
`loading="eager"` above the fold), `decoding="async"` and `alt` (the picture's own alt text unless given; pass
`alt=""` for a decorative picture whose name is printed beside it). Keyword arguments named `data_*` become
`data-*` attributes. Before the renditions exist it shows the original alone. No storage request is made: URLs
are computed from names.

The markup is a pure function of its arguments, the storage's URL scheme and the rendition formats, so it is
kept in a bounded in-process memo keyed by all of them (pictures are public, nothing per shopper enters it): a
gallery or a page of cards builds each `<img>` once per process instead of one storage URL per rendition and
format on every request (about 2 ms of a product page's CPU).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData, SafeString, mark_safe

from common.pictures import Picture, mime_type, picture_formats, rendition_name, srcset

register = template.Library()

# The src for browsers that ignore srcset: a mid-size rendition, not the 2048 px one.
_FALLBACK_WIDTH = 640


def as_picture(source: Any) -> Picture | None:
    if source is None or source == "":
        return None
    if isinstance(source, Picture):
        return source
    picture = getattr(source, "picture", None)
    return picture if isinstance(picture, Picture) else None


@register.simple_tag
def picture(
    source: Any,
    *,
    sizes: str = "100vw",
    alt: str | None = None,
    loading: str = "lazy",
    fetchpriority: str = "",
    css_class: str = "",
    **data: Any,
) -> SafeString:
    """Render `source` (see the module docstring); an empty string when there is no picture."""
    pic = as_picture(source)
    if pic is None or not pic.name:
        return mark_safe("")
    key_data = tuple(sorted(data.items()))
    # Safe and plain strings compare equal but escape differently: which ones are safe is part of the key.
    safe_marks = tuple(
        isinstance(value, SafeData) for value in (sizes, alt, *(value for _k, value in key_data))
    )
    try:
        return _picture_memo(
            pic,
            sizes,
            alt,
            loading,
            fetchpriority,
            css_class,
            key_data,
            str(settings.PICTURE_FORMATS),
            # The storage's URL scheme (base URL, domain); a storage that signs URLs gives another key each time.
            default_storage.url(pic.name),
            safe_marks,
        )
    except TypeError:  # an unhashable argument: render without the memo
        return _picture_html(pic, sizes, alt, loading, fetchpriority, css_class, dict(key_data))


PICTURE_MEMO_SIZE = 4096


@lru_cache(maxsize=PICTURE_MEMO_SIZE)
def _picture_memo(
    pic: Picture,
    sizes: str,
    alt: str | None,
    loading: str,
    fetchpriority: str,
    css_class: str,
    data: tuple[tuple[str, Any], ...],
    _formats_setting: str,
    _storage_url: str,
    _safe_marks: tuple[bool, ...],
) -> SafeString:
    return _picture_html(pic, sizes, alt, loading, fetchpriority, css_class, dict(data))


def _picture_html(
    pic: Picture,
    sizes: str,
    alt: str | None,
    loading: str,
    fetchpriority: str,
    css_class: str,
    data: dict[str, Any],
) -> SafeString:
    attrs: list[tuple[str, Any]] = []
    if pic.renditions:
        formats = picture_formats()
        fallback = max((w for w in pic.renditions if w <= _FALLBACK_WIDTH), default=None)
        fallback = fallback or min(pic.renditions)
        src = default_storage.url(rendition_name(pic.name, fallback, "webp"))
        attrs += [
            ("src", src),
            ("alt", pic.alt if alt is None else alt),
            ("srcset", srcset(pic, "webp")),
            ("sizes", sizes),
        ]
    else:
        formats = ()
        attrs += [("src", pic.url), ("alt", pic.alt if alt is None else alt)]
    if pic.width and pic.height:
        attrs += [("width", pic.width), ("height", pic.height)]
    if loading:
        attrs.append(("loading", loading))
    attrs.append(("decoding", "async"))
    if fetchpriority:
        attrs.append(("fetchpriority", fetchpriority))
    if css_class:
        attrs.append(("class", css_class))
    for key, value in sorted(data.items()):
        if not key.startswith("data_") or value is False or value is None:
            continue
        attrs.append((key.replace("_", "-"), "" if value is True else value))
    img = format_html(
        "<img {}>",
        format_html_join(" ", '{}="{}"', attrs),
    )
    sources = [fmt for fmt in formats if fmt != "webp"]
    if not sources:
        return img
    source_tags = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((mime_type(fmt), srcset(pic, fmt), sizes) for fmt in sources),
    )
    return format_html("<picture>{}{}</picture>", source_tags, img)
