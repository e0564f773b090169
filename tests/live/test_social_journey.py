"""The social journey in real Chromium against the real ASGI server: shopper A follows B; B posts with a
tagged product; A's open feed shows a "new posts" badge, then the post; A likes and comments; B's notification
badge counts each of these live over the websocket, without B's page reloading."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]

PASSWORD = "journey-password-1"


def _last_line(live_stack, code: str) -> str:
    return live_stack.shell(code).strip().splitlines()[-1]


@pytest.fixture
def journey(live_stack) -> dict:
    """Two fresh shoppers (so reruns start clean) and an in-stock product to tag."""
    product = _last_line(
        live_stack,
        "from shop.models import Product, User\n"
        "from social.models import Profile\n"
        "for name in ('journey_a', 'journey_b'):\n"
        "    User.objects.filter(username=name).delete()\n"
        f"    user = User.objects.create_user(name, name + '@example.com', {PASSWORD!r})\n"
        "    Profile.objects.get_or_create(user=user)\n"
        "p = Product.objects.filter(is_active=True, stock__gt=0).order_by('id').first()\n"
        "print(f'{p.pk}|{p.name}')",
    )
    product_id, product_name = product.split("|", 1)
    return {"product_id": int(product_id), "product_name": product_name}


def _badge(page) -> str:
    return page.locator("[data-notification-badge]").first.get_attribute("data-count")


def _wait_badge(page, value: int) -> None:
    # A locator wait, not wait_for_function: Playwright polls a function string with eval (CSP forbids it).
    expect(page.locator("[data-notification-badge]").first).to_have_attribute(
        "data-count", str(value), timeout=15_000
    )


def test_follow_post_like_comment_updates_badge_live(live_stack, browser, journey):
    context_a = browser.new_context(viewport={"width": 375, "height": 800})
    context_b = browser.new_context(viewport={"width": 1280, "height": 900})
    context_a.set_default_timeout(15_000)
    context_b.set_default_timeout(15_000)
    page_a, page_b = context_a.new_page(), context_b.new_page()
    try:
        login(page_b, live_stack.url, "journey_b", PASSWORD)
        login(page_a, live_stack.url, "journey_a", PASSWORD)

        # B waits on a page; a marker on window proves the page is never reloaded.
        page_b.goto(live_stack.url + "/social/people/journey_b/")
        page_b.wait_for_load_state("networkidle")
        page_b.evaluate("window.__journeyMarker = 'still-here'")
        assert _badge(page_b) == "0"

        # A follows B (htmx button swap).
        page_a.goto(live_stack.url + "/social/people/journey_b/")
        page_a.click("button.follow-button")
        page_a.wait_for_selector("button.follow-button:has-text('Unfollow')")
        _wait_badge(page_b, 1)

        # A reads the feed while B posts: the "new posts" badge arrives over the socket.
        page_a.goto(live_stack.url + "/social/")
        page_a.wait_for_load_state("networkidle")
        assert page_a.locator("[data-new-posts]").is_hidden()

        post_page = context_b.new_page()
        post_page.goto(f"{live_stack.url}/social/posts/new/?product={journey['product_id']}")
        post_page.fill("textarea[name=body]", "Loving this one #journey")
        assert post_page.locator(
            f"input[name=products][value='{journey['product_id']}']"
        ).is_checked()
        post_page.click("#post-form button[type=submit]")
        post_page.wait_for_url("**/social/posts/*/")
        post_page.close()

        page_a.wait_for_selector("[data-new-posts]:not([hidden])")
        assert page_a.locator("[data-new-posts-count]").inner_text() == "1"
        page_a.click("[data-new-posts] a")
        page_a.wait_for_load_state("networkidle")
        card = page_a.locator("article.post-card", has_text="Loving this one").first
        assert journey["product_name"] in card.inner_text()
        assert card.locator("form button.add-to-cart").count() == 1

        # A likes (htmx) and comments.
        card.locator("button.like-button").click()
        page_a.wait_for_selector("article.post-card button.like-button[aria-pressed=true]")
        assert "1 like" in page_a.locator("article.post-card").first.inner_text()
        _wait_badge(page_b, 2)

        card.locator("a[href$='#comments']").click()
        page_a.wait_for_load_state("networkidle")
        page_a.fill("#comment-form textarea[name=body]", "Where did you find it?")
        page_a.click("#comment-form button[type=submit]")
        page_a.wait_for_selector("article.comment:has-text('Where did you find it?')")
        _wait_badge(page_b, 3)

        assert page_b.evaluate("window.__journeyMarker") == "still-here"
        assert page_b.locator("[data-notification-badge]").first.inner_text() == "3"
    finally:
        context_a.close()
        context_b.close()
