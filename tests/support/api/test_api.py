"""The HTTP fallback and REST API: same services and access rule as the websocket."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from support import services
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


@pytest.fixture
def staff(moderator):
    client = APIClient()
    client.force_login(moderator)
    return client


def test_start_remembers_the_conversation_in_the_session(shopper, user):
    response = shopper.post(url("start"), {}, format="json")
    assert response.status_code == 201
    conversation = Conversation.objects.get()
    assert (response.json()["conversation"], conversation.user) == (conversation.id, user)
    current = shopper.get(url("current"))
    assert current.json()["conversation"] == conversation.id


def test_start_about_an_order_carries_it(shopper, user):
    order = make_order(user)
    response = shopper.post(url("start"), {"order_number": order.number}, format="json")
    assert response.json()["order"] == order.number


def test_start_about_someone_elses_order_is_404(shopper, other_user):
    order = make_order(other_user, number="SS-9")
    response = shopper.post(url("start"), {"order_number": order.number}, format="json")
    assert response.status_code == 404


def test_anonymous_order_question_is_403_with_a_message(client):
    response = client.post(url("start"), {"order_number": "SS-1"}, content_type="application/json")
    assert response.status_code == 403
    assert "log in" in response.json()["detail"]


def test_anonymous_visitor_chats_over_http(client):
    start = client.post(url("start"), {}, content_type="application/json")
    conversation_id = start.json()["conversation"]
    sent = client.post(
        url("messages", conversation_id=conversation_id),
        {"client_id": "h1", "body": "Do you ship to Italy?"},
        content_type="application/json",
    )
    assert sent.status_code == 201
    listed = client.get(url("messages", conversation_id=conversation_id))
    bodies = [m["body"] for m in listed.json()["messages"]]
    assert "Do you ship to Italy?" in bodies


def test_current_is_404_without_a_conversation(client):
    assert client.get(url("current")).status_code == 404


def test_http_resend_returns_the_stored_message(shopper, conversation):
    body = {"client_id": "same", "body": "Hi"}
    first = shopper.post(url("messages", conversation_id=conversation.id), body, format="json")
    again = shopper.post(url("messages", conversation_id=conversation.id), body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]


def test_messages_after_id_returns_only_newer(shopper, conversation, user):
    old = services.message_post(
        conversation=conversation, body="old", role="shopper", author=user
    ).message
    services.message_post(conversation=conversation, body="new", role="shopper", author=user)
    response = shopper.get(url("messages", conversation_id=conversation.id), {"after_id": old.id})
    assert [m["body"] for m in response.json()["messages"]] == ["new"]


def test_bad_after_id_is_400(shopper, conversation):
    response = shopper.get(url("messages", conversation_id=conversation.id), {"after_id": "x"})
    assert response.status_code == 400


def test_oversize_message_is_400_with_a_message(shopper, conversation):
    response = shopper.post(
        url("messages", conversation_id=conversation.id),
        {"client_id": "big", "body": "x" * 5000},
        format="json",
    )
    assert response.status_code == 400
    assert "too long" in response.json()["detail"]


def test_other_shopper_gets_403_everywhere(other_user, conversation):
    client = APIClient()
    client.force_login(other_user)
    for name, method in [
        ("detail", "get"),
        ("messages", "get"),
        ("transcript", "get"),
        ("close", "post"),
        ("handoff", "post"),
    ]:
        response = getattr(client, method)(url(name, conversation_id=conversation.id))
        assert response.status_code == 403, name


def test_anonymous_csrf_is_enforced_for_session_visitors(db):
    client = APIClient(enforce_csrf_checks=True)
    client.get(url("current"))  # no session yet: nothing to protect
    start = client.post(url("start"), {}, format="json")
    assert start.status_code == 201
    again = client.post(url("start"), {}, format="json")
    assert again.status_code == 403


def test_handoff_then_claim_then_close_then_rate(shopper, staff, conversation, moderator):
    assert (
        shopper.post(url("handoff", conversation_id=conversation.id)).json()["status"] == "waiting"
    )
    claimed = staff.post(url("claim", conversation_id=conversation.id)).json()
    assert (claimed["status"], claimed["assigned_to"]) == ("assigned", "mod1")
    assert staff.post(url("close", conversation_id=conversation.id)).json()["status"] == "closed"
    rated = shopper.post(
        url("rating", conversation_id=conversation.id),
        {"rating": 5, "comment": "great"},
        format="json",
    )
    assert rated.json()["rating"] == 5


@pytest.mark.parametrize("payload", [{"rating": 0}, {"rating": 9}, {"rating": "x"}, {}])
def test_bad_rating_is_400(shopper, conversation, user, payload):
    services.conversation_close(conversation=conversation, actor=user)
    response = shopper.post(url("rating", conversation_id=conversation.id), payload, format="json")
    assert response.status_code == 400


def test_transcript_is_plain_text_without_notes(shopper, conversation, user, moderator):
    services.message_post(
        conversation=conversation, body="Hello there", role="shopper", author=user
    )
    services.message_post(
        conversation=conversation,
        body="secret note",
        role="moderator",
        author=moderator,
        kind="note",
    )
    response = shopper.get(url("transcript", conversation_id=conversation.id))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "attachment" in response["Content-Disposition"]
    assert "shopper1: Hello there" in text
    assert "secret note" not in text


def test_console_endpoints_refuse_shoppers(shopper, conversation):
    assert shopper.get(url("queue")).status_code == 403
    assert shopper.post(url("claim", conversation_id=conversation.id)).status_code == 403
    assert (
        shopper.post(
            url("notes", conversation_id=conversation.id), {"body": "x"}, format="json"
        ).status_code
        == 403
    )


def test_queue_lists_waiting_oldest_first(staff, user):
    first = services.conversation_start(user=user, session_key=None)
    second = services.conversation_start(user=user, session_key=None)
    services.conversation_request_human(conversation=first)
    services.conversation_request_human(conversation=second)
    queue = staff.get(url("queue")).json()
    assert [item["id"] for item in queue["waiting"]] == [first.id, second.id]
    assert queue["waiting"][0]["waiting_seconds"] >= 0


def test_queue_shows_unread_counts(staff, moderator, conversation, user):
    services.conversation_claim(conversation=conversation, moderator=moderator)
    services.message_post(conversation=conversation, body="one", role="shopper", author=user)
    services.message_post(conversation=conversation, body="two", role="shopper", author=user)
    mine = staff.get(url("queue")).json()["mine"]
    assert [(item["id"], item["unread"]) for item in mine] == [(conversation.id, 2)]


def test_transfer_via_api(staff, conversation, moderator, other_moderator):
    services.conversation_claim(conversation=conversation, moderator=moderator)
    response = staff.post(
        url("assign", conversation_id=conversation.id),
        {"moderator_id": other_moderator.id},
        format="json",
    )
    assert response.json()["assigned_to_id"] == other_moderator.id


def test_note_is_hidden_from_the_shopper(staff, shopper, conversation):
    staff.post(
        url("notes", conversation_id=conversation.id), {"body": "watch this one"}, format="json"
    )
    bodies = [
        m["body"]
        for m in shopper.get(url("messages", conversation_id=conversation.id)).json()["messages"]
    ]
    staff_bodies = [
        m["body"]
        for m in staff.get(url("messages", conversation_id=conversation.id)).json()["messages"]
    ]
    assert "watch this one" not in bodies
    assert "watch this one" in staff_bodies


def test_product_card_via_api(staff, conversation, product):
    response = staff.post(
        url("product_cards", conversation_id=conversation.id),
        {"product_id": product.id},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["payload"]["products"][0]["id"] == product.id


def test_unknown_product_card_is_400(staff, conversation):
    response = staff.post(
        url("product_cards", conversation_id=conversation.id), {"product_id": 999999}, format="json"
    )
    assert response.status_code == 400


def test_presence_via_api(staff):
    response = staff.post(url("presence"), {"status": "away", "capacity": 4}, format="json")
    assert response.json() == {"status": "away", "capacity": 4}


def test_report_a_shopper_message(staff, conversation, user):
    from social.models import Report

    message = services.message_post(
        conversation=conversation, body="rude words", role="shopper", author=user
    ).message
    response = staff.post(url("report", message_id=message.id), {"reason": "abuse"}, format="json")
    assert response.status_code == 201
    assert Report.objects.filter(object_id=message.id).count() == 1


def test_visitor_conversation_follows_them_after_login(client, user):
    start = client.post(url("start"), {}, content_type="application/json")
    conversation_id = start.json()["conversation"]
    client.force_login(user)
    assert client.get(url("current")).json()["conversation"] == conversation_id
    assert Conversation.objects.get(pk=conversation_id).user == user


def test_api_in_the_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/support/conversations/{conversation_id}/messages/" in schema


def test_message_count_unchanged_by_refused_posts(shopper, conversation):
    before = Message.objects.count()
    shopper.post(
        url("messages", conversation_id=conversation.id),
        {"client_id": "", "body": ""},
        format="json",
    )
    assert Message.objects.count() == before


@pytest.mark.parametrize("count", [1, 5])
def test_queue_queries_do_not_grow_with_conversations(
    staff, moderator, user, count, django_assert_num_queries
):
    for _ in range(count):
        waiting = services.conversation_start(user=user, session_key=None)
        services.conversation_request_human(conversation=waiting)
        mine = services.conversation_start(user=user, session_key=None)
        services.conversation_claim(conversation=mine, moderator=moderator)
    with django_assert_num_queries(6):  # the session is read from the cache (cached_db)
        response = staff.get(url("queue"))
    assert len(response.json()["waiting"]) == count
    assert len(response.json()["mine"]) == count
