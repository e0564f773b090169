"""Group-buy REST API: open, list, detail, join, leave and the 4xx answers to bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from social.models import GroupBuy
from tests.factories import ProductFactory, UserFactory
from tests.factories.community import APPROVE_CARD, DECLINE_CARD, group_product, make_group

pytestmark = pytest.mark.django_db

ADDRESS = {
    "full_name": "Ana Example",
    "line1": "Hauptstr. 1",
    "city": "Berlin",
    "postal_code": "10115",
    "country": "de",
}


def open_payload(product, **changes):
    payload = {
        "product_id": product.id,
        "target_size": 3,
        "deadline": (timezone.now() + timedelta(days=1)).isoformat(),
        "address": ADDRESS,
        "payment_provider": "test_card",
        "card_number": APPROVE_CARD,
    }
    payload.update(changes)
    return payload


def join_payload(**changes):
    return {"address": ADDRESS, "payment_provider": "cod", **changes}


def test_open_returns_the_group_with_creator_as_member(shopper_api, user):
    product = group_product(group_price="11.00")
    response = shopper_api.post("/api/v1/social/group-buys/", open_payload(product), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["group_price"], body["member_count"], body["status"], body["members"]) == (
        "11.00",
        1,
        "open",
        [user.username],
    )
    assert body["my_membership"]["status"] == "active"


def test_open_requires_login(api_client):
    response = api_client.post(
        "/api/v1/social/group-buys/", open_payload(group_product()), format="json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target_size": 0}, "target_size", "The group size must be between 2 and 10 people."),
        ({"target_size": 1000}, "target_size", "The group size must be between 2 and 10 people."),
        (
            {"deadline": "2020-01-01T00:00:00Z"},
            "deadline",
            "The deadline is in the past.",
        ),
        ({"card_number": DECLINE_CARD}, "card_number", None),
        ({"deadline": "tomorrow"}, "deadline", None),
    ],
)
def test_open_rejects_bad_input_with_400(shopper_api, changes, field, message):
    response = shopper_api.post(
        "/api/v1/social/group-buys/", open_payload(group_product(), **changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert GroupBuy.objects.count() == 0


def test_open_for_product_without_group_price_is_400(shopper_api):
    response = shopper_api.post(
        "/api/v1/social/group-buys/",
        open_payload(ProductFactory(group_price=None)),
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"product": ["This product has no group price."]}


def test_list_shows_open_groups_only(api_client):
    running = make_group()
    late = make_group()
    GroupBuy.objects.filter(id=late.id).update(deadline=timezone.now() - timedelta(minutes=1))
    response = api_client.get("/api/v1/social/group-buys/")
    assert response.status_code == 200
    assert [group["id"] for group in response.json()["results"]] == [running.id]


def test_join_then_leave(shopper_api):
    group = make_group()
    joined = shopper_api.post(
        f"/api/v1/social/group-buys/{group.id}/join/", join_payload(quantity=2), format="json"
    )
    assert joined.status_code == 201
    assert (joined.json()["status"], joined.json()["quantity"]) == ("active", 2)
    left = shopper_api.post(f"/api/v1/social/group-buys/{group.id}/leave/")
    assert (left.status_code, left.json()) == (200, {"status": "left"})


def test_join_twice_is_409(shopper_api):
    group = make_group()
    shopper_api.post(f"/api/v1/social/group-buys/{group.id}/join/", join_payload(), format="json")
    again = shopper_api.post(
        f"/api/v1/social/group-buys/{group.id}/join/", join_payload(), format="json"
    )
    assert again.status_code == 409
    assert again.json() == {
        "detail": "You have already joined this group.",
        "code": "already_joined",
    }


def test_join_full_group_is_409(shopper_api):
    group = make_group(target_size=2)
    from social.services import group_buy_join
    from tests.factories.community import address

    group_buy_join(group_id=group.id, user=UserFactory(), address=address(), payment_provider="cod")
    response = shopper_api.post(
        f"/api/v1/social/group-buys/{group.id}/join/", join_payload(), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "full"


def test_join_expired_group_is_409(shopper_api):
    group = make_group()
    GroupBuy.objects.filter(id=group.id).update(deadline=timezone.now() - timedelta(minutes=1))
    response = shopper_api.post(
        f"/api/v1/social/group-buys/{group.id}/join/", join_payload(), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "expired")


def test_join_missing_group_is_404(shopper_api):
    response = shopper_api.post(
        "/api/v1/social/group-buys/999999/join/", join_payload(), format="json"
    )
    assert response.status_code == 404


def test_join_with_bad_quantity_and_address_is_400(shopper_api):
    group = make_group()
    response = shopper_api.post(
        f"/api/v1/social/group-buys/{group.id}/join/",
        join_payload(quantity=0, address={**ADDRESS, "country": "Germany"}),
        format="json",
    )
    assert response.status_code == 400
    assert "address" in response.json()


def test_leave_when_not_member_is_409(shopper_api):
    group = make_group()
    response = shopper_api.post(f"/api/v1/social/group-buys/{group.id}/leave/")
    assert (response.status_code, response.json()["code"]) == (409, "not_member")


def test_detail_is_public(api_client):
    group = make_group()
    response = api_client.get(f"/api/v1/social/group-buys/{group.id}/")
    assert response.status_code == 200
    assert (response.json()["id"], response.json()["my_membership"]) == (group.id, None)


def test_group_buy_paths_are_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/social/group-buys/{id}/join/" in schema["paths"]
