"""Two parallel return requests for the last returnable unit, and two staff approving at once, on PostgreSQL:
one return, one refund."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from common.errors import ServiceError
from shop import services
from shop.models import Refund, ReturnRequest
from tests.factories import UserFactory
from tests.factories.promotions import delivered_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(count: int, action) -> list[str]:
    start = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(index: int) -> None:
        try:
            start.wait()
            try:
                action(index)
                outcome = "ok"
            except ServiceError as exc:
                outcome = exc.code
            except Exception as exc:  # noqa: BLE001 - asserted on below
                outcome = repr(exc)
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def test_two_parallel_requests_for_the_last_unit_store_one_return():
    shopper = UserFactory(username="hasty")
    order = delivered_order(user=shopper, quantity=1)
    line_id = order.lines.get().id

    outcomes = _race(
        2,
        lambda _i: services.return_request_create(
            user=shopper, order=order, lines={line_id: 1}, reason="Twice"
        ),
    )

    assert outcomes == ["ok", "too_many"]
    assert ReturnRequest.objects.count() == 1


def test_two_staff_approving_at_once_refund_once():
    shopper = UserFactory(username="patient")
    order = delivered_order(user=shopper, provider="test_card")
    request = services.return_request_create(
        user=shopper, order=order, lines={order.lines.get().id: 1}, reason="x"
    )
    staff = [UserFactory(username=f"staff{i}", is_staff=True) for i in range(2)]

    outcomes = _race(2, lambda i: services.return_approve(return_request=request, actor=staff[i]))

    assert outcomes == ["conflict", "ok"]
    assert Refund.objects.count() == 1
