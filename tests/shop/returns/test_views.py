"""The shopper's return page, the order page's returns and the printable invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop import services
from shop.models import ReturnRequest
from tests.factories import UserFactory
from tests.factories.commerce import OrderFactory
from tests.factories.promotions import delivered_order

pytestmark = pytest.mark.django_db


def test_order_page_offers_the_return_and_invoice_links(shopper_client, user):
    order = delivered_order(user=user)
    html = shopper_client.get(order.get_absolute_url()).content.decode()
    assert 'id="return-link"' in html
    assert 'id="invoice-link"' in html


def test_undelivered_order_page_offers_no_return(shopper_client, user):
    order = OrderFactory(user=user)
    assert 'id="return-link"' not in shopper_client.get(order.get_absolute_url()).content.decode()


def test_shopper_sends_the_return_form(shopper_client, user):
    order = delivered_order(user=user, quantity=2)
    line = order.lines.get()
    url = f"/orders/{order.number}/return/"
    assert shopper_client.get(url).status_code == 200
    response = shopper_client.post(url, {f"line_{line.id}": "1", "reason": "Too small"})
    assert response.status_code == 302
    assert ReturnRequest.objects.get().lines.get().quantity == 1
    html = shopper_client.get(order.get_absolute_url()).content.decode()
    assert f'id="return-{ReturnRequest.objects.get().id}"' in html


def test_nothing_chosen_is_a_400_with_the_message(shopper_client, user):
    order = delivered_order(user=user)
    response = shopper_client.post(
        f"/orders/{order.number}/return/",
        {f"line_{order.lines.get().id}": "0", "reason": "x"},
    )
    assert response.status_code == 400
    assert "Choose at least one item to return." in response.content.decode()


def test_return_of_an_undelivered_order_is_a_409(shopper_client, user):
    order = OrderFactory(user=user)
    from tests.factories.commerce import OrderLineFactory

    line = OrderLineFactory(order=order)
    response = shopper_client.post(
        f"/orders/{order.number}/return/", {f"line_{line.id}": "1", "reason": "x"}
    )
    assert response.status_code == 409
    assert "Only delivered orders can be returned" in response.content.decode()


def test_another_shoppers_order_is_a_404(shopper_client, other_user):
    order = delivered_order(user=other_user)
    assert shopper_client.get(f"/orders/{order.number}/return/").status_code == 404
    assert shopper_client.get(f"/orders/{order.number}/invoice/").status_code == 404


def test_invoice_shows_the_legal_details_and_totals(shopper_client, user, settings):
    settings.SHOP_LEGAL_NAME = "Acme Trading GmbH"
    settings.SHOP_VAT_ID = "DE123456789"
    order = delivered_order(user=user, quantity=2)
    response = shopper_client.get(f"/orders/{order.number}/invoice/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Acme Trading GmbH" in html
    assert "DE123456789" in html
    assert f'id="invoice-number">INV-{order.number}' in html
    assert 'id="invoice-total">44.70' in html
    assert "css/invoice.css" in html


def test_staff_open_any_invoice(client, user):
    order = delivered_order(user=user)
    client.force_login(UserFactory(username="clerk", is_staff=True))
    assert client.get(f"/orders/{order.number}/invoice/").status_code == 200


def test_refund_shows_on_the_order_page(shopper_client, user):
    order = delivered_order(user=user, provider="test_card")
    request = services.return_request_create(
        user=user, order=order, lines={order.lines.get().id: 1}, reason="x"
    )
    services.return_approve(return_request=request, actor=UserFactory(is_staff=True, username="s"))
    html = shopper_client.get(order.get_absolute_url()).content.decode()
    assert f"Refunded {Decimal('19.90')} to your card" in html


def test_a_form_asking_to_return_more_than_was_bought_is_a_400_and_stores_nothing(
    shopper_client, user
):
    order = delivered_order(user=user, quantity=2)
    response = shopper_client.post(
        f"/orders/{order.number}/return/",
        {f"line_{order.lines.get().id}": "5", "reason": "Tampered"},
    )
    assert response.status_code == 400
    assert "You can return at most 2 of this item." in response.content.decode()
    assert not ReturnRequest.objects.exists()


def test_a_form_asking_for_more_than_remains_after_an_earlier_return_is_refused(
    shopper_client, user
):
    order = delivered_order(user=user, quantity=2)
    line = order.lines.get()
    url = f"/orders/{order.number}/return/"
    shopper_client.post(url, {f"line_{line.id}": "1", "reason": "One is enough"})
    response = shopper_client.post(url, {f"line_{line.id}": "2", "reason": "Both"})
    assert response.status_code == 400
    assert "You can return at most 1 of this item." in response.content.decode()
    assert ReturnRequest.objects.get().lines.get().quantity == 1
