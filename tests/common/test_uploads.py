from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from common.uploads import clean_image_upload


def _image_bytes(fmt: str, size=(64, 48), mode="RGB", **save_kwargs) -> bytes:
    buffer = BytesIO()
    Image.new(mode, size, color="red" if mode in {"RGB", "RGBA"} else 1).save(
        buffer, format=fmt, **save_kwargs
    )
    return buffer.getvalue()


def _upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.mark.parametrize(
    ("fmt", "mode", "expected_format", "extension"),
    [
        ("JPEG", "RGB", "JPEG", ".jpg"),
        ("PNG", "RGB", "JPEG", ".jpg"),
        ("PNG", "RGBA", "PNG", ".png"),
        ("WEBP", "RGB", "JPEG", ".jpg"),
        ("GIF", "P", "JPEG", ".jpg"),
    ],
)
def test_accepted_formats_are_reencoded(fmt, mode, expected_format, extension):
    result = clean_image_upload(_upload(_image_bytes(fmt, mode=mode)))

    with Image.open(BytesIO(result.read())) as image:
        assert image.format == expected_format
        assert image.size == (64, 48)
    assert result.name.endswith(extension)


def test_name_is_random_and_ignores_the_uploaded_name():
    first = clean_image_upload(_upload(_image_bytes("JPEG"), name="../../etc/passwd.jpg"))
    second = clean_image_upload(_upload(_image_bytes("JPEG"), name="../../etc/passwd.jpg"))

    assert first.name != second.name
    assert "passwd" not in first.name
    assert "/" not in first.name
    assert len(first.name) == len("0123456789abcdef0123456789abcdef.jpg")


def test_large_image_is_resized_to_max_side():
    result = clean_image_upload(_upload(_image_bytes("PNG", size=(1200, 600))), max_side=300)

    with Image.open(BytesIO(result.read())) as image:
        assert image.size == (300, 150)


def test_exif_and_gps_are_stripped():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {2: (52.0, 31.0, 12.0), 1: "N"}  # GPS IFD
    data = _image_bytes("JPEG", exif=exif.tobytes())
    with Image.open(BytesIO(data)) as original:
        assert original.getexif()[0x010F] == "SpyCam"

    result = clean_image_upload(_upload(data))

    cleaned = result.read()
    with Image.open(BytesIO(cleaned)) as image:
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
    assert b"SpyCam" not in cleaned


def test_html_pretending_to_be_png_is_refused():
    html = b"<html><script>alert(document.cookie)</script></html>"

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(html, name="cat.png", content_type="image/png"))

    assert excinfo.value.code == "image_invalid_type"
    assert "JPEG, PNG, WebP or GIF" in excinfo.value.messages[0]


def test_png_signature_followed_by_html_is_refused():
    data = b"\x89PNG\r\n\x1a\n" + b"<html><script>alert(1)</script></html>"

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(data, name="cat.png", content_type="image/png"))

    assert excinfo.value.code == "image_invalid_type"


def test_svg_with_script_is_refused():
    svg = (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(1)</script></svg>"
    )

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(svg, name="logo.svg", content_type="image/svg+xml"))

    assert excinfo.value.code == "image_invalid_type"


def test_other_image_format_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(_image_bytes("BMP"), name="x.bmp"))

    assert excinfo.value.code == "image_invalid_type"


def test_fifty_megabyte_file_is_refused_before_decoding(monkeypatch):
    def fail_open(*args, **kwargs):
        raise AssertionError("decoded a file that was too large")

    monkeypatch.setattr("common.uploads.Image.open", fail_open)
    big = _upload(b"\xff\xd8\xff" + b"\0" * (50 * 1024 * 1024))

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(big)

    assert excinfo.value.code == "image_too_large"
    assert "50.0\xa0MB" in excinfo.value.messages[0]


def test_size_limit_comes_from_settings(settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 100
    data = _image_bytes("PNG", size=(200, 200))
    assert len(data) > 100

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(data))

    assert excinfo.value.code == "image_too_large"


def test_pixel_limit_comes_from_settings(settings):
    settings.MAX_IMAGE_PIXELS = 10_000

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(_image_bytes("PNG", size=(200, 200))))

    assert excinfo.value.code == "image_too_many_pixels"
    assert "200 x 200" in excinfo.value.messages[0]


def test_decompression_bomb_is_refused():
    # 15000 x 15000 one-bit pixels: a few kilobytes on disk, 225 megapixels once decoded.
    bomb = _image_bytes("PNG", size=(15000, 15000), mode="1")
    assert len(bomb) < 200_000

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(bomb, name="bomb.png"))

    assert excinfo.value.code == "image_too_many_pixels"


def test_truncated_image_is_refused():
    data = _image_bytes("JPEG", size=(300, 300))[:200]

    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(data))

    assert excinfo.value.code == "image_invalid_type"


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(b""))

    assert excinfo.value.code == "image_empty"


# --- limits and hostile metadata (issue 16) ---------------------------------------------------------------


def _code(excinfo) -> str:
    return excinfo.value.code


def test_a_side_over_8000_pixels_is_refused_with_the_size():
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(_image_bytes("PNG", size=(8001, 10)), name="wide.png"))
    assert _code(excinfo) == "image_too_wide"
    assert "8001 x 10" in excinfo.value.messages[0]
    assert "8000" in excinfo.value.messages[0]


def test_a_side_of_8000_pixels_is_accepted():
    result = clean_image_upload(_upload(_image_bytes("PNG", size=(8000, 10)), name="wide.png"))
    with Image.open(BytesIO(result.read())) as image:
        assert image.size == (2048, 3)


def test_the_default_limit_is_ten_megabytes():
    data = b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(data))
    assert _code(excinfo) == "image_too_large"
    assert "10.0" in excinfo.value.messages[0]


def _animated(fmt: str) -> bytes:
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "blue")]
    buffer = BytesIO()
    frames[0].save(buffer, format=fmt, save_all=True, append_images=frames[1:], duration=100)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_animated_pictures_are_refused(fmt):
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(_animated(fmt), name=f"moving.{fmt.lower()}"))
    assert _code(excinfo) == "image_animated"
    assert "Animated" in excinfo.value.messages[0]


def _webp_with_exif(exif: bytes) -> bytes:
    return _image_bytes("WEBP", exif=exif)


@pytest.mark.parametrize(
    "exif",
    [
        pytest.param(b"Exif\x00\x00" + b"\xff" * 200, id="not-tiff"),
        pytest.param(b"Exif\x00\x00MM\x00\x2a\xff\xff\xff\xf0" + b"\x00" * 50, id="offset-outside"),
        pytest.param(
            b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00\x01\x00"
            b"\x12\x01\x02\x00\x04\x00\x00\x00abc\x00\x00\x00\x00\x00",
            id="orientation-as-text",
        ),
        pytest.param(b"Exif\x00\x00II\x2a\x00\x08\x00\x00\x00" + b"\x00" * 70_000, id="oversized"),
    ],
)
def test_hostile_exif_is_refused(exif):
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(_webp_with_exif(exif), name="x.webp"))
    assert _code(excinfo) == "image_bad_metadata"


def test_exif_orientation_is_applied_before_it_is_stripped():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to view
    data = _image_bytes("JPEG", size=(60, 30), exif=exif.tobytes())

    result = clean_image_upload(_upload(data))

    with Image.open(BytesIO(result.read())) as image:
        assert image.size == (30, 60)
        assert "exif" not in image.info


@pytest.mark.parametrize(
    "icc",
    [
        pytest.param(b"not a colour profile" * 20, id="garbage"),
        pytest.param(b"\x00" * (1024 * 1024 + 1), id="oversized"),
    ],
)
def test_hostile_colour_profile_is_refused(icc):
    with pytest.raises(ValidationError) as excinfo:
        clean_image_upload(_upload(_image_bytes("WEBP", icc_profile=icc), name="x.webp"))
    assert _code(excinfo) == "image_bad_colour_profile"


def test_a_valid_colour_profile_is_applied_and_dropped():
    from PIL import ImageCms

    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    result = clean_image_upload(_upload(_image_bytes("JPEG", icc_profile=srgb)))

    with Image.open(BytesIO(result.read())) as image:
        assert "icc_profile" not in image.info
        assert image.getpixel((0, 0))[0] > 240  # still red
