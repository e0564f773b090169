"""Error answers that fit the caller: JSON `{"detail": ...}` under /api/, a plain page elsewhere.

Used at the door (common.middleware: NUL bytes, a database that is down) and as config/urls.py's handler400/
403/404/500, so that an API client never receives an HTML error page, whichever layer refused the request. The
pages here render no template and touch no database: they must work while the database is the problem.
"""

from __future__ import annotations

import sys
from html import escape

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

API_PREFIX = "/api/"
# Seconds a client should wait before retrying after a database fault: long enough for the pool to reconnect.
DATABASE_RETRY_AFTER_SECONDS = 5


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def error_response(
    request: HttpRequest, *, status: int, message: str, retry_after: int | None = None
) -> HttpResponse:
    """`{"detail": message}` for the API, a small self-contained page otherwise."""
    response: HttpResponse
    if is_api_request(request):
        response = JsonResponse({"detail": message}, status=status)
    else:
        text = escape(message)
        response = HttpResponse(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{text}</title></head>'
            f"<body><h1>{text}</h1></body></html>",
            status=status,
            content_type="text/html; charset=utf-8",
        )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def is_database_fault(error: BaseException | None) -> bool:
    """A fault of the database connection or server (terminated backend, server down, pool timeout), as opposed
    to a bad query: those are worth retrying in a moment."""
    if isinstance(error, OperationalError | InterfaceError):
        return True
    # psycopg_pool.PoolTimeout when every connection is busy or the server cannot be reached.
    return type(error).__name__ == "PoolTimeout" and not isinstance(error, DatabaseError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    return error_response(
        request,
        status=503,
        message=_("The service is briefly unavailable. Please try again in a few seconds."),
        retry_after=DATABASE_RETRY_AFTER_SECONDS,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(request, status=400, message=str(exception) or _("Bad request."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(
            request, status=403, message=_("You do not have permission to do this.")
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api_request(request):
        return error_response(request, status=404, message=_("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this inside its `except` block, so the exception is at hand: a database fault that escaped
    the views (e.g. a session saved by middleware) is still a 503 with Retry-After."""
    if is_database_fault(sys.exc_info()[1]):
        return database_unavailable(request)
    if is_api_request(request):
        return error_response(request, status=500, message=_("A server error occurred."))
    return defaults.server_error(request)
