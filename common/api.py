"""API-wide error shape: every error is JSON with a human-readable `detail`, never an HTML 500 page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ServiceError


def service_error_response(error: ServiceError) -> Response:
    """The JSON body and status for a refused rule: 409 bodies carry the code, field errors a list."""
    status_code = error.status_code
    body: dict[str, Any]
    if status_code == status.HTTP_409_CONFLICT:
        body = {"detail": error.message, "code": error.code}
    elif status_code == status.HTTP_400_BAD_REQUEST and error.field:
        body = {error.field: [error.message]}
    else:
        body = {"detail": error.message}
    return Response(body, status=status_code)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ServiceError):
        return service_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            detail: Any = exc.message_dict
        else:
            detail = {"detail": exc.messages[0] if len(exc.messages) == 1 else exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You do not have permission to do this.")
    return drf_exception_handler(exc, context)


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


class StrictJSONParser(JSONParser):
    """JSON that cannot hold lone surrogates: such text can be neither stored (PostgreSQL refuses it) nor
    echoed back in an error message (encoding the response fails), so it is a 400 at the door."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_surrogate(data):
            raise ParseError(_("The JSON contains invalid characters (unpaired surrogates)."))
        return data
