from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png(size=(40, 30)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, "green").save(buffer, format="PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def photo_post(db):
    """make(author, photos=1, **kwargs): a post with `photos` photos through the service."""
    from social import services

    def make(author, photos=1, **kwargs):
        return services.post_create(
            author=author,
            body=kwargs.pop("body", "look"),
            images=[png() for _ in range(photos)],
            **kwargs,
        )

    return make
