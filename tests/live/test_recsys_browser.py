"""A new shopper's first minute in a real browser: onboarding, then personal picks with reasons on the home page,
loaded by htmx, and a click that goes through the logging redirect to the product."""

from __future__ import annotations

import json

import pytest

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.browser]


def _impressions(live_stack) -> int:
    # Impressions are buffered in Redis and written by a beat task every few seconds; no beat runs here, so
    # flush the buffer first, as that task would.
    code = (
        "from recsys.services.clicks import impressions_flush\n"
        "impressions_flush()\n"
        "from recsys.models import Impression\n"
        "print(Impression.objects.filter(user__username='newbie', widget='for_you').count())\n"
    )
    return int(live_stack.shell(code).strip().splitlines()[-1])


def test_onboarding_then_home_shows_personal_picks_and_logs_the_click(live_stack, page):
    live_stack.shell(
        "from django.contrib.auth import get_user_model\n"
        "get_user_model().objects.filter(username='newbie').delete()\n"
        "get_user_model().objects.create_user('newbie', 'newbie@example.com', 'newbie-pass-123')\n"
    )
    login(page, live_stack.url, "newbie", "newbie-pass-123")

    page.goto(live_stack.url + "/recs/onboarding/")
    page.locator("input[name=categories]").first.check()
    people = page.locator("input[name=people]")
    for index in range(min(3, people.count())):
        people.nth(index).check()
    shown_before = _impressions(live_stack)
    page.get_by_role("button", name="Show me my picks").click()

    page.wait_for_url(live_stack.url + "/")
    for_you = page.locator("section.recsys-for_you")
    for_you.wait_for()
    reasons = for_you.locator(".reason").all_inner_texts()
    assert reasons
    assert all(reason.strip() for reason in reasons)
    first_card = for_you.locator(".recsys-card").first
    product_id = first_card.get_attribute("data-product-id")
    first_card.locator("a").first.click()
    page.wait_for_load_state("domcontentloaded")

    assert "/recs/click/" not in page.url
    logged = json.loads(
        live_stack.shell(
            "import json\n"
            "from recsys.models import Click\n"
            "click = Click.objects.filter(user__username='newbie').order_by('-pk').first()\n"
            "print(json.dumps({'product': click.product_id if click else None,"
            " 'widget': click.widget if click else ''}))\n"
        )
        .strip()
        .splitlines()[-1]
    )
    assert logged["product"] == int(product_id)
    assert logged["widget"] == "for_you"
    assert _impressions(live_stack) - shown_before == len(reasons)
