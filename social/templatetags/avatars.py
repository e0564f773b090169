"""`{% avatar %}`: a profile's avatar as one small square `<img>`, from its square renditions once they exist.

    {% load avatars %}
    {% avatar author.profile size=40 %}
    {% avatar profile size=96 alt=_("Your avatar") css_class="avatar-large" loading="eager" %}

`size` is the CSS pixel side it is shown at: it becomes `width`/`height` (the box is reserved before the file
arrives) and `sizes`, so the browser picks the 64 px rendition for a 40 px circle on a 1x screen and the 128 px
one at 2x. Where the row records AVIF files (`Profile.avatar_formats`), the `<img>` sits in a `<picture>` with
an AVIF `<source>`, as `{% picture %}` does (the wrapper has `display: contents`, so layouts see the img alone).
Until the renditions task has recorded the sides (`Profile.avatar_renditions`), the original is shown alone,
cropped by CSS (`object-fit: cover`). No storage request is made: URLs are computed from names.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.files.storage import default_storage
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from common.pictures import mime_type, rendition_name, srcset

register = template.Library()


@register.simple_tag
def avatar(
    profile: Any,
    *,
    size: int = 40,
    alt: str = "",
    loading: str = "lazy",
    css_class: str = "",
) -> SafeString:
    """Render `profile`'s avatar at `size` CSS pixels; an empty string when there is no avatar."""
    picture = getattr(profile, "avatar_picture", None) if profile is not None else None
    if picture is None or not picture.name:
        return mark_safe("")
    size = int(size)
    attrs: list[tuple[str, Any]] = []
    sizes = f"{size}px"
    if picture.renditions:
        # The img's own srcset is WebP (every current browser decodes it); better formats become sources.
        fmt = "webp"
        fallback = min((side for side in picture.renditions if side >= size), default=None)
        fallback = fallback or max(picture.renditions)
        attrs += [
            ("src", default_storage.url(rendition_name(picture.name, fallback, fmt))),
            ("srcset", srcset(picture, fmt)),
            ("sizes", sizes),
        ]
    else:
        attrs.append(("src", picture.url))
    attrs += [("alt", alt), ("width", size), ("height", size)]
    if loading:
        attrs.append(("loading", loading))
    attrs += [("decoding", "async"), ("class", f"avatar {css_class}".strip())]
    img = format_html("<img {}>", format_html_join(" ", '{}="{}"', attrs))
    sources = [fmt for fmt in picture.formats if fmt != "webp"] if picture.renditions else []
    if not sources:
        return img
    source_tags = format_html_join(
        "",
        '<source type="{}" srcset="{}" sizes="{}">',
        ((mime_type(fmt), srcset(picture, fmt), sizes) for fmt in sources),
    )
    return format_html('<picture class="avatar-picture">{}{}</picture>', source_tags, img)
