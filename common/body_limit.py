"""The request body limit, enforced in the app as the proxy enforces it in front (`client_max_body_size`).

A node reached without the proxy (a misrouted load balancer, a port open inside the network) must refuse an
oversized upload the same way: 413 with a message, before the body is read. Django's own limits do not cover
it: `DATA_UPLOAD_MAX_MEMORY_SIZE` leaves files out, and Django's ASGI handler spools the whole body to disk
before any middleware runs. So this ASGI wrapper refuses a declared `Content-Length` over
`MAX_REQUEST_BODY_BYTES` at once, and counts the bytes of a body sent without one (chunked), ending the
request with the same 413 as soon as the count passes the limit. The default equals the proxy's (12 MiB),
above the largest upload the app accepts (`MAX_IMAGE_UPLOAD_BYTES`, 10 MiB) plus its form fields.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ASGIApp = Callable[[dict, Callable, Callable], Awaitable[None]]

__all__ = ["BodyLimit", "body_limit_from_settings", "body_too_large_message"]


def body_too_large_message(limit: int) -> str:
    return _("The upload is too large: at most %(limit)s per request.") % {
        "limit": filesizeformat(limit)
    }


class BodyLimit:
    """ASGI middleware: HTTP requests whose body is over `limit` bytes get 413 and never reach `app`
    (or, for a body without Content-Length, are cut off and answered 413 once the limit is passed)."""

    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._refuse(scope, send)
            return
        received = 0
        over = False
        started = False

        async def counting_receive() -> dict:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Django's handler takes a disconnect as "the client went away" and answers nothing.
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)
        if over and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: dict, send: Callable) -> None:
        message = body_too_large_message(self.limit)
        headers = dict(scope.get("headers") or [])
        accept = headers.get(b"accept", b"")
        if scope.get("path", "").startswith("/api/") or b"application/json" in accept:
            body = json.dumps({"detail": message}).encode()
            content_type = b"application/json"
        else:
            body = message.encode()
            content_type = b"text/plain; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    # The rest of the body is never read: the client must not reuse this connection.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _content_length(scope: dict) -> int | None:
    for name, value in scope.get("headers") or []:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def body_limit_from_settings(app: ASGIApp) -> BodyLimit:
    return BodyLimit(app, limit=int(settings.MAX_REQUEST_BODY_BYTES))
