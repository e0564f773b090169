"""The ASGI handler runs the whole request (middleware chain, view) in one worker-thread call."""

from __future__ import annotations

import pytest
from asgiref.sync import iscoroutinefunction
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler

from common.asgi import SingleHopASGIHandler

pytestmark = [pytest.mark.django_db(transaction=True)]


async def _get(app: ASGIHandler, path: str) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        message = await communicator.receive_output(10)
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


def test_middleware_chain_is_loaded_in_sync_mode():
    handler = SingleHopASGIHandler()

    assert not iscoroutinefunction(handler._middleware_chain)


async def test_a_page_is_served_with_every_middleware_applied(monkeypatch):
    calls: list[str] = []
    handler = SingleHopASGIHandler()
    chain = handler._middleware_chain

    def counting_chain(request):
        calls.append(request.path)
        return chain(request)

    monkeypatch.setattr(handler, "_middleware_chain", counting_chain)

    status, headers, body = await _get(handler, "/")

    assert status == 200
    assert b"<html" in body
    assert b"content-security-policy" in headers
    assert b"x-request-id" in headers
    assert calls == ["/"]
