"""What outside probes broke in the support API (issue 12): a new conversation per POST, `current` losing a
conversation that had just been created, and numbers accepted as message text."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from rest_framework.test import APIClient

from shop.services import api_token_issue
from support.models import Conversation, Message
from tests.support.services.test_services import make_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]


def url(name, **kwargs):
    return reverse(f"support-api:{name}", kwargs=kwargs)


@pytest.fixture
def shopper(user):
    client = APIClient()
    client.force_login(user)
    return client


def start(client, **data):
    return client.post(url("start"), data, format="json")


# --- POST /conversations/ returns the open conversation -------------------------------------------------------


def test_start_twice_returns_the_open_conversation_with_200(shopper, user):
    first, again = start(shopper), start(shopper)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Conversation.objects.filter(user=user).count() == 1


def test_visitor_start_twice_is_one_conversation(db):
    client = APIClient()
    first, again = start(client), start(client)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["conversation"] == first.json()["conversation"]
    assert Conversation.objects.count() == 1


def test_start_after_closing_opens_a_new_conversation(shopper):
    first = start(shopper).json()["conversation"]
    shopper.post(url("close", conversation_id=first))
    again = start(shopper)
    assert again.status_code == 201
    assert again.json()["conversation"] != first


def test_start_about_an_order_reuses_only_that_orders_conversation(shopper, user):
    order = make_order(user)
    general = start(shopper).json()["conversation"]
    about = start(shopper, order_number=order.number)
    assert (about.status_code, about.json()["order"]) == (201, order.number)
    assert about.json()["conversation"] != general
    again = start(shopper, order_number=order.number)
    assert (again.status_code, again.json()["conversation"]) == (200, about.json()["conversation"])
    # "Ask anything" continues the shopper's latest open conversation.
    anything = start(shopper)
    assert (anything.status_code, anything.json()["conversation"]) == (
        200,
        about.json()["conversation"],
    )


def test_start_about_someone_elses_order_is_still_404_with_an_open_conversation(
    shopper, other_user
):
    start(shopper)
    order = make_order(other_user, number="SS-77")
    assert start(shopper, order_number=order.number).status_code == 404


def test_schema_documents_200_and_201_for_start(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    responses = schema["paths"]["/api/v1/support/conversations/"]["post"]["responses"]
    assert {"200", "201"} <= set(responses)


# --- GET /conversations/current/ right after a start -------------------------------------------------------------


def test_current_right_after_start_for_a_token_client_without_cookies(user):
    """A token client keeps no session cookie: the conversation it just started is still its current one."""
    token = api_token_issue(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    started = start(client)
    client.cookies.clear()
    current = client.get(url("current"))
    assert current.status_code == 200
    assert current.json()["conversation"] == started.json()["conversation"]


@pytest.mark.parametrize("signed_in", [True, False])
def test_current_survives_a_concurrent_write_of_the_session(client, user, signed_in):
    """Another request of the same browser read the session before the start stored its pointer and saved
    after it (last write wins): the conversation is still found."""
    if signed_in:
        client.force_login(user)
    key = client.session.session_key
    stale = SessionStore(session_key=key)
    stale.get("has_cart")  # loaded before the start
    started = client.post(url("start"), {}, content_type="application/json")
    stale["has_cart"] = True
    stale.save()
    current = client.get(url("current"))
    assert current.status_code == 200
    assert current.json()["conversation"] == started.json()["conversation"]


def test_current_is_not_someone_elses_visitor_conversation(db):
    start(APIClient())
    assert APIClient().get(url("current")).status_code == 404


# --- message bodies are JSON strings -------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [5, 5.5, -1, True, None, ["hi"], {"text": "hi"}])
def test_message_body_must_be_a_json_string(shopper, conversation, body):
    response = shopper.post(
        url("messages", conversation_id=conversation.id),
        {"client_id": "n1", "body": body},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert not Message.objects.filter(client_id="n1").exists()


def test_message_client_id_must_be_a_json_string(shopper, conversation):
    response = shopper.post(
        url("messages", conversation_id=conversation.id),
        {"client_id": 5, "body": "hello"},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["client_id"]


def test_note_body_must_be_a_json_string(conversation, moderator):
    staff = APIClient()
    staff.force_login(moderator)
    response = staff.post(url("notes", conversation_id=conversation.id), {"body": 5}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert not Message.objects.filter(kind="note").exists()


def test_order_number_must_be_a_json_string(shopper, user):
    make_order(user, number="5")
    response = shopper.post(url("start"), {"order_number": 5}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["order_number"]


def test_rating_comment_must_be_a_json_string(shopper, conversation):
    shopper.post(url("close", conversation_id=conversation.id))
    response = shopper.post(
        url("rating", conversation_id=conversation.id), {"rating": 5, "comment": 5}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["comment"]
