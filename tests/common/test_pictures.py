"""Renditions (common.pictures) and the `{% picture %}` tag."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import Context, Template
from PIL import Image

from common.pictures import (
    Picture,
    picture_formats,
    rendition_name,
    rendition_widths_for,
    renditions_store,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.MEDIA_URL = "/media/"
    settings.PICTURE_FORMATS = "avif,webp"


def _store(size=(1000, 500), mode="RGB", fmt="JPEG") -> str:
    buffer = BytesIO()
    colour = (200, 40, 60, 128) if mode == "RGBA" else (200, 40, 60)
    Image.new(mode, size, colour).save(buffer, format=fmt)
    return default_storage.save(f"products/test.{fmt.lower()}", ContentFile(buffer.getvalue()))


def _render(source, **options) -> str:
    args = " ".join(f'{key}="{value}"' for key, value in options.items())
    return Template("{% load pictures %}{% picture source " + args + " %}").render(
        Context({"source": source})
    )


def test_widths_stop_at_the_originals_width():
    assert rendition_widths_for(1000) == (160, 320, 640, 960, 1000)
    assert rendition_widths_for(1200) == (160, 320, 640, 960, 1200)
    assert rendition_widths_for(5000) == (160, 320, 640, 960, 1200, 1600, 2048)
    assert rendition_widths_for(100) == (100,)


def test_renditions_are_stored_through_the_storage_in_every_format():
    name = _store()
    picture = renditions_store(name=name)
    assert (picture.width, picture.height, picture.renditions) == (
        1000,
        500,
        (160, 320, 640, 960, 1000),
    )
    for width in picture.renditions:
        for fmt in ("webp", "avif"):
            with default_storage.open(rendition_name(name, width, fmt)) as handle:
                stored = Image.open(handle)
                assert stored.format == fmt.upper()
                assert stored.size == (width, round(500 * width / 1000))


def test_storing_twice_keeps_one_file_per_rendition(tmp_path):
    name = _store()
    renditions_store(name=name)
    renditions_store(name=name)
    folder = tmp_path / "renditions" / name
    assert sorted(path.name for path in folder.iterdir()) == sorted(
        f"{w}w.{fmt}" for w in (160, 320, 640, 960, 1000) for fmt in ("avif", "webp")
    )


def test_transparent_pictures_keep_their_alpha():
    name = _store(size=(400, 400), mode="RGBA", fmt="PNG")
    renditions_store(name=name)
    with default_storage.open(rendition_name(name, 320, "webp")) as handle:
        assert Image.open(handle).mode == "RGBA"


def test_formats_fall_back_to_webp(settings):
    settings.PICTURE_FORMATS = "jpegxl"
    assert picture_formats() == ("webp",)


def test_tag_emits_srcset_sizes_dimensions_lazy_and_alt():
    picture = Picture(name="products/a.jpg", width=1200, height=900, renditions=(320, 640, 1200))
    html = _render(picture, sizes="50vw", alt="Red shoe")
    assert html == (
        "<picture>"
        '<source type="image/avif" srcset="/media/renditions/products/a.jpg/320w.avif 320w, '
        '/media/renditions/products/a.jpg/640w.avif 640w, /media/renditions/products/a.jpg/1200w.avif 1200w"'
        ' sizes="50vw">'
        '<img src="/media/renditions/products/a.jpg/640w.webp" alt="Red shoe" '
        'srcset="/media/renditions/products/a.jpg/320w.webp 320w, /media/renditions/products/a.jpg/640w.webp '
        '640w, /media/renditions/products/a.jpg/1200w.webp 1200w" sizes="50vw" width="1200" height="900" '
        'loading="lazy" decoding="async">'
        "</picture>"
    )


def test_tag_without_avif_is_a_plain_img(settings):
    settings.PICTURE_FORMATS = "webp"
    html = _render(Picture(name="p.jpg", width=10, height=10, renditions=(10,)), alt="x")
    assert html.startswith("<img ")
    assert "<picture>" not in html


def test_tag_shows_the_original_until_renditions_exist():
    html = _render(Picture(name="products/a.jpg", alt="Mug"))
    assert html == '<img src="/media/products/a.jpg" alt="Mug" loading="lazy" decoding="async">'


def test_tag_escapes_alt_and_takes_eager_priority_and_data_attributes():
    picture = Picture(name="a.jpg", width=10, height=10, alt='"><script>')
    html = Template(
        '{% load pictures %}{% picture p loading="eager" fetchpriority="high" data_gallery_main=True %}'
    ).render(Context({"p": picture}))
    assert 'alt="&quot;&gt;&lt;script&gt;"' in html
    assert 'loading="eager"' in html
    assert 'fetchpriority="high"' in html
    assert 'data-gallery-main=""' in html


def test_tag_renders_nothing_without_a_picture():
    assert _render(None) == ""


def test_renditions_go_to_the_bucket_and_are_served_from_it(client):
    """Production stores media in S3: renditions are read and written through the storage API only."""
    from moto import mock_aws

    from common.storage import public_storage
    from tests.common.test_storage import _unreachable_s3

    with mock_aws():
        import boto3
        from django.test import override_settings

        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="media")
        overrides = _unreachable_s3(0)
        overrides.pop("AWS_S3_ENDPOINT_URL")
        with override_settings(AWS_S3_ENDPOINT_URL=None, **overrides):
            buffer = BytesIO()
            Image.new("RGB", (700, 350), (10, 120, 60)).save(buffer, format="JPEG")
            name = public_storage().save("products/s3.jpg", ContentFile(buffer.getvalue()))

            picture = renditions_store(name=name, storage=public_storage())

            assert picture.renditions == (160, 320, 640, 700)
            keys = {item["Key"] for item in s3.list_objects_v2(Bucket="media")["Contents"]}
            assert f"renditions/{name}/640w.webp" in keys
            assert f"renditions/{name}/640w.avif" in keys
            response = client.get(f"/media/renditions/{name}/320w.webp")
            assert response.status_code == 200
            assert response["Content-Type"] == "image/webp"
