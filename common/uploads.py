"""Image uploads (avatars, post pictures, review photos): the one gate every user-supplied image passes.

The type comes from the content (Pillow must recognise a JPEG, PNG, WebP or GIF), never from the file name or
the browser's content type, so a PNG that is really HTML or an SVG with a script is refused. Size is checked
before any decoding (MAX_IMAGE_UPLOAD_BYTES, 10 MiB), the sides and the pixel count before the pixels are loaded
(MAX_IMAGE_SIDE 8000 px, MAX_IMAGE_PIXELS; decompression bombs). Animated pictures (GIF, WebP or PNG with more
than one frame) are refused rather than silently cut to their first frame: the shopper would not see what they
posted. Metadata is read defensively: an EXIF block over 64 KiB or one Pillow cannot parse, and a colour (ICC)
profile over 1 MiB, unparsable, or not matching the pixels, is refused with its own message. The picture is
turned upright by its EXIF orientation, converted from its ICC profile to sRGB, then re-encoded from its pixels
alone: EXIF (with GPS), XMP, ICC profiles, comments and any trailing payload are dropped. The stored name is
random, so nothing of the uploader's file name reaches the disk or a URL.
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
MAX_EXIF_BYTES = 64 * 1024
MAX_ICC_BYTES = 1024 * 1024


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


def _too_wide(width: int, height: int, limit: int) -> ValidationError:
    return ValidationError(
        _(
            "The image is %(width)s x %(height)s pixels; a side may be at most %(limit)s pixels. "
            "Make it smaller and upload it again."
        )
        % {"width": width, "height": height, "limit": limit},
        code="image_too_wide",
    )


def _animated() -> ValidationError:
    return ValidationError(
        _("Animated pictures are not accepted. Upload a still picture (JPEG, PNG or WebP)."),
        code="image_animated",
    )


def _bad_metadata() -> ValidationError:
    return ValidationError(
        _(
            "The picture's EXIF metadata is damaged or too large. "
            "Save the picture again without metadata (for example as a screenshot) and upload that."
        ),
        code="image_bad_metadata",
    )


def _bad_colour_profile() -> ValidationError:
    return ValidationError(
        _(
            "The picture's colour profile is damaged, too large or does not match the picture. "
            "Save it again as sRGB and upload that."
        ),
        code="image_bad_colour_profile",
    )


def _check_metadata(probe: Image.Image) -> None:
    """Refuse EXIF and ICC blocks that are oversized or that Pillow cannot parse (before any pixel work)."""
    exif = probe.info.get("exif")
    if exif is not None:
        if not isinstance(exif, bytes) or len(exif) > MAX_EXIF_BYTES:
            raise _bad_metadata()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", UserWarning)  # Pillow only warns on corrupt EXIF
                parsed = probe.getexif()
                parsed.get_ifd(0x8825)  # GPS: parsed to know the block is sound, then dropped
                orientation = parsed.get(0x0112)
        except Exception:  # noqa: BLE001 - any parser failure on untrusted bytes is the same refusal
            raise _bad_metadata() from None
        if orientation is not None and not isinstance(orientation, int):
            raise _bad_metadata()
    icc = probe.info.get("icc_profile")
    if icc and (not isinstance(icc, bytes) or len(icc) > MAX_ICC_BYTES):
        raise _bad_colour_profile()


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Apply the picture's own colour profile (so colours survive its removal), else leave the pixels."""
    if not icc:
        return image
    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        target = ImageCms.createProfile("sRGB")
        has_alpha = "A" in image.getbands()
        mode = "RGBA" if has_alpha and image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, target, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        raise _bad_colour_profile() from None
    if converted is None:  # pragma: no cover - only with inPlace=True
        return image
    return converted


def clean_image_upload(uploaded_file: IO[bytes] | Any, *, max_side: int = 2048) -> ContentFile:
    """Validate and re-encode an uploaded image; return a ContentFile with a random name.

    Raises ValidationError (with a message for the user and a `code`) for files that are too large, not a
    JPEG/PNG/WebP/GIF by content, too wide or too many pixels, animated, with hostile metadata, or broken.
    """
    limit = int(settings.MAX_IMAGE_UPLOAD_BYTES)
    size = _file_size(uploaded_file)
    if size > limit:
        raise _too_large(size, limit)
    data = _read_bounded(uploaded_file, limit)
    if not data:
        raise ValidationError(_("The file is empty."), code="image_empty")
    max_pixels = int(settings.MAX_IMAGE_PIXELS)
    max_side_allowed = int(settings.MAX_IMAGE_SIDE)

    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check only warns below twice its limit; ours is the one that counts.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise _not_an_image()
                width, height = probe.size
                if max(width, height) > max_side_allowed:
                    raise _too_wide(width, height, max_side_allowed)
                if width * height > max_pixels:
                    raise _too_many_pixels(width, height, max_pixels)
                if getattr(probe, "is_animated", False) or getattr(probe, "n_frames", 1) > 1:
                    raise _animated()
                _check_metadata(probe)
                probe.verify()
            image: Image.Image = Image.open(BytesIO(data))
            icc = image.info.get("icc_profile")
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

    try:
        image = ImageOps.exif_transpose(image) or image
    except Exception:  # noqa: BLE001 - a malformed orientation tag on untrusted bytes
        raise _bad_metadata() from None
    if image.mode in {"RGB", "RGBA", "CMYK", "L"}:
        image = _to_srgb(image, icc if isinstance(icc, bytes) else None)
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
