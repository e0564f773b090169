"""The returns API: a shopper's request, its refusals, staff's decision."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.factories.promotions import delivered_order

pytestmark = pytest.mark.django_db


def _url(order):
    return f"/api/v1/orders/{order.number}/returns/"


def test_shopper_asks_for_a_return(shopper_api, user):
    order = delivered_order(user=user)
    line = order.lines.get()
    response = shopper_api.post(
        _url(order),
        {"lines": [{"line_id": line.id, "quantity": 1}], "reason": "Too big"},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["lines"][0]["amount"], body["refund"]) == (
        "requested",
        "19.90",
        None,
    )


def test_more_than_bought_is_a_409(shopper_api, user):
    order = delivered_order(user=user, quantity=1)
    line = order.lines.get()
    response = shopper_api.post(
        _url(order), {"lines": [{"line_id": line.id, "quantity": 2}], "reason": "x"}, format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "too_many")


def test_foreign_order_is_a_404(shopper_api, other_user):
    order = delivered_order(user=other_user)
    line = order.lines.get()
    response = shopper_api.post(
        _url(order), {"lines": [{"line_id": line.id, "quantity": 1}], "reason": "x"}, format="json"
    )
    assert response.status_code == 404


def test_missing_reason_is_a_400(shopper_api, user):
    order = delivered_order(user=user)
    response = shopper_api.post(_url(order), {"lines": [], "reason": ""}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"lines", "reason"}


def test_staff_approve_and_the_refund_shows(api_client, shopper_api, user):
    order = delivered_order(user=user, provider="test_card")
    line = order.lines.get()
    created = shopper_api.post(
        _url(order), {"lines": [{"line_id": line.id, "quantity": 1}], "reason": "x"}, format="json"
    ).json()
    api_client.force_authenticate(UserFactory(username="boss", is_staff=True))
    response = api_client.post(
        f"/api/v1/returns/{created['id']}/decision/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["refund"]["amount"]) == ("refunded", "19.90")


def test_shoppers_cannot_decide(shopper_api, user):
    order = delivered_order(user=user)
    response = shopper_api.post(
        "/api/v1/returns/1/decision/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 403
    assert order.returns.count() == 0


def test_invoice_figures(shopper_api, user, settings):
    settings.SHOP_VAT_RATE = 19.0
    order = delivered_order(user=user, quantity=2)
    body = shopper_api.get(f"/api/v1/orders/{order.number}/invoice/").json()
    assert (body["number"], body["total"], body["vat"], body["net"], body["html_url"]) == (
        f"INV-{order.number}",
        "44.70",
        "7.14",
        "37.56",
        f"/orders/{order.number}/invoice/",
    )


def test_invoice_of_another_shoppers_order_is_a_404(shopper_api, other_user):
    order = delivered_order(user=other_user)
    assert shopper_api.get(f"/api/v1/orders/{order.number}/invoice/").status_code == 404
