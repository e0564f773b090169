"""An open header menu must leave every target usable (issue 16): with the user menu or the staff menu open at
1366 and 1024 px, no visible category chip lies under the menu (the Staff menu used to cover two, leaving
slivers of them to tap) and axe-core finds no serious or critical violation, `target-size` included.
(Notifications is a link, not a menu.)"""

from __future__ import annotations

import pytest

from tests.live.helpers import login
from tests.live.test_accessibility_browser import AXE_OPTIONS

pytestmark = [pytest.mark.live, pytest.mark.browser]

# (who, the menu's <details>): the moderator is staff, so has both menus; the shopper has the user menu.
MENUS = [("shopper", ".nav-user"), ("moderator", ".nav-user"), ("moderator", ".nav-staff")]


# The visible category chips whose box intersects the open menu's box.
_CHIPS_UNDER_MENU = """(selector) => {
  const menu = document.querySelector(selector).getBoundingClientRect();
  return [...document.querySelectorAll('.category-nav a')].filter((chip) => {
    if (getComputedStyle(chip).visibility !== 'visible') return false;
    const box = chip.getBoundingClientRect();
    return box.right > menu.left && box.left < menu.right && box.bottom > menu.top && box.top < menu.bottom;
  }).map((chip) => chip.textContent.trim());
}"""


def _severe(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS).response
    return [
        f"{violation['id']} ({violation['impact']}): "
        + ", ".join(str(node["target"]) for node in violation["nodes"][:5])
        for violation in results["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]


@pytest.mark.parametrize(("username", "menu"), MENUS)
@pytest.mark.parametrize("width", [1366, 1024])
def test_an_open_header_menu_covers_no_target(live_stack, browser, username, menu, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    login(page, live_stack.url, username)
    page.goto(live_stack.url + "/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".category-nav a").count() > 0  # the strip the menu used to cover

    # At the summary's centre, as a person clicks (Playwright's own check sees Pico's <details> on top).
    summary = page.locator(f"{menu} > summary").bounding_box()
    assert summary is not None
    page.mouse.click(summary["x"] + summary["width"] / 2, summary["y"] + summary["height"] / 2)
    assert page.locator(f"{menu} ul a").first.is_visible()

    assert page.evaluate(_CHIPS_UNDER_MENU, f"{menu} > ul") == []
    assert _severe(page) == []
    context.close()
