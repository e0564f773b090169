"""Explore and the post viewer in a real browser: the masonry's columns on a phone and a desktop, and moving
through a post's photos with the buttons and the arrow keys."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]


@pytest.mark.parametrize(("width", "columns"), [(390, 2), (1366, 5)])
def test_explore_is_a_masonry_of_photos(live_stack, browser, width, columns):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    login(page, live_stack.url, "shopper")
    page.goto(live_stack.url + "/social/explore/")
    grid = page.locator(".masonry").first
    assert grid.evaluate("element => getComputedStyle(element).columnCount") == str(columns)
    assert page.locator("li.tile img.tile-photo").count() >= 10
    assert page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )
    context.close()


def test_post_viewer_moves_through_photos_and_shows_tags(live_stack, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_stack.url + "/social/explore/")
    page.locator("li.tile:has(.tile-many) a.tile-link").first.click()
    page.wait_for_load_state("networkidle")
    counter = page.locator("[data-photo-counter]").first
    assert counter.text_content().startswith("1 / ")
    page.locator("[data-photo-next]").first.click()
    expect(counter).to_have_text(re.compile(r"^2 / "))
    page.locator(".photo-track").first.focus()
    page.keyboard.press("ArrowLeft")
    expect(counter).to_have_text(re.compile(r"^1 / "))
    # The flat lay's tags are dots on the photo, placed by the script (left/top from data-x/data-y).
    tag = page.locator(".photo-tag.is-placed").first
    assert tag.evaluate("element => element.style.left.endsWith('%')")
    context.close()
