"""The app refuses an oversized request body with 413 and a message, as the proxy does, before reading it."""

import json

import pytest

from common.body_limit import BodyLimit

LIMIT = 1024


class App:
    """Reads the whole body, as Django's ASGI handler does, then answers 200 (or nothing on a disconnect)."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""

    async def __call__(self, scope, receive, send) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _call(app, *, path: str, chunks: list[bytes], length: int | None, accept: str = ""):
    headers = [(b"accept", accept.encode())]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {"type": "http", "method": "POST", "path": path, "headers": headers}
    pending = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: list[dict] = []

    async def receive() -> dict:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    await BodyLimit(app, limit=LIMIT)(scope, receive, send)
    return (
        sent[0]["status"],
        dict(sent[0]["headers"]),
        b"".join(m.get("body", b"") for m in sent[1:]),
    )


async def test_a_declared_length_over_the_limit_is_413_with_a_message_and_never_reaches_the_app():
    app = App()

    status, headers, body = await _call(
        app, path="/api/v1/social/posts/", chunks=[b"x" * 2048], length=2048
    )

    assert status == 413
    assert json.loads(body) == {"detail": "The upload is too large: at most 1.0\xa0KB per request."}
    assert headers[b"connection"] == b"close"
    assert app.called is False


async def test_a_chunked_body_is_cut_off_once_it_passes_the_limit():
    app = App()

    status, _, body = await _call(app, path="/account/", chunks=[b"x" * 600] * 3, length=None)

    assert status == 413
    assert body.decode() == "The upload is too large: at most 1.0\xa0KB per request."
    assert len(app.body) <= LIMIT


@pytest.mark.parametrize("length", [None, LIMIT])
async def test_a_body_within_the_limit_reaches_the_app(length):
    app = App()

    status, _, body = await _call(app, path="/api/v1/x/", chunks=[b"x" * LIMIT], length=length)

    assert (status, body) == (200, b"ok")
    assert app.body == b"x" * LIMIT


def test_the_limit_comes_from_settings_and_matches_the_proxy_default(settings):
    from common.body_limit import body_limit_from_settings

    assert settings.MAX_REQUEST_BODY_BYTES == 12 * 1024 * 1024
    assert body_limit_from_settings(App()).limit == 12 * 1024 * 1024
