"""Returns and refunds through the service: the rules for asking, staff's decision, refunds once per return
through the order's provider, restocking, the timeline and the mails."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from common.errors import ServiceError
from shop import services
from shop.models import EmailLog, Order, Refund, ReturnRequest
from tests.factories import ProductFactory, UserFactory
from tests.factories.promotions import delivered_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(username="staffer", is_staff=True)


def _ask(order, quantity=1, reason="Too small"):
    line = order.lines.get()
    return services.return_request_create(
        user=order.user, order=order, lines={line.id: quantity}, reason=reason
    )


def test_shopper_asks_to_return_a_delivered_line(user):
    order = delivered_order(user=user)
    request = _ask(order)
    assert (request.status, request.lines.get().amount) == ("requested", Decimal("19.90"))
    assert order.events.filter(note__startswith=f"Return R{request.id} requested").exists()


@pytest.mark.parametrize(
    ("status", "message"),
    [(Order.Status.SHIPPED, "Only delivered orders can be returned; this one is shipped.")],
)
def test_an_undelivered_order_cannot_be_returned(user, status, message):
    order = delivered_order(user=user)
    Order.objects.filter(id=order.id).update(status=status)
    with pytest.raises(ServiceError, match=message):
        _ask(order)


def test_the_return_window_closes(user, settings):
    settings.SHOP_RETURN_WINDOW_DAYS = 14
    order = delivered_order(user=user, days_ago=15)
    with pytest.raises(ServiceError) as refused:
        _ask(order)
    assert refused.value.code == "return_window_closed"


def test_another_shoppers_order_is_not_found(user, other_user):
    order = delivered_order(user=other_user)
    with pytest.raises(Http404):
        services.return_request_create(
            user=user, order=order, lines={order.lines.get().id: 1}, reason="Mine?"
        )


def test_more_than_bought_is_refused(user):
    order = delivered_order(user=user, quantity=2)
    with pytest.raises(ServiceError, match="You can return at most 2 of"):
        _ask(order, quantity=3)


def test_asking_twice_for_the_same_units_is_refused(user):
    order = delivered_order(user=user, quantity=1)
    _ask(order)
    with pytest.raises(ServiceError, match="is already being returned"):
        _ask(order)
    assert ReturnRequest.objects.count() == 1


def test_a_refused_return_frees_its_units(user, staff):
    order = delivered_order(user=user, quantity=1)
    services.return_refuse(return_request=_ask(order), actor=staff, note="Worn")
    assert _ask(order).status == "requested"


def test_a_reason_is_required(user):
    order = delivered_order(user=user)
    with pytest.raises(ServiceError, match="Tell us why"):
        _ask(order, reason="  ")


def test_a_line_of_another_order_is_refused(user):
    order = delivered_order(user=user)
    other = delivered_order(user=user)
    with pytest.raises(ServiceError, match="not part of this order"):
        services.return_request_create(
            user=user, order=order, lines={other.lines.get().id: 1}, reason="x"
        )


def test_approval_refunds_the_card_restocks_and_mails(user, staff):
    product = ProductFactory(stock=3, sold_count=2)
    order = delivered_order(user=user, quantity=2, provider="test_card", product=product)
    request = services.return_approve(
        return_request=_ask(order, quantity=2), actor=staff, note="OK"
    )
    refund = Refund.objects.get()
    assert (request.status, refund.amount, refund.manual) == ("refunded", Decimal("39.80"), False)
    assert refund.reference == f"tcr-return-{request.id}"
    product.refresh_from_db()
    assert (product.stock, product.sold_count) == (5, 0)
    assert set(EmailLog.objects.values_list("kind", flat=True)) == {
        "return_approved",
        "refund_issued",
    }
    notes = list(order.events.values_list("note", flat=True))
    assert any(note.startswith(f"Return R{request.id} approved") for note in notes)
    assert any(note.startswith("Refund of 39.80 EUR issued") for note in notes)


def test_pay_on_delivery_records_a_manual_refund(user, staff):
    order = delivered_order(user=user, provider="cod")
    services.return_approve(return_request=_ask(order), actor=staff)
    assert Refund.objects.get().manual is True


def test_partial_refund_and_no_restock(user, staff):
    product = ProductFactory(stock=3)
    order = delivered_order(user=user, product=product)
    services.return_approve(
        return_request=_ask(order), actor=staff, refund_amount="5.00", restock=False
    )
    product.refresh_from_db()
    assert (Refund.objects.get().amount, product.stock) == (Decimal("5.00"), 3)


def test_refund_more_than_the_items_is_refused(user, staff):
    order = delivered_order(user=user)
    request = _ask(order)
    with pytest.raises(ServiceError, match="at most 19.90"):
        services.return_approve(return_request=request, actor=staff, refund_amount="50")
    request.refresh_from_db()
    assert request.status == "requested"


def test_refund_is_idempotent(user, staff):
    order = delivered_order(user=user, provider="test_card")
    request = services.return_approve(return_request=_ask(order), actor=staff)
    again = services.refund_issue(return_request=request, actor=staff)
    assert (Refund.objects.count(), again.amount) == (1, Decimal("19.90"))


def test_deciding_twice_is_refused(user, staff):
    order = delivered_order(user=user)
    request = _ask(order)
    services.return_approve(return_request=request, actor=staff)
    with pytest.raises(ServiceError, match="already refunded"):
        services.return_refuse(return_request=request, actor=staff, note="no")


def test_only_staff_decide(user):
    order = delivered_order(user=user)
    with pytest.raises(PermissionDenied):
        services.return_approve(return_request=_ask(order), actor=user)


def test_refund_takes_the_voucher_share_off(user, staff):
    order = delivered_order(user=user, quantity=2, discount=Decimal("4.00"))
    request = _ask(order, quantity=1)
    assert request.lines.get().amount == Decimal("17.90")  # (39.80 - 4.00) / 2
