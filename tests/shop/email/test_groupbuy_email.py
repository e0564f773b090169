"""Group-buy mails (social's kinds of the shop's email): formed and expired, one per member, in each member's
language, off for members who turned non-essential mail off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shop.models import EmailLog
from social.models import GroupBuy, Profile
from social.services import group_buy_expire, group_buy_join
from tests.factories import UserFactory
from tests.factories.community import APPROVE_CARD, address, group_product, make_group

pytestmark = pytest.mark.django_db

SITE = "https://shop.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def join(group, user):
    return group_buy_join(
        group_id=group.id,
        user=user,
        address=address(),
        payment_provider="test_card",
        card_number=APPROVE_CARD,
    )


def test_a_formed_group_mails_every_member_with_their_order(django_capture_on_commit_callbacks):
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben", language="zh-hans")
    group = make_group(creator=ana, product=group_product(group_price="12.50"), target_size=2)
    with django_capture_on_commit_callbacks(execute=True):
        join(group, ben)

    formed = {m.to[0]: m for m in mail.outbox if "group" in m.subject or "拼团" in m.subject}
    assert set(formed) == {"ana@example.com", "ben@example.com"}
    english, chinese = formed["ana@example.com"], formed["ben@example.com"]
    product = group.product.name
    assert english.subject == f"Your group for {product} is complete"
    assert chinese.subject == f"您的 {product} 拼团已成团"
    group_path = reverse("social:groupbuy_detail", kwargs={"pk": group.id})
    assert f"See the group: {SITE}{group_path}" in english.body
    order_number = ana.orders.get().number
    assert f"{SITE}/orders/{order_number}/" in english.alternatives[0][0]
    # Each member also gets the (essential) order mail.
    assert sum("is placed" in m.subject for m in mail.outbox) == 1
    assert sum("已提交" in m.subject for m in mail.outbox) == 1


def test_an_expired_group_mails_its_members_unless_they_turned_it_off(
    django_capture_on_commit_callbacks,
):
    ana, ben = UserFactory(username="ana"), UserFactory(username="ben")
    group = make_group(creator=ana, target_size=3)
    join(group, ben)
    Profile.objects.update_or_create(user=ben, defaults={"email_optional": False})
    GroupBuy.objects.filter(id=group.id).update(deadline=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert group_buy_expire(group_id=group.id)

    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ana@example.com"], f"Your group for {group.product.name} did not fill")
    ]
    assert "Nobody was charged" in mail.outbox[0].body
    assert f"{SITE}{reverse('social:privacy')}" in mail.outbox[0].body  # where to turn these off
    statuses = dict(EmailLog.objects.values_list("recipient__username", "status"))
    assert statuses == {"ana": "sent", "ben": "skipped"}
