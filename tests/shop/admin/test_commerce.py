import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation

from shop.models import Order, Product
from social.models import Notification
from tests.factories import UserFactory
from tests.factories.commerce import AddressFactory, CartItemFactory, OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English whatever language an earlier request left active."""
    with translation.override("en"):
        yield


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "name",
    [
        "admin:shop_order_changelist",
        "admin:shop_user_changelist",
        "admin:shop_address_changelist",
        "admin:shop_cart_changelist",
        "admin:shop_loginfailure_changelist",
    ],
)
def test_changelists_render(admin_client, user, name):
    OrderLineFactory(order__user=user)
    AddressFactory(user=user)
    CartItemFactory(cart__user=user)
    assert admin_client.get(reverse(name), {"q": "shopper"}).status_code == 200


def test_order_change_page_shows_lines_and_events(admin_client, user):
    line = OrderLineFactory(order__user=user, product_name="Teapot")
    response = admin_client.get(reverse("admin:shop_order_change", args=[line.order_id]))
    assert response.status_code == 200
    assert "Teapot" in response.content.decode()


def test_mark_shipped_action_moves_orders_and_notifies(admin_client, user):
    order = OrderFactory(user=user)
    admin_client.post(
        reverse("admin:shop_order_changelist"),
        {"action": "mark_shipped", "_selected_action": [order.id]},
    )
    order.refresh_from_db()
    assert order.status == "shipped"
    assert Notification.objects.filter(recipient=user, kind="order_status").count() == 1


def test_cancel_action_restores_stock_and_refuses_shipped_orders(admin_client, user):
    line = OrderLineFactory(order__user=user, product__stock=0, quantity=2)
    shipped = OrderFactory(user=user, status="shipped")
    response = admin_client.post(
        reverse("admin:shop_order_changelist"),
        {"action": "mark_cancelled", "_selected_action": [line.order_id, shipped.id]},
        follow=True,
    )
    assert Product.objects.get(id=line.product_id).stock == 2
    assert dict(Order.objects.values_list("id", "status")) == {
        line.order_id: "cancelled",
        shipped.id: "shipped",
    }
    assert "can no longer be cancelled" in response.content.decode()


def test_csv_export_lists_selected_orders_and_defuses_formulas(admin_client, user):
    order = OrderFactory(user=user, ship_name="=HYPERLINK(1)")
    OrderLineFactory(order=order, quantity=3)
    response = admin_client.post(
        reverse("admin:shop_order_changelist"),
        {"action": "export_orders_csv", "_selected_action": [order.id]},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1
    assert (rows[0]["number"], rows[0]["items"], rows[0]["username"]) == (
        order.number,
        "3",
        "shopper1",
    )
    assert rows[0]["ship_name"] == "'=HYPERLINK(1)"


def test_admin_can_add_a_user_with_the_custom_user_model(admin_client):
    from django.contrib.auth import get_user_model

    response = admin_client.post(
        reverse("admin:shop_user_add"),
        {
            "username": "newstaff",
            "password1": "a-long-unusual-pass-42",
            "password2": "a-long-unusual-pass-42",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert get_user_model().objects.filter(username="newstaff").exists()


def test_voucher_admin_form_refuses_a_percentage_above_100_with_the_service_message(client):
    from shop.models import Voucher

    client.force_login(UserFactory(username="vboss", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/shop/voucher/add/",
        {
            "code": "HUGE",
            "kind": "percent",
            "value": "150",
            "min_spend": "0",
            "max_uses_per_user": "1",
            "is_active": "on",
            "redemptions-TOTAL_FORMS": "0",
            "redemptions-INITIAL_FORMS": "0",
        },
    )
    assert "A percentage must be above 0 and at most 100." in response.content.decode()
    assert not Voucher.objects.exists()


def test_promotion_admin_form_refuses_a_sale_without_products_or_categories(client):
    from shop.models import Promotion

    client.force_login(UserFactory(username="pboss", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/shop/promotion/add/",
        {
            "name": "Nothing on sale",
            "percent_off": "20",
            "starts_at_0": "2026-01-01",
            "starts_at_1": "00:00:00",
            "ends_at_0": "2026-01-08",
            "ends_at_1": "00:00:00",
            "is_active": "on",
        },
    )
    assert "Name at least one product or category the sale applies to." in response.content.decode()
    assert not Promotion.objects.exists()
