from __future__ import annotations

import json

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError

from shop.models import Order, ProductEvent, Review, User, WishlistItem
from social import selectors, services
from social.models import Comment, Follow, Like, Notification, Post, Profile
from tests.factories import ProductFactory, UserFactory
from tests.factories.social import FollowFactory, PostFactory


@pytest.fixture
def ana_world(ana, ben, order_for):
    from django.utils import timezone

    product = ProductFactory(name="Blue Mug")
    services.profile_update(user=ana, display_name="Ana", bio="Mugs and more")
    order = order_for(ana, [product])
    FollowFactory(follower=ana, followee=ben)
    FollowFactory(follower=ben, followee=ana)
    post = services.post_create(author=ana, body="my mug", product_ids=[product.pk])
    ben_post = PostFactory(author=ben, body="ben's post")
    services.comment_create(author=ana, post=ben_post, body="nice one")
    services.like_create(user=ana, post=ben_post)
    services.like_create(user=ben, post=post)
    Review.objects.create(product=product, user=ana, rating=5, body="Love it")
    WishlistItem.objects.create(user=ana, product=ProductFactory(name="Teapot"))
    ProductEvent.objects.create(user=ana, product=product, kind="view", created_at=timezone.now())
    return {"product": product, "order": order, "post": post, "ben_post": ben_post}


def test_export_contains_everything_about_me(ana, ana_world):
    data = selectors.export_for_user(user=ana)

    assert data["account"]["username"] == "ana"
    assert data["profile"]["display_name"] == "Ana"
    assert data["following"][0]["username"] == "ben"
    assert data["followers"][0]["username"] == "ben"
    assert [p["body"] for p in data["posts"]] == ["my mug"]
    assert data["posts"][0]["products"] == ["Blue Mug"]
    assert [c["body"] for c in data["comments"]] == ["nice one"]
    assert data["likes"] == [
        {"post": ana_world["ben_post"].pk, "created_at": data["likes"][0]["created_at"]}
    ]
    assert data["orders"][0]["number"] == ana_world["order"].number
    assert data["orders"][0]["lines"] == [
        {"product": "Blue Mug", "quantity": 1, "unit_price": "19.90"}
    ]
    assert [r["body"] for r in data["reviews"]] == ["Love it"]
    assert [w["product"] for w in data["wishlist"]] == ["Teapot"]
    assert [(i["product"], i["kind"]) for i in data["interactions"]] == [("Blue Mug", "view")]
    assert [n["message"] for n in data["notifications"]] == ["@ben liked your post."]
    json.dumps(data)  # serialisable as is


def test_export_download_page(shopper_client, user):
    response = shopper_client.get("/social/privacy/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    assert json.loads(response.content)["account"]["username"] == "shopper1"


def test_export_does_not_leak_other_users(ana, ben, ana_world):
    data = selectors.export_for_user(user=ben)

    assert [p["body"] for p in data["posts"]] == ["ben's post"]
    assert data["orders"] == []
    assert data["comments"] == []


def test_account_delete_removes_personal_data_and_keeps_orders_anonymised(
    ana, ben, ana_world, django_capture_on_commit_callbacks
):
    ana_id = ana.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=ana)

    assert not User.objects.filter(pk=ana_id).exists()
    assert not Profile.objects.filter(user_id=ana_id).exists()
    assert not Post.objects.filter(author_id=ana_id).exists()
    assert not Comment.objects.filter(author_id=ana_id).exists()
    assert not Like.objects.filter(user_id=ana_id).exists()
    assert not Follow.objects.filter(follower_id=ana_id).exists()
    assert not Follow.objects.filter(followee_id=ana_id).exists()
    assert not Review.objects.filter(user_id=ana_id).exists()
    assert not WishlistItem.objects.filter(user_id=ana_id).exists()
    assert not ProductEvent.objects.filter(user_id=ana_id).exists()
    assert not Notification.objects.filter(recipient_id=ana_id).exists()
    # What is left: the order, without the person; ben and his post; counters corrected by cascade.
    order = Order.objects.get(pk=ana_world["order"].pk)
    assert order.user_id is None
    assert (order.ship_name, order.ship_line1, order.ship_postal_code) == (
        "deleted account",
        "",
        "",
    )
    assert order.lines.count() == 1
    assert order.total == ana_world["order"].total
    assert Post.objects.filter(pk=ana_world["ben_post"].pk).exists()
    assert User.objects.filter(pk=ben.pk).exists()


def test_account_delete_ends_sessions(ana, ben, client):
    client.force_login(ana)
    other = type(client)()
    other.force_login(ben)
    assert Session.objects.count() == 2

    services.account_delete(user=ana)

    assert Session.objects.count() == 1
    assert client.get("/social/").status_code == 302


def test_account_delete_closes_sockets(ana, django_capture_on_commit_callbacks, monkeypatch):
    sent = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message))

    monkeypatch.setattr("social.services.account.get_channel_layer", lambda: Layer())
    ana_id = ana.pk

    with django_capture_on_commit_callbacks(execute=True):
        services.account_delete(user=ana)

    assert sent == [(f"user.{ana_id}", {"type": "account.closed"})]


def test_account_delete_needs_the_password(ana):
    with pytest.raises(ValidationError):
        services.account_delete_with_password(user=ana, password="wrong")

    assert User.objects.filter(pk=ana.pk).exists()


def test_account_delete_page(client, db):
    user = UserFactory(username="leaver")
    client.force_login(user)

    wrong = client.post("/social/privacy/delete/", {"password": "nope", "confirm": "on"})
    assert wrong.status_code == 200
    assert "The password is not correct." in wrong.content.decode()

    response = client.post(
        "/social/privacy/delete/", {"password": "correct-horse-battery", "confirm": "on"}
    )

    assert response.status_code == 302
    assert not User.objects.filter(username="leaver").exists()


def test_account_delete_api(ana):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(ana)

    assert (
        client.post("/api/v1/social/account/delete/", {"password": "x"}, format="json").status_code
        == 400
    )
    response = client.post(
        "/api/v1/social/account/delete/", {"password": "correct-horse-battery"}, format="json"
    )

    assert response.status_code == 204
    assert not User.objects.filter(username="ana").exists()
