"""Middleware that lets Django serve a request under ASGI without a thread hop of its own."""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from whitenoise.middleware import WhiteNoiseMiddleware


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
