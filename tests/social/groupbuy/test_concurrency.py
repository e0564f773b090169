"""Concurrent joins on PostgreSQL: never more members than the target size, never more units than in stock."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from shop.models import Product, ProductVariant
from social.models import GroupBuy, GroupBuyMember
from social.services import GroupBuyError, group_buy_join
from tests.factories import UserFactory
from tests.factories.community import APPROVE_CARD, address, group_product, make_group
from tests.factories.variants import variant_product
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def join_all_at_once(group_id: int, users) -> list[str]:
    """Start every join together (a barrier), each in its own thread and database connection."""
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(user) -> None:
        try:
            barrier.wait()
            group_buy_join(
                group_id=group_id,
                user=user,
                address=address(),
                payment_provider="test_card",
                card_number=APPROVE_CARD,
            )
            outcome = "joined"
        except GroupBuyError as exc:
            outcome = exc.code
        except Exception as exc:  # noqa: BLE001 - reported in the assertion instead of lost in the thread
            outcome = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_concurrent_joins_never_overfill_a_group():
    group = make_group(product=group_product(stock=100), target_size=5)
    users = [UserFactory() for _ in range(12)]
    outcomes = join_all_at_once(group.id, users)
    group.refresh_from_db()
    assert outcomes.count("joined") == 4
    assert group.member_count == 5
    assert GroupBuyMember.objects.filter(group=group, status__in=["active", "ordered"]).count() == 5
    assert Product.objects.get(id=group.product_id).stock == 95


def test_concurrent_joins_never_oversell_stock():
    product = group_product(stock=3)
    group = make_group(product=product, target_size=10)
    users = [UserFactory() for _ in range(8)]
    outcomes = join_all_at_once(group.id, users)
    group.refresh_from_db()
    assert outcomes.count("joined") == 2
    assert outcomes.count("out_of_stock") == 6
    assert Product.objects.get(id=product.id).stock == 0
    assert group.member_count == 3 == GroupBuyMember.objects.filter(group=group).count()


def test_concurrent_joins_on_many_groups_share_stock_safely():
    product = group_product(stock=4)
    groups = [make_group(product=product, target_size=4) for _ in range(2)]  # 2 units taken
    users = [UserFactory() for _ in range(6)]
    results: list[list[str]] = []

    def run_group(group: GroupBuy, members) -> None:
        results.append(join_all_at_once(group.id, members))
        connection.close()

    threads = [
        threading.Thread(target=run_group, args=(groups[0], users[:3])),
        threading.Thread(target=run_group, args=(groups[1], users[3:])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    joined = sum(outcome.count("joined") for outcome in results)
    assert joined == 2
    assert Product.objects.get(id=product.id).stock == 0


def test_concurrent_joins_never_oversell_the_chosen_variant():
    """Per variant: 8 shoppers race for "M" (3 units, the host holds one) while "S" has plenty; exactly 2
    get in, the rest are told M is out of stock, and S is untouched."""
    product, variants = variant_product(
        sizes=("S", "M"),
        stock={"S / Navy": 50, "M / Navy": 3},
        price=Decimal("19.90"),
        group_price=Decimal("15.00"),
    )
    small, medium = variants["S / Navy"], variants["M / Navy"]
    group = make_group(product=product, target_size=10, variant_id=medium.id)
    users = [UserFactory() for _ in range(8)]

    def join_medium(index: int) -> int:
        return group_buy_join(
            group_id=group.id,
            user=users[index],
            address=address(),
            payment_provider="test_card",
            card_number=APPROVE_CARD,
            variant_id=medium.id,
        ).id

    outcomes = [code for code, _detail in race(8, join_medium)]
    group.refresh_from_db()
    assert sorted(outcomes) == ["ok"] * 2 + ["out_of_stock"] * 6
    assert ProductVariant.objects.get(id=medium.id).stock == 0
    assert ProductVariant.objects.get(id=small.id).stock == 50
    assert Product.objects.get(id=product.id).stock == 50
    assert group.member_count == 3
    assert set(GroupBuyMember.objects.filter(group=group).values_list("variant_id", flat=True)) == {
        medium.id
    }
