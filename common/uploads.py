"""Image uploads (avatars, post pictures, review photos): the one gate every user-supplied image passes.

The type comes from the content (Pillow must recognise a JPEG, PNG, WebP or GIF), never from the file name or
the browser's content type, so a PNG that is really HTML or an SVG with a script is refused. Size is checked
before any decoding, the pixel count before the pixels are loaded (decompression bombs), and the picture is
re-encoded from its pixels alone: EXIF (with GPS), ICC profiles, comments and any trailing payload are dropped.
The stored name is random, so nothing of the uploader's file name reaches the disk or a URL.
"""

from __future__ import annotations

import uuid
import warnings
from io import BytesIO
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = ["ACCEPTED_FORMATS", "clean_image_upload"]

ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF"})
_JPEG_QUALITY = 85


def _file_size(uploaded_file: IO[bytes] | Any) -> int:
    size = getattr(uploaded_file, "size", None)
    if isinstance(size, int):
        return size
    position = uploaded_file.tell()
    uploaded_file.seek(0, 2)
    size = uploaded_file.tell()
    uploaded_file.seek(position)
    return size


def _read_bounded(uploaded_file: IO[bytes] | Any, limit: int) -> bytes:
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        raise _too_large(len(data), limit)
    return data


def _too_large(size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("The image is too large (%(size)s); the limit is %(limit)s.")
        % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        code="image_too_large",
    )


def _not_an_image() -> ValidationError:
    return ValidationError(
        _("This file is not a picture we accept. Upload a JPEG, PNG, WebP or GIF image."),
        code="image_invalid_type",
    )


def _too_many_pixels(width: int, height: int, limit: int) -> ValidationError:
    return ValidationError(
        _("The image has too many pixels (%(width)s x %(height)s); the limit is %(limit)s pixels.")
        % {"width": width, "height": height, "limit": f"{limit:,}"},
        code="image_too_many_pixels",
    )


def clean_image_upload(uploaded_file: IO[bytes] | Any, *, max_side: int = 2048) -> ContentFile:
    """Validate and re-encode an uploaded image; return a ContentFile with a random name.

    Raises ValidationError (with a message for the user) for files that are too large, not a JPEG/PNG/WebP/GIF
    by content, too many pixels, or broken.
    """
    limit = int(settings.MAX_IMAGE_UPLOAD_BYTES)
    size = _file_size(uploaded_file)
    if size > limit:
        raise _too_large(size, limit)
    data = _read_bounded(uploaded_file, limit)
    if not data:
        raise ValidationError(_("The file is empty."), code="image_empty")
    max_pixels = int(settings.MAX_IMAGE_PIXELS)

    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check only warns below twice its limit; ours is the one that counts.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise _not_an_image()
                width, height = probe.size
                if width * height > max_pixels:
                    raise _too_many_pixels(width, height, max_pixels)
                probe.verify()
            image: Image.Image = Image.open(BytesIO(data))
            image.seek(0)  # GIF and animated WebP: the first frame only.
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The image has too many pixels; the limit is %(limit)s pixels.")
            % {"limit": f"{max_pixels:,}"},
            code="image_too_many_pixels",
        ) from None
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _not_an_image() from None

    image = ImageOps.exif_transpose(image) or image
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or (
        image.mode == "P" and "transparency" in image.info
    )
    clean = image.convert("RGBA" if has_alpha else "RGB")
    clean.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Rebuild from the pixels alone so no metadata (EXIF, GPS, ICC, text chunks) can travel along.
    stripped = Image.new(clean.mode, clean.size)
    stripped.paste(clean)
    out = BytesIO()
    if has_alpha:
        stripped.save(out, format="PNG", optimize=True)
        extension = "png"
    else:
        stripped.save(out, format="JPEG", quality=_JPEG_QUALITY, optimize=True)
        extension = "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
