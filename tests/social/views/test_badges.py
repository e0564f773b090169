"""The header's cart and notification badges are cached per shopper (`common.generations`): no query for them
on a page once counted, another shopper never gets them, and a write shows on the very next page."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shop.services import cart_add_item, cart_get_or_create, cart_remove_item
from social.services import notification_create, notification_mark_all_read
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

CART_BADGE = re.compile(r'id="cart-badge".*?data-count="(\d+)"', re.S)
UNREAD_BADGE = re.compile(r'data-notification-badge data-count="(\d+)"')


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _badges(client: Client) -> tuple[int, int]:
    html = client.get("/").content.decode()
    cart, unread = CART_BADGE.search(html), UNREAD_BADGE.search(html)
    assert cart is not None
    assert unread is not None
    return int(cart.group(1)), int(unread.group(1))


def test_a_page_reads_the_badges_without_a_query_once_counted(ana, django_assert_max_num_queries):
    client = _signed_in(ana)
    client.get("/")

    with django_assert_max_num_queries(1):  # the user row only
        response = client.get("/")

    assert response.status_code == 200


def test_each_shopper_sees_their_own_badges(ana, ben, django_capture_on_commit_callbacks):
    product = ProductFactory(stock=9)
    ana_client, ben_client = _signed_in(ana), _signed_in(ben)
    assert _badges(ana_client) == (0, 0)
    assert _badges(ben_client) == (0, 0)

    with django_capture_on_commit_callbacks(execute=True):
        cart_add_item(cart=cart_get_or_create(user=ana), product_id=product.pk, quantity=3)
        notification_create(recipient_id=ben.pk, kind="follow", message="cleo follows you")

    assert _badges(ana_client) == (3, 0)
    assert _badges(ben_client) == (0, 1)


def test_cart_writes_show_on_the_next_page(ana, django_capture_on_commit_callbacks):
    product = ProductFactory(stock=9)
    cart = cart_get_or_create(user=ana)
    client = _signed_in(ana)
    assert _badges(client)[0] == 0

    with django_capture_on_commit_callbacks(execute=True):
        cart_add_item(cart=cart, product_id=product.pk, quantity=2)
    assert _badges(client)[0] == 2

    with django_capture_on_commit_callbacks(execute=True):
        cart_remove_item(cart=cart, product_id=product.pk)
    assert _badges(client)[0] == 0


def test_reading_notifications_clears_the_badge_on_the_next_page(
    ana, django_capture_on_commit_callbacks
):
    client = _signed_in(ana)
    with django_capture_on_commit_callbacks(execute=True):
        notification_create(recipient_id=ana.pk, kind="follow", message="ben follows you")
    assert _badges(client)[1] == 1

    with django_capture_on_commit_callbacks(execute=True):
        notification_mark_all_read(user=ana)

    assert _badges(client)[1] == 0


def test_adding_through_the_cart_form_updates_the_badge(ana, django_capture_on_commit_callbacks):
    product = ProductFactory(stock=9)
    client = _signed_in(ana)
    assert _badges(client)[0] == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/cart/add/", {"product_id": product.pk, "quantity": 2})

    assert response.status_code in (200, 302)
    assert _badges(client)[0] == 2


def test_a_notification_deleted_in_the_admin_leaves_the_badge(
    ana, admin_client, django_capture_on_commit_callbacks
):
    client = _signed_in(ana)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_create(recipient_id=ana.pk, kind="follow", message="hi")
    assert _badges(client)[1] == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/social/notification/{notification.pk}/delete/", {"post": "yes"}
        )

    assert response.status_code == 302
    assert _badges(client)[1] == 0
