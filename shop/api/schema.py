"""How the API's error answers are described in the OpenAPI schema, so the schema shows the bodies the views
really send.

A 400 carries a list of messages per field that was wrong (`{"quantity": ["..."]}`, `non_field_errors` for the
body as a whole), or, when a rule refused a valid request, `{"detail": "...", "code": "..."}`. Every other error
is `{"detail": "..."}` (`common.api`). `validation_errors(SomeSerializer)` names the fields a 400 can carry for an
operation that validates `SomeSerializer`; the social API uses the same helpers.
"""

from __future__ import annotations

from collections.abc import Iterable

from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

__all__ = ["DETAIL", "ErrorDetailSerializer", "error", "validation_errors"]


class ErrorDetailSerializer(serializers.Serializer):
    """Any error but a field error: a message, and for refused rules a machine-readable code."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


DETAIL = ErrorDetailSerializer


def _messages() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False)


def validation_errors(
    serializer_class: type[serializers.Serializer] | None = None,
    *,
    name: str | None = None,
    fields: Iterable[str] = (),
    description: str = "",
) -> OpenApiResponse:
    """The 400 answer of an operation that validates `serializer_class` (and/or the query `fields`): messages per
    field, or `detail` (with `code`) when a rule refused the request."""
    field_names = list(fields)
    if serializer_class is not None:
        field_names += [
            field_name
            for field_name, field in serializer_class().fields.items()
            if not field.read_only
        ]
    if name is None:
        if serializer_class is None:
            raise ValueError("validation_errors needs a serializer class or a name")
        name = serializer_class.__name__.removesuffix("Serializer") + "ValidationError"
    body: dict[str, serializers.Field] = {
        field_name: _messages() for field_name in dict.fromkeys(field_names)
    }
    body["non_field_errors"] = _messages()
    body["detail"] = serializers.CharField(required=False)
    body["code"] = serializers.CharField(required=False)
    return OpenApiResponse(
        inline_serializer(name, body),
        description=description or "Invalid input: messages per field, or a detail with a code.",
    )


def error(description: str) -> OpenApiResponse:
    """A `{"detail": ...}` answer with what it means for this operation."""
    return OpenApiResponse(ErrorDetailSerializer, description=description)
