"""Django's HTTP handler under ASGI with the whole request in one worker thread.

Django's own ASGIHandler runs the middleware chain in async mode. Every middleware built on
`MiddlewareMixin` (sessions, locale, CSRF, authentication, messages, clickjacking, htmx, Django's security and
common middleware: about ten on each request here) then runs its `process_request` and `process_response`
through `sync_to_async`, and the view another time: some twenty hand-overs between the event loop and a worker
thread per page, each a queue round trip and a context copy. Measured on a signed-in page under uvicorn with 20
connections, that cost more than the page itself.

This handler loads the middleware in sync mode and calls the whole chain (middleware, view, template) in one
`sync_to_async` call, so a request crosses into the worker thread once. Reading the body, sending the answer,
disconnect handling and the request signals stay Django's. Views are sync here; an async view (none today)
would still work, through `async_to_sync`.
"""

from __future__ import annotations

import django
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponseBase


class SingleHopASGIHandler(ASGIHandler):
    def __init__(self) -> None:
        # BaseHandler.__init__ (not ASGIHandler's, which loads the chain in async mode).
        super(ASGIHandler, self).__init__()
        self.load_middleware(is_async=False)

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)


def get_single_hop_asgi_application() -> SingleHopASGIHandler:
    """What `django.core.asgi.get_asgi_application` does, with the one-hop handler."""
    django.setup(set_prefix=False)
    return SingleHopASGIHandler()
