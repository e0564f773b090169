"""Group buying on real parts: a shopper fills the demo group from the browser and a real Celery worker places
every order; the beat sweep, run by the worker, expires a group whose deadline passed and gives the stock back."""

from __future__ import annotations

import json
import time

import pytest

from tests.live.helpers import login

pytestmark = [pytest.mark.live, pytest.mark.redis, pytest.mark.browser]


def _shell_json(live_stack, code: str) -> dict:
    return json.loads(live_stack.shell(code).strip().splitlines()[-1])


def _wait_for(live_stack, code: str, expected, timeout: float = 45.0):
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = _shell_json(live_stack, code)
        if value == expected:
            return value
        time.sleep(1.0)
    return value


def test_last_joiner_in_the_browser_fills_the_group_and_the_worker_places_orders(
    live_stack, celery_worker, page
):
    group = _shell_json(
        live_stack,
        "import json\n"
        "from social.models import GroupBuy, GroupBuyMember\n"
        "from django.contrib.auth import get_user_model\n"
        "g = GroupBuy.objects.filter(status='open').order_by('id').first()\n"
        "GroupBuy.objects.filter(id=g.id).update(target_size=g.member_count + 1)\n"
        "inside = GroupBuyMember.objects.filter(group=g).values_list('user_id', flat=True)\n"
        "u = get_user_model().objects.filter(is_staff=False).exclude(id__in=inside)"
        ".exclude(username='shopper').order_by('id').first()\n"
        "print(json.dumps({'id': g.id, 'members': g.member_count, 'username': u.username}))\n",
    )
    login(page, live_stack.url, group["username"])
    page.goto(f"{live_stack.url}/social/shop-together/{group['id']}/")
    page.fill("input[name=full_name]", "Live Shopper")
    page.fill("input[name=line1]", "Teststr. 5")
    page.fill("input[name=city]", "Berlin")
    page.fill("input[name=postal_code]", "10115")
    page.fill("input[name=country]", "DE")
    page.check("input[name=payment_provider][value=test_card]")
    page.fill("input[name=card_number]", "4242 4242 4242 4242")
    page.click("button:has-text('Join and commit to buy')")
    page.wait_for_load_state("networkidle")

    state = _wait_for(
        live_stack,
        "import json\n"
        "from social.models import GroupBuy, GroupBuyMember\n"
        f"g = GroupBuy.objects.get(id={group['id']})\n"
        "ordered = GroupBuyMember.objects.filter(group=g, status='ordered', order__status='paid').count()\n"
        "print(json.dumps({'status': g.status, 'ordered': ordered}))\n",
        {"status": "completed", "ordered": group["members"] + 1},
    )
    assert state == {"status": "completed", "ordered": group["members"] + 1}
    page.reload()
    assert page.locator("#groupbuy-progress").inner_text().count("@") == group["members"] + 1
    assert "every order was placed" in page.locator("#groupbuy-progress").inner_text()


def test_beat_sweep_on_the_worker_expires_a_late_group(live_stack, celery_worker):
    before = _shell_json(
        live_stack,
        "import json\n"
        "from datetime import timedelta\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.utils import timezone\n"
        "from shop.models import Product\n"
        "from social.models import GroupBuy\n"
        "from social.services import ShippingAddress, group_buy_open\n"
        "p = Product.objects.filter(is_active=True, group_price__isnull=False, stock__gte=5).first()\n"
        "u = get_user_model().objects.filter(is_staff=False).order_by('-id').first()\n"
        "g = group_buy_open(creator=u, product=p, target_size=5, "
        "deadline=timezone.now() + timedelta(hours=2), payment_provider='cod', "
        "address=ShippingAddress(full_name='A', line1='B 1', city='C', postal_code='1', country='DE'))\n"
        "GroupBuy.objects.filter(id=g.id).update(deadline=timezone.now() - timedelta(seconds=1))\n"
        "stock = Product.objects.get(id=p.id).stock\n"
        "from social.tasks import group_buys_sweep_task\n"
        "group_buys_sweep_task.delay()\n"
        "print(json.dumps({'id': g.id, 'product': p.id, 'stock': stock}))\n",
    )
    state = _wait_for(
        live_stack,
        "import json\n"
        "from shop.models import Product\n"
        "from social.models import GroupBuy\n"
        f"print(json.dumps({{'status': GroupBuy.objects.get(id={before['id']}).status, "
        f"'stock': Product.objects.get(id={before['product']}).stock}}))\n",
        {"status": "expired", "stock": before["stock"] + 1},
    )
    assert state == {"status": "expired", "stock": before["stock"] + 1}
    assert "social.tasks.group_buys_sweep_task" in celery_worker.log()
