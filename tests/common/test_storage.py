"""Stored files: public media served on every node (and in production), private files only through signed
links or an authorising view, and an unreachable store answered with 503 leaving no row behind."""

from __future__ import annotations

import socket
from io import BytesIO

import pytest
from botocore.config import Config
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image

from common.storage import (
    StorageUnavailable,
    private_file_url,
    private_storage,
    public_storage,
    storage_is_reachable,
)
from tests.factories import UserFactory


def _png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_public_picture_is_served_with_its_type_nosniff_and_a_long_cache(client):
    name = public_storage().save("avatars/face.png", ContentFile(_png_bytes()))

    response = client.get(public_storage().url(name))

    assert response.status_code == 200
    assert response.content == _png_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "sandbox" in response["Content-Security-Policy"]
    again = client.get(public_storage().url(name), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@override_settings(DEBUG=False)
def test_public_media_is_served_with_debug_off(client):
    name = public_storage().save("products/demo/shoe.png", ContentFile(_png_bytes()))

    response = client.get(f"/media/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_a_file_that_is_not_a_picture_is_a_download_never_rendered(client):
    name = public_storage().save("posts/page.html", ContentFile(b"<script>alert(1)</script>"))

    response = client.get(f"/media/{name}")

    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "path",
    [
        "/media/exports/secret.json",
        "/media/avatars/missing.png",
        "/media/avatars/../../settings.py",
    ],
)
def test_only_existing_public_names_are_served(client, path):
    public_storage().save("exports/secret.json", ContentFile(b"{}"))

    assert client.get(path).status_code == 404


def test_private_file_is_reachable_only_through_its_signed_link(client, settings):
    name = private_storage().save("exports/user-1.json", ContentFile(b'{"me": 1}'))

    url = private_file_url(name)
    response = client.get(url)

    assert response.status_code == 200
    assert response.content == b'{"me": 1}'
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment;")
    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.get(f"/media/{name}").status_code == 404
    # The private folder is outside MEDIA_ROOT, so no proxy location for /media/ can reach it either.
    assert not (settings.MEDIA_ROOT / name).exists()


def test_private_link_expires(client, monkeypatch):
    import django.core.signing as signing

    name = private_storage().save("voice/1.ogg", ContentFile(b"ogg"))
    url = private_file_url(name, seconds=60)
    issued = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: issued + 61)

    assert client.get(url).status_code == 404


def _unreachable_s3(port: int) -> dict:
    return {
        "STORAGES": {
            "default": {"BACKEND": "common.storage.MediaS3Storage"},
            "private": {"BACKEND": "common.storage.PrivateS3Storage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        "AWS_STORAGE_BUCKET_NAME": "media",
        "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_S3_SIGNATURE_VERSION": "s3v4",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_S3_CLIENT_CONFIG": Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            connect_timeout=0.5,
            retries={"max_attempts": 1},
        ),
    }


def test_unreachable_store_raises_storage_unavailable():
    with override_settings(**_unreachable_s3(_closed_port())):
        with pytest.raises(StorageUnavailable) as error:
            public_storage().save("avatars/a.png", ContentFile(_png_bytes()))
        assert error.value.status_code == 503
        assert storage_is_reachable() is False


@pytest.mark.django_db
def test_upload_while_the_store_is_down_is_503_and_leaves_no_row_pointing_at_a_file():
    from rest_framework.test import APIClient

    from social.models import Profile

    user = UserFactory(username="uploader")
    client = APIClient()
    client.force_authenticate(user)
    with override_settings(**_unreachable_s3(_closed_port())):
        response = client.patch(
            reverse("social-api-my-profile"),
            data={"avatar": SimpleUploadedFile("a.png", _png_bytes(), content_type="image/png")},
            format="multipart",
        )

    assert response.status_code == 503
    assert response.json() == {
        "detail": "File storage is unavailable right now; nothing was saved. Try again shortly."
    }
    assert not Profile.objects.filter(user=user).exclude(avatar="").exists()


def test_s3_backend_serves_public_media_from_the_bucket(client):
    from moto import mock_aws

    with mock_aws():
        import boto3

        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="media")
        overrides = _unreachable_s3(0)
        overrides.pop("AWS_S3_ENDPOINT_URL")
        with override_settings(AWS_S3_ENDPOINT_URL=None, **overrides):
            name = public_storage().save("products/p.png", ContentFile(_png_bytes()))
            assert public_storage().url(name) == f"/media/{name}"
            response = client.get(f"/media/{name}")
            assert response.status_code == 200
            assert response["Content-Type"] == "image/png"
            signed = private_file_url(private_storage().save("exports/x.json", ContentFile(b"{}")))
            assert "X-Amz-Signature=" in signed
            assert "/private/exports/" in signed


@pytest.mark.django_db
def test_a_body_over_the_request_limit_is_413_with_a_message(settings):
    from rest_framework.test import APIClient

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    client = APIClient()
    client.force_authenticate(UserFactory(username="poster"))

    response = client.post(
        reverse("social-api-posts"),
        data=b'{"body": "' + b"x" * 4096 + b'"}',
        content_type="application/json",
    )

    assert response.status_code == 413
    assert response.json() == {
        "detail": "The request is too large: at most 1.0\xa0KB of data per request."
    }


@pytest.mark.django_db
def test_a_page_that_meets_a_dead_store_answers_503_with_the_reason(client):
    from common.media import UploadFaultsMiddleware

    middleware = UploadFaultsMiddleware(lambda request: None)
    request = client.get("/").wsgi_request

    response = middleware.process_exception(request, StorageUnavailable())

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "nothing was saved" in response.content.decode()
