"""How the API's answers are described in the OpenAPI schema, so the schema shows the bodies the views really send.

A 400 carries a list of messages per field that was wrong (`{"quantity": ["..."]}`, `non_field_errors` for the
body as a whole, the parameter's name for a bad query value), or `{"detail": "...", "code": "..."}` when a rule
refused a valid request (malformed JSON too). Every other error is `{"detail": "..."}` (`common.api`).

`AutoSchema` (the project's DEFAULT_SCHEMA_CLASS) adds the error answers every operation can give and that a view
need not repeat: 400, 403, 404 and 503 (with Retry-After) everywhere, 401 when a token may be sent, 415 with a
body, 409 and 429 for writes. An operation documents its own codes first;
`validation_errors(SomeSerializer)` names the fields of its 400 body.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers

from common.pagination import PAGE_MAX

__all__ = ["PAGE_PARAMETER", "AutoSchema", "ErrorDetailSerializer", "error", "validation_errors"]

PAGE_PARAMETER = OpenApiParameter(
    "page",
    {"type": "integer", "minimum": 1, "maximum": PAGE_MAX},
    description="Page number, from 1.",
)


class ErrorDetailSerializer(serializers.Serializer):
    """Any error but a field error: a message, and for refused rules a machine-readable code."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False)


_MESSAGES_SCHEMA: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
# A list or nested field: messages for the field as a whole, or messages per item index / nested field name.
_NESTED_MESSAGES_SCHEMA: dict[str, Any] = {
    "anyOf": [_MESSAGES_SCHEMA, {"type": "object", "additionalProperties": {}}]
}


@extend_schema_field(_NESTED_MESSAGES_SCHEMA)
class _NestedMessages(serializers.Field):
    """Schema only: the error messages of a list or nested field."""


def _messages() -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(), required=False)


def _field_errors(field: serializers.Field) -> serializers.Field:
    nested = (serializers.ListField, serializers.DictField, serializers.BaseSerializer)
    return _NestedMessages(required=False) if isinstance(field, nested) else _messages()


def validation_errors(
    serializer_class: type[serializers.Serializer] | None = None,
    *,
    name: str | None = None,
    fields: Iterable[str] = (),
    description: str = "",
) -> OpenApiResponse:
    """The 400 answer of an operation that validates `serializer_class` (and/or the query `fields`): messages per
    field, or `detail` (with `code`) when a rule refused the request."""
    body: dict[str, serializers.Field] = {field_name: _messages() for field_name in fields}
    if serializer_class is not None:
        for field_name, field in serializer_class().fields.items():
            if not field.read_only:
                body[field_name] = _field_errors(field)
    if name is None:
        if serializer_class is None:
            raise ValueError("validation_errors needs a serializer class or a name")
        name = serializer_class.__name__.removesuffix("Serializer") + "ValidationError"
    body["non_field_errors"] = _messages()
    # An input named "code" (a voucher code) keeps its list of messages: its errors answer under that name.
    body.setdefault("detail", serializers.CharField(required=False))
    body.setdefault("code", serializers.CharField(required=False))
    return OpenApiResponse(
        inline_serializer(name, body),
        description=description or "Invalid input: messages per field, or a detail with a code.",
    )


def error(description: str) -> OpenApiResponse:
    """A `{"detail": ...}` answer with what it means for this operation."""
    return OpenApiResponse(ErrorDetailSerializer, description=description)


# The 400 of an operation that names no fields: any field's messages, or a detail.
_VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "Messages per field or query parameter, or a detail (with a code) for the request "
    "as a whole.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "additionalProperties": _NESTED_MESSAGES_SCHEMA,
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the error answers every operation can give (see the module docstring)."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        parameters = operation.get("parameters", [])
        security = operation.get("security", [])
        # What every operation can answer, whatever the view: malformed JSON, a bad query value or a NUL byte
        # (400), unknown object or address (404), no credentials / CSRF / permission (403), a refused token
        # (401, where tokens are accepted) and a briefly unavailable database (503 with Retry-After).
        responses.setdefault("400", self._validation_error())
        if any(p["in"] == "query" and p["name"] == "page" for p in parameters):
            responses.setdefault("404", self._error("The page is past the last one."))
        responses.setdefault("404", self._error("Not found."))
        if any("tokenAuth" in requirement for requirement in security):
            responses.setdefault(
                "401", self._error("The token sent is unknown, revoked or expired.")
            )
        responses.setdefault("403", self._error("Not signed in, or not allowed."))
        if "requestBody" in operation:
            responses.setdefault(
                "415", self._error("The body is not JSON (or multipart where files are taken).")
            )
        if self.method != "GET":
            responses.setdefault(
                "409", self._error("A rule refused the change; `code` says which.")
            )
            responses.setdefault("429", self._error("Too many requests; retry later."))
        unavailable = responses.setdefault(
            "503", self._error("The service is briefly unavailable; retry after `Retry-After`.")
        )
        unavailable.setdefault("headers", {})["Retry-After"] = {
            "schema": {"type": "integer"},
            "description": "Seconds to wait before retrying.",
        }
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _get_request_for_media_type(self, serializer: Any, direction: Any = "request") -> Any:
        # drf-spectacular documents every PATCH body as partial; a view may validate its PATCH body whole
        # (a serializer with `patch_is_partial = False`), and then the schema says which fields it needs.
        if self.method == "PATCH" and getattr(serializer, "patch_is_partial", True) is False:
            self.method = "PUT"
            try:
                return super()._get_request_for_media_type(serializer, direction)
            finally:
                self.method = "PATCH"
        return super()._get_request_for_media_type(serializer, direction)

    def _error(self, description: str) -> dict[str, Any]:
        response = self._get_response_for_code(ErrorDetailSerializer, "400")
        return {**response, "description": description}

    def _validation_error(self) -> dict[str, Any]:
        component = ResolvedComponent(
            name="ValidationError",
            type=ResolvedComponent.SCHEMA,
            object="common.openapi.ValidationError",
            schema=_VALIDATION_ERROR_SCHEMA,
        )
        self.registry.register_on_missing(component)
        return {
            "content": {"application/json": {"schema": component.ref}},
            "description": "Invalid input: messages per field, or a detail with a code.",
        }
