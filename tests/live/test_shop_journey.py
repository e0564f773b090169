"""A shopper's journey in real Chromium against the real ASGI server: search, product page, cart (htmx),
checkout with the test card, order history; and a declined card that leaves no order."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _shell_value(live_stack, code: str) -> str:
    return live_stack.shell(code).strip().splitlines()[-1]


@pytest.fixture
def in_stock_product(live_stack) -> str:
    """An in-stock product's name, and an empty cart for the demo shopper."""
    return _shell_value(
        live_stack,
        "from shop.models import CartItem, Product\n"
        "CartItem.objects.filter(cart__user__username='shopper').delete()\n"
        "p = Product.objects.filter(is_active=True, stock__gte=20).order_by('id').first()\n"
        "print(p.name)",
    )


def _order_count(live_stack) -> int:
    return int(
        _shell_value(
            live_stack,
            "from shop.models import Order\n"
            "print(Order.objects.filter(user__username='shopper').count())",
        )
    )


def _add_to_cart_via_search(page, base_url: str, name: str) -> None:
    page.goto(base_url + "/")
    page.fill("input[name=q]", name)
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state("networkidle")
    page.locator("a.product-card-link", has_text=name).first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text().strip() == name
    page.click("form.add-to-cart button[type=submit]")
    # htmx answers with a fragment and the badge refreshes itself on the cart-changed event.
    page.wait_for_selector("#cart-feedback .cart-added")
    # Locator waits, not wait_for_function: Playwright polls a function string with eval, which the CSP forbids.
    expect(page.locator("#cart-badge .badge")).not_to_have_attribute("data-count", "0")


def _checkout_with_card(page, base_url: str, card_number: str) -> None:
    page.goto(base_url + reverse("shop:cart"))
    page.click("#checkout-button")
    page.wait_for_load_state("networkidle")
    page.check("input[name=address_id][value=new]")
    page.evaluate("document.getElementById('new-address').open = true")
    page.fill("input[name=full_name]", "Demo Shopper")
    page.fill("input[name=line1]", "Teststraße 5")
    page.fill("input[name=city]", "Berlin")
    page.fill("input[name=postal_code]", "10115")
    page.fill("input[name=country]", "DE")
    page.uncheck("input[name=save_address]")
    page.check("input[name=payment_provider][value=test_card]")
    page.fill("input[name=card_number]", card_number)
    page.click("#place-order")
    page.wait_for_load_state("networkidle")


def test_search_add_to_cart_pay_with_the_test_card_and_see_the_order(
    live_stack, page, in_stock_product
):
    login(page, live_stack.url, "shopper")
    before = _order_count(live_stack)
    _add_to_cart_via_search(page, live_stack.url, in_stock_product)

    _checkout_with_card(page, live_stack.url, "4242 4242 4242 4242")

    match = re.search(r"/orders/([A-Z0-9]+)/$", page.url)
    assert match, page.url
    number = match.group(1)
    assert page.locator("#order-status").inner_text().strip().lower() == "paid"
    assert in_stock_product in page.content()
    page.goto(live_stack.url + reverse("shop:order_list"))
    assert page.locator("#order-history", has_text=number).count() == 1
    assert _order_count(live_stack) == before + 1


def test_a_declined_card_leaves_no_order(live_stack, page, in_stock_product):
    login(page, live_stack.url, "shopper")
    before = _order_count(live_stack)
    _add_to_cart_via_search(page, live_stack.url, in_stock_product)

    _checkout_with_card(page, live_stack.url, "4000 0000 0000 0002")

    assert page.url.endswith(reverse("shop:checkout"))
    assert "Your card was declined" in page.locator("#card-error").inner_text()
    assert _order_count(live_stack) == before
    page.goto(live_stack.url + reverse("shop:cart"))
    assert page.locator("#cart", has_text=in_stock_product).count() == 1


def test_cart_quantity_changes_and_bad_quantities_without_a_page_reload(
    live_stack, page, in_stock_product
):
    login(page, live_stack.url, "shopper")
    _add_to_cart_via_search(page, live_stack.url, in_stock_product)
    page.goto(live_stack.url + reverse("shop:cart"))
    page.evaluate("window.__sameDocument = true")
    before = page.locator("#cart-subtotal").inner_text()

    page.locator(".cart-qty-form input[name=quantity]").first.fill("2")
    page.locator(".cart-qty-form button").first.click()
    expect(page.locator("#cart-subtotal")).not_to_have_text(before)
    expect(page.locator("#cart-badge .badge")).to_have_attribute("data-count", "2")

    page.locator(".cart-qty-form input[name=quantity]").first.fill("0")
    # The browser's own min=1 check would stop the form; drop it to see the server's answer.
    page.evaluate(
        "document.querySelector('.cart-qty-form input[name=quantity]').removeAttribute('min')"
    )
    page.locator(".cart-qty-form button").first.click()
    alert = page.wait_for_selector("[role=alert].message-error")
    assert "at least 1" in alert.inner_text()

    page.locator(".cart-remove-form button").first.click()
    page.wait_for_selector("#cart >> text=Your cart is empty.")
    assert page.evaluate("window.__sameDocument") is True
