"""API-wide error shape: every error is JSON with a human-readable `detail`, never an HTML 500 page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from common.errors import ServiceError


def service_error_response(error: ServiceError) -> Response:
    """The JSON body and status for a refused rule: 409 bodies carry the code, field errors a list."""
    status_code = error.status_code
    body: dict[str, Any]
    if status_code in (status.HTTP_409_CONFLICT, status.HTTP_402_PAYMENT_REQUIRED):
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
    if isinstance(exc, exceptions.AuthenticationFailed):
        # Credentials were sent and are wrong (a bad or revoked token). DRF would answer 403 because the first
        # authentication class (sessions) has no challenge to offer; a wrong token is a 401 with a challenge.
        # A request with no credentials stays NotAuthenticated (403), as the API documents it.
        exc.status_code = status.HTTP_401_UNAUTHORIZED
        exc.auth_header = TokenAuthentication.keyword  # type: ignore[attr-defined]
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "You do not have permission to do this.")
    # Imported here: rest_framework.views reads DEFAULT_PARSER_CLASSES, which names this module's parser.
    from rest_framework.views import exception_handler as drf_exception_handler

    return drf_exception_handler(exc, context)


# Deeper than any body this API takes; JSON nested past Python's recursion limit cannot even be parsed.
MAX_JSON_DEPTH = 32


def _json_problem(data: Any) -> str | None:
    """What makes parsed JSON unacceptable, or None: nesting past MAX_JSON_DEPTH, or lone surrogates (text
    that PostgreSQL refuses to store and that cannot be encoded back into an error message). Iterative, so
    that the check itself never recurses."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
                return _("The JSON contains invalid characters (unpaired surrogates).")
        elif isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                return _("The JSON is nested too deeply (at most %(depth)d levels).") % {
                    "depth": MAX_JSON_DEPTH
                }
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)
    return None


class StrictJSONParser(JSONParser):
    """JSON with a bounded nesting depth and no lone surrogates: anything else is a 400 at the door, never a
    500 (the standard parser raises RecursionError, not ValueError, on deeply nested input)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                _("The JSON is nested too deeply (at most %(depth)d levels).")
                % {"depth": MAX_JSON_DEPTH}
            ) from None
        problem = _json_problem(data)
        if problem:
            raise ParseError(problem)
        return data


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def query_bool(request: Any, name: str, *, default: bool = False) -> bool:
    """A boolean query parameter; anything but true/false words (e.g. `?unread=null`) is a 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise exceptions.ValidationError({name: [_("Must be true or false.")]})


def query_int(request: Any, name: str, *, default: int, minimum: int | None = None) -> int:
    """An integer query parameter; text or a number below `minimum` is a 400 naming it, never a 500."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [_("A whole number is required.")]}) from None
    if minimum is not None and value < minimum:
        raise exceptions.ValidationError(
            {name: [_("Must be at least %(minimum)d.") % {"minimum": minimum}]}
        )
    return value
