"""Serializer fields the JSON API shares."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

__all__ = ["StrictBooleanField", "UploadField"]


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    """An uploaded file in a multipart body; the schema says binary (DRF's FileField reads as a URL)."""


class StrictBooleanField(serializers.BooleanField):
    """JSON `true` or `false` only, as the schema says (DRF's BooleanField also takes 0, 1, "yes", "on"). For
    JSON bodies; query parameters and form fields arrive as text and keep DRF's field."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)
        raise AssertionError("unreachable")  # fail() raises
