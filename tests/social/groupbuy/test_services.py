"""Group buying services and tasks: open, join, fill, leave, expire, bad input."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shop.models import Order, Product
from shop.services import TestCardProvider
from social.models import GroupBuy, GroupBuyMember, Notification, Profile
from social.services import (
    GroupBuyError,
    ShippingAddress,
    group_buy_join,
    group_buy_leave,
    group_buy_open,
)
from social.tasks import BEAT_SCHEDULE, group_buy_expire_task, group_buys_sweep_task
from tests.factories import ProductFactory, UserFactory
from tests.factories.community import (
    APPROVE_CARD,
    DECLINE_CARD,
    address,
    group_product,
    make_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def voids(monkeypatch):
    voided: list[str] = []
    monkeypatch.setattr(TestCardProvider, "void", lambda self, reference: voided.append(reference))
    return voided


def join(group, user=None, **kwargs):
    return group_buy_join(
        group_id=group.id,
        user=user or UserFactory(),
        address=address(),
        payment_provider=kwargs.pop("payment_provider", "test_card"),
        card_number=kwargs.pop("card_number", APPROVE_CARD),
        **kwargs,
    )


def stock_of(product) -> int:
    return Product.objects.get(id=product.id).stock


def test_open_snapshots_group_price_and_commits_creator():
    product = group_product(stock=10, group_price="15.00")
    creator = UserFactory()
    group = make_group(creator=creator, product=product, target_size=3)
    Product.objects.filter(id=product.id).update(group_price=Decimal("9.00"))
    group.refresh_from_db()
    assert (group.group_price, group.member_count, group.status) == (Decimal("15.00"), 1, "open")
    assert GroupBuyMember.objects.get(group=group).user == creator
    assert stock_of(product) == 9


def test_join_reserves_stock_and_places_no_order():
    product = group_product(stock=10)
    group = make_group(product=product)
    member = join(group, quantity=2)
    group.refresh_from_db()
    assert (group.member_count, member.status, member.order_id) == (2, "active", None)
    assert stock_of(product) == 7
    assert Order.objects.count() == 0


def test_join_notifies_other_members_of_progress():
    creator = UserFactory(username="ana")
    group = make_group(creator=creator)
    join(group, UserFactory(username="ben"))
    note = Notification.objects.get(recipient=creator)
    assert (note.kind, note.message) == (
        "group_buy",
        f"ben joined the group for {group.product.name}: 2 of 3.",
    )


def test_filling_group_places_all_orders_at_group_price(django_capture_on_commit_callbacks):
    product = group_product(stock=10, group_price="12.50")
    group = make_group(product=product, target_size=3)
    join(group)
    with django_capture_on_commit_callbacks(execute=True):
        join(group)
    group.refresh_from_db()
    assert group.status == "completed"
    orders = Order.objects.filter(idempotency_key__startswith=f"groupbuy-{group.id}-")
    assert sorted((o.status, o.total) for o in orders) == [("paid", Decimal("12.50"))] * 3
    assert set(GroupBuyMember.objects.values_list("status", flat=True)) == {"ordered"}
    assert stock_of(product) == 7


def test_filling_group_tells_every_member(django_capture_on_commit_callbacks):
    group = make_group(target_size=2)
    with django_capture_on_commit_callbacks(execute=True):
        join(group)
    messages = Notification.objects.filter(message__contains="is complete").count()
    assert messages == 2


def test_completion_is_idempotent(django_capture_on_commit_callbacks):
    from social.services import group_buy_complete

    group = make_group(target_size=2)
    with django_capture_on_commit_callbacks(execute=True):
        join(group)
    group_buy_complete(group_id=group.id)
    assert Order.objects.count() == 2


def test_sweep_places_orders_of_a_full_group_left_behind():
    group = make_group(target_size=2)
    join(group)  # the on-commit completion never ran (no commit in this test)
    assert GroupBuy.objects.get(id=group.id).status == "full"
    assert group_buys_sweep_task() == {"expired": 0, "completed": 1}
    assert Order.objects.count() == 2


def test_expiry_voids_restores_stock_and_tells_everyone(voids, django_capture_on_commit_callbacks):
    product = group_product(stock=10)
    group = make_group(product=product, target_size=3)
    second = join(group)
    GroupBuy.objects.filter(id=group.id).update(deadline=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert group_buy_expire_task(group.id) is True
    group.refresh_from_db()
    assert group.status == "expired"
    assert stock_of(product) == 10
    assert Order.objects.count() == 0
    assert len(voids) == 2
    assert second.payment_reference in voids
    assert Notification.objects.filter(message__contains="Nobody was charged").count() == 2


def test_expiry_task_is_idempotent():
    product = group_product(stock=10)
    group = make_group(product=product)
    GroupBuy.objects.filter(id=group.id).update(deadline=timezone.now() - timedelta(minutes=1))
    assert group_buy_expire_task(group.id) is True
    assert group_buy_expire_task(group.id) is False
    assert stock_of(product) == 10


def test_sweep_expires_only_groups_past_deadline():
    late = make_group()
    running = make_group()
    GroupBuy.objects.filter(id=late.id).update(deadline=timezone.now() - timedelta(seconds=1))
    assert group_buys_sweep_task() == {"expired": 1, "completed": 0}
    assert GroupBuy.objects.get(id=running.id).status == "open"


def test_sweep_runs_every_minute_in_beat_schedule():
    entry = BEAT_SCHEDULE["social-group-buys-sweep"]
    assert (entry["task"], entry["schedule"]) == ("social.tasks.group_buys_sweep_task", 60.0)


def test_leave_releases_seat_and_stock_and_voids(voids, django_capture_on_commit_callbacks):
    product = group_product(stock=10)
    group = make_group(product=product)
    user = UserFactory()
    member = join(group, user, quantity=3)
    with django_capture_on_commit_callbacks(execute=True):
        group_buy_leave(group_id=group.id, user=user)
    group.refresh_from_db()
    assert (group.member_count, stock_of(product)) == (1, 9)
    assert GroupBuyMember.objects.get(id=member.id).status == "left"
    assert voids == [member.payment_reference]


def test_member_who_left_may_join_again():
    group = make_group()
    user = UserFactory()
    join(group, user)
    group_buy_leave(group_id=group.id, user=user)
    join(group, user)
    assert GroupBuy.objects.get(id=group.id).member_count == 2


def test_leave_a_full_group_is_refused():
    group = make_group(target_size=2)
    user = UserFactory()
    join(group, user)
    with pytest.raises(GroupBuyError, match="no longer open"):
        group_buy_leave(group_id=group.id, user=user)


def test_open_notifies_followers_when_asked(django_capture_on_commit_callbacks):
    from social.models import Follow

    creator = UserFactory(username="host")
    fans = [UserFactory() for _ in range(2)]
    for fan in fans:
        Follow.objects.create(follower=fan, followee=creator)
    with django_capture_on_commit_callbacks(execute=True):
        group = make_group(creator=creator, notify_followers=True)
    invites = Notification.objects.filter(kind="group_buy", url=group.get_absolute_url())
    assert sorted(invites.values_list("recipient_id", flat=True)) == sorted(f.id for f in fans)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_size": 1}, "target_size", "between 2 and 10"),
        ({"target_size": 0}, "target_size", "between 2 and 10"),
        ({"target_size": 1000}, "target_size", "between 2 and 10"),
        ({"deadline": -1}, "deadline", "in the past"),
        ({"deadline": 0.5}, "deadline", "between 1 hour and 7 days"),
        ({"deadline": 24 * 8}, "deadline", "between 1 hour and 7 days"),
        ({"quantity": 0}, "quantity", "between 1 and 5"),
        ({"payment_provider": "bitcoin"}, "payment_provider", "Choose a payment method"),
        ({"card_number": ""}, "card_number", "Enter your card number"),
        ({"card_number": DECLINE_CARD}, "card_number", "declined"),
    ],
)
def test_open_rejects_bad_input(changes, field, message):
    product = group_product(stock=10)
    arguments = {
        "creator": UserFactory(),
        "product": product,
        "target_size": 3,
        "deadline": timezone.now() + timedelta(hours=24),
        "address": address(),
        "payment_provider": "test_card",
        "card_number": APPROVE_CARD,
    }
    if "deadline" in changes:
        changes = {**changes, "deadline": timezone.now() + timedelta(hours=changes["deadline"])}
    arguments.update(changes)
    with pytest.raises(GroupBuyError, match=message) as caught:
        group_buy_open(**arguments)
    assert caught.value.field == field
    assert GroupBuy.objects.count() == 0
    assert stock_of(product) == 10


def test_open_rejects_product_without_group_price():
    with pytest.raises(GroupBuyError, match="no group price"):
        make_group(product=ProductFactory(group_price=None))


def test_open_rejects_incomplete_address():
    with pytest.raises(GroupBuyError, match="delivery address") as caught:
        group_buy_open(
            creator=UserFactory(),
            product=group_product(),
            target_size=3,
            deadline=timezone.now() + timedelta(hours=3),
            address=ShippingAddress(
                full_name="", line1="x", city="y", postal_code="1", country="DE"
            ),
            payment_provider="cod",
        )
    assert caught.value.field == "full_name"


def test_joining_twice_is_refused():
    group = make_group()
    user = UserFactory()
    join(group, user)
    with pytest.raises(GroupBuyError, match="already joined"):
        join(group, user)
    assert GroupBuy.objects.get(id=group.id).member_count == 2


def test_joining_a_full_group_is_refused_and_voided(voids):
    product = group_product(stock=10)
    group = make_group(product=product, target_size=2)
    join(group)
    with pytest.raises(GroupBuyError, match="already full") as caught:
        join(group)
    assert caught.value.code == "full"
    assert stock_of(product) == 8
    assert voids == []  # refused before any authorisation


def test_joining_an_expired_group_is_refused():
    group = make_group()
    GroupBuy.objects.filter(id=group.id).update(deadline=timezone.now() - timedelta(seconds=1))
    with pytest.raises(GroupBuyError, match="expired") as caught:
        join(group)
    assert caught.value.code == "expired"


def test_join_without_stock_releases_seat_and_voids_authorisation(voids):
    product = group_product(stock=1)
    group = make_group(product=product)
    with pytest.raises(GroupBuyError, match="out of stock"):
        join(group)
    assert GroupBuy.objects.get(id=group.id).member_count == 1
    assert len(voids) == 1


def test_declined_card_leaves_group_unchanged():
    product = group_product(stock=10)
    group = make_group(product=product)
    with pytest.raises(GroupBuyError, match="declined"):
        join(group, card_number=DECLINE_CARD)
    assert (GroupBuy.objects.get(id=group.id).member_count, stock_of(product)) == (1, 9)


def test_suspended_user_cannot_join():
    group = make_group()
    user = UserFactory()
    Profile.objects.create(user=user, suspended_until=timezone.now() + timedelta(days=1))
    with pytest.raises(GroupBuyError, match="suspended"):
        join(group, user)


def test_release_user_gives_back_seats_before_account_deletion(
    voids, django_capture_on_commit_callbacks
):
    from social.services import group_buy_release_user

    product = group_product(stock=10)
    host = UserFactory()
    group = make_group(creator=host, product=product)
    join(group)
    with django_capture_on_commit_callbacks(execute=True):
        assert group_buy_release_user(user=host) == 1
    host.delete()
    group.refresh_from_db()
    assert (group.creator, group.member_count, group.status) == (None, 1, "open")
    assert stock_of(product) == 9
    assert len(voids) == 1


def test_account_deletion_gives_back_the_users_group_buy_seat(django_capture_on_commit_callbacks):
    from social.services import account_delete

    product = group_product(stock=10)
    group = make_group(product=product)
    member = UserFactory()
    join(group, member)
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=member)
    group.refresh_from_db()
    assert (group.member_count, stock_of(product)) == (1, 9)
