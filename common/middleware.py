"""Middleware that runs on every request, so each one is async-capable: under ASGI a sync-only middleware
makes Django hop to a worker thread and back for the whole chain."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from functools import wraps

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext as _
from whitenoise.middleware import WhiteNoiseMiddleware

from common.error_pages import database_unavailable, error_response, is_database_fault

logger = logging.getLogger(__name__)


class AsyncWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, async-capable. WhiteNoise's own middleware is sync-only, which makes Django run every
    request's middleware chain in a worker thread and hop back to the event loop for the rest of the chain
    (two extra thread switches per page under ASGI). Finding a static file is a dictionary lookup (a stat
    with autorefresh in development), so it is done inline; the file itself is still streamed by Django."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        super().__init__(get_response)
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self._is_async:
            return self.__acall__(request)
        return super().__call__(request)

    async def __acall__(self, request):
        if self.autorefresh:
            static_file = self.find_file(request.path_info)
        else:
            static_file = self.files.get(request.path_info)
        if static_file is not None:
            return self.serve(static_file, request)
        return await self.get_response(request)


class RejectNulMiddleware:
    """A NUL character in the path (404) or in a query value (400) is refused at the door. PostgreSQL text
    cannot hold NUL, so such a value reaching a filter raised psycopg.DataError, a 500. Cheap: two substring
    tests per request (`%00` is the only way to write NUL in a query string)."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self._is_async:
            return self.__acall__(request)
        return self._refusal(request) or self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return self._refusal(request) or await self.get_response(request)

    @staticmethod
    def _refusal(request: HttpRequest) -> HttpResponse | None:
        if "\x00" in request.path_info:
            return error_response(
                request, status=404, message=_("No page has a NUL character in its address.")
            )
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return error_response(
                request, status=400, message=_("Query parameters cannot contain NUL characters.")
            )
        return None


class DatabaseUnavailableMiddleware(MiddlewareMixin):
    """A database fault in a view (a terminated backend, the server restarting, no free pooled connection) is
    a 503 with Retry-After, JSON under /api/ and a plain page elsewhere, logged as one line, not a traceback.
    The transaction was rolled back, so nothing partial is stored, and the pool (CONN_HEALTH_CHECKS) drops the
    broken connection, so the next request gets a working one."""

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_fault(exception):
            return None
        logger.warning(
            "database unavailable on %s %s: %s",
            request.method,
            request.path,
            str(exception).strip().splitlines()[0] if str(exception).strip() else type(exception),
        )
        return database_unavailable(request)


def allow_inline_styles(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For a third-party page that injects <style> elements (Swagger UI): its policy allows inline styles.
    Scripts stay as strict as everywhere else."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response.csp_inline_styles = True  # type: ignore[attr-defined]
        return response

    return wrapper


class ContentSecurityPolicyMiddleware:
    """Sends settings.CONTENT_SECURITY_POLICY on every response that has none yet (built once; async-capable).
    Pages load scripts and styles from our own static files only: no inline scripts, handlers or styles."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable) -> None:
        from django.conf import settings

        self.get_response = get_response
        self.policy: str = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        # A hash in style-src makes browsers ignore 'unsafe-inline', so the relaxed policy drops it.
        self.inline_styles_policy = re.sub(
            r"style-src[^;]*", "style-src 'self' 'unsafe-inline'", self.policy
        )
        self._is_async = iscoroutinefunction(get_response)
        if self._is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponse | Awaitable[HttpResponse]:
        if self._is_async:
            return self.__acall__(request)
        return self._with_policy(self.get_response(request))

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        return self._with_policy(await self.get_response(request))

    def _with_policy(self, response: HttpResponse) -> HttpResponse:
        if self.policy and "Content-Security-Policy" not in response:
            inline = getattr(response, "csp_inline_styles", False)
            response["Content-Security-Policy"] = (
                self.inline_styles_policy if inline else self.policy
            )
        return response
