"""The real server answers as a new user's browser would see it: pages, static files, API, websockets."""

import asyncio
import json
import urllib.request

import pytest

pytestmark = [pytest.mark.live]


def _get(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read(), response.headers.get("Content-Type", "")


def test_home_page_is_served_by_the_asgi_server(live_stack):
    status, body, content_type = _get(live_stack.url + "/")
    assert status == 200
    assert content_type.startswith("text/html")
    assert b"Socialshop" in body


def test_vendored_css_and_htmx_are_served_without_a_cdn(live_stack):
    status, body, _ = _get(live_stack.url + "/")
    assert b"/static/vendor/htmx/htmx.min.js" in body
    css_status, css, _ = _get(live_stack.url + "/static/vendor/pico/pico.min.css")
    assert css_status == 200
    assert len(css) > 10_000


def test_openapi_schema_is_served(live_stack):
    status, body, _ = _get(live_stack.url + "/api/schema/?format=json")
    assert status == 200
    assert json.loads(body)["info"]["title"] == "Socialshop API"


def test_websocket_from_a_foreign_origin_is_refused(live_stack):
    import websockets
    import websockets.exceptions
    from websockets.typing import Origin

    async def attempt() -> None:
        async with websockets.connect(
            live_stack.ws_url + "/ws/notifications/", origin=Origin("http://evil.example")
        ) as socket:
            await socket.recv()

    with pytest.raises(websockets.exceptions.InvalidStatus):
        asyncio.run(attempt())


@pytest.mark.browser
def test_home_page_renders_in_chromium_on_a_phone_screen(live_stack, browser):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(live_stack.url + "/")
    assert page.title().endswith("Socialshop")
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
