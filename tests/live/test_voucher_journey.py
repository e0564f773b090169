"""Sales and vouchers in real Chromium against the real ASGI server: a sale's badge and struck-through price on
the product page, a refused code answered in place (htmx), an accepted code lowering the cart and checkout,
and the order placed with it, its discount on the order page and on the printable invoice."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]


@pytest.fixture
def sale_product_url(live_stack) -> str:
    """A product in the demo sale's category, and an empty cart without a code for the demo shopper."""
    out = live_stack.shell(
        "from shop.models import CartItem, CartVoucher, Product, Promotion\n"
        "CartItem.objects.filter(cart__user__username='shopper').delete()\n"
        "CartVoucher.objects.filter(cart__user__username='shopper').delete()\n"
        "root = Promotion.objects.get().categories.get()\n"
        "p = Product.objects.filter(category__parent=root, is_active=True, stock__gte=5)"
        ".order_by('id').first()\n"
        "print(p.get_absolute_url())"
    )
    return out.strip().splitlines()[-1]


def test_sale_badge_voucher_in_the_cart_and_the_discount_on_order_and_invoice(
    live_stack, page, sale_product_url
):
    login(page, live_stack.url, "shopper")
    page.goto(live_stack.url + sale_product_url)
    expect(page.locator("#sale-badge")).to_have_text("-20%")
    expect(page.locator(".product-info del.price-was")).to_be_visible()
    page.click("form.add-to-cart button[type=submit]")
    page.wait_for_selector("#cart-feedback .cart-added")

    page.goto(live_stack.url + reverse("shop:cart"))
    page.fill("#voucher-code-cart", "lastwinter")
    page.click(".voucher-form button[type=submit]")
    expect(page.locator("#main .message-error[role=alert]").first).to_contain_text(
        "This code expired on"
    )

    page.fill("#voucher-code-cart", "welcome10")
    page.click(".voucher-form button[type=submit]")
    expect(page.locator("#cart-discount")).to_contain_text("−")
    expect(page.locator(".voucher-code")).to_have_text("WELCOME10")

    page.click("#checkout-button")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#checkout-discount")).to_contain_text("−")
    page.check("input[name=address_id][value=new]")
    page.evaluate("document.getElementById('new-address').open = true")
    page.fill("input[name=full_name]", "Demo Shopper")
    page.fill("input[name=line1]", "Teststraße 5")
    page.fill("input[name=city]", "Berlin")
    page.fill("input[name=postal_code]", "10115")
    page.fill("input[name=country]", "DE")
    page.uncheck("input[name=save_address]")
    page.check("input[name=payment_provider][value=test_card]")
    page.fill("input[name=card_number]", "4242 4242 4242 4242")
    page.click("#place-order")
    page.wait_for_load_state("networkidle")

    assert re.search(r"/orders/[A-Z0-9]+/$", page.url), page.url
    discount = page.locator("#order-discount").inner_text()
    assert discount.startswith("−")
    page.click("#invoice-link")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#invoice-discount")).to_have_text(discount)
    expect(page.locator("#invoice-number")).to_contain_text("INV-")
