"""The edge cache in front of the real ASGI server, in real Chromium: an anonymous visitor gets cached catalogue
pages whose forms still work (the CSRF token is the visitor's own), and a logged-in shopper never gets them."""

from __future__ import annotations

import pytest

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]


def test_anonymous_visitor_gets_cached_pages_whose_forms_work(live_stack, page):
    url = live_stack.url + "/products/?sort=price_desc&page=2"
    first = page.goto(url)
    assert first.status == 200
    second = page.goto(url)
    assert second.headers.get("x-cache") == "HIT"
    # The footer's language form posts with the token the edge put into the cached page.
    page.select_option("#language-select", "zh-hans")
    page.click("form.language-switcher button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "/products/" in page.url


def test_logged_in_shopper_is_never_served_from_the_edge(live_stack, page):
    url = live_stack.url + "/products/?sort=newest"
    page.goto(url)
    page.goto(url)
    login(page, live_stack.url, "shopper")
    response = page.goto(url)
    assert response.status == 200
    assert response.headers.get("x-cache") is None
    assert page.locator("nav").get_by_text("shopper").count() >= 1
