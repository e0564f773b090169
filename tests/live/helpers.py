"""Small steps shared by the browser journeys."""

from __future__ import annotations

DEMO_PASSWORDS = {
    "shopper": "socialshop-shopper",
    "moderator": "socialshop-moderator",
    "admin": "socialshop-admin",
}


def login(page, base_url: str, username: str, password: str | None = None) -> None:
    """Log in through the real login form, as a person would."""
    from django.urls import reverse

    page.goto(base_url + reverse("shop:login"))
    page.fill("input[name=username]", username)
    page.fill(
        "input[name=password]", password or DEMO_PASSWORDS.get(username, "socialshop-shopper")
    )
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    if "/login" in page.url:
        raise AssertionError(f"login failed for {username}: {page.url}")
