"""The shoppers' Help bubble on a phone (issue 16): at 390 and 320 px it floats above the bottom tab bar and the
product page's sticky add-to-cart bar, and once a page is scrolled to its end no link, button or field lies
under it (the page's bottom room lets the last item clear it)."""

from __future__ import annotations

import pytest

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]

_GEOMETRY = """() => {
  const box = (el) => (el ? el.getBoundingClientRect() : null);
  const bubble = box(document.querySelector('#support-launcher button'));
  const tabbar = box(document.querySelector('.tabbar'));
  const buyBar = box(document.querySelector('.buy-bar'));
  const under = [];
  for (const el of document.querySelectorAll('main a, main button, main input, main select, footer a, footer button, footer select')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.right > bubble.left && r.left < bubble.right && r.bottom > bubble.top && r.top < bubble.bottom) {
      under.push((el.textContent || el.name || el.tagName).trim().slice(0, 40));
    }
  }
  return {
    bubbleBottom: bubble.bottom,
    tabbarTop: tabbar ? tabbar.top : null,
    buyBarTop: buyBar && buyBar.height ? buyBar.top : null,
    under,
  };
}"""


@pytest.mark.parametrize(("width", "height"), [(390, 844), (320, 640)])
def test_the_help_bubble_covers_no_control_on_a_phone(live_stack, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(20_000)
    page = context.new_page()
    login(page, live_stack.url, "shopper")
    page.goto(live_stack.url + "/products/?in_stock=1")
    product = page.locator("a.product-card-link").first.get_attribute("href")
    problems: list[str] = []
    for path in ["/", "/products/", product, "/cart/", "/social/", "/orders/"]:
        page.goto(live_stack.url + path)
        page.wait_for_load_state("networkidle")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(300)
        found = page.evaluate(_GEOMETRY)
        if found["tabbarTop"] is None or found["bubbleBottom"] > found["tabbarTop"]:
            problems.append(f"{path}: the bubble is not above the tab bar")
        if found["buyBarTop"] is not None and found["bubbleBottom"] > found["buyBarTop"]:
            problems.append(f"{path}: the bubble covers the add-to-cart bar")
        problems += [f"{path}: under the bubble: {name}" for name in found["under"]]
    context.close()
    assert problems == []
