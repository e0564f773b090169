"""Support chat services: message_post (sequence, idempotency, limits), handoff, claim, assignment, close, rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shop.models import Order
from support import selectors, services
from support.models import CannedReply, Conversation, Message, ModeratorPresence, ReadState
from tests.factories import ProductFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]


def make_order(user, number="SS-1001", status=Order.Status.SHIPPED) -> Order:
    return Order.objects.create(
        user=user,
        number=number,
        status=status,
        idempotency_key=f"key-{number}",
        ship_name="Ana",
        ship_line1="Hauptstr. 1",
        ship_city="Berlin",
        ship_postal_code="10115",
        ship_country="DE",
        shipping_method="standard",
        shipping_cost=Decimal("4.90"),
        subtotal=Decimal("10.00"),
        total=Decimal("14.90"),
        payment_provider="cod",
    )


def post(conversation, user, body="Hello", client_id="c1", **kwargs):
    return services.message_post(
        conversation=conversation,
        body=body,
        role="shopper",
        author=user,
        client_id=client_id,
        **kwargs,
    )


def test_start_stores_a_greeting_with_seq_1(conversation):
    greeting = conversation.messages.get()
    assert (greeting.seq, greeting.role, conversation.status) == (1, "assistant", "bot")


def test_start_for_an_order_of_another_shopper_is_404(user, other_user):
    from django.http import Http404

    order = make_order(other_user)
    with pytest.raises(Http404):
        services.conversation_start(user=user, session_key=None, order_number=order.number)


def test_anonymous_order_question_asks_to_log_in(db):
    with pytest.raises(PermissionDenied, match="log in"):
        services.conversation_start(user=None, session_key="abc", order_number="SS-1")


def test_message_post_assigns_increasing_seq(conversation, user):
    first = post(conversation, user, client_id="a").message
    second = post(conversation, user, client_id="b").message
    assert (first.seq, second.seq) == (2, 3)  # the greeting is seq 1
    conversation.refresh_from_db()
    assert conversation.last_seq == 3


def test_resend_with_same_client_id_is_stored_once(conversation, user):
    first = post(conversation, user, body="Where is it?", client_id="same")
    again = post(conversation, user, body="Where is it?", client_id="same")
    assert (first.created, again.created, again.message.id) == (True, False, first.message.id)
    assert conversation.messages.filter(client_id="same").count() == 1


def test_same_client_id_from_two_authors_is_two_messages(conversation, user, moderator):
    services.conversation_claim(conversation=conversation, moderator=moderator)
    post(conversation, user, client_id="x")
    services.message_post(
        conversation=conversation, body="Hi", role="moderator", author=moderator, client_id="x"
    )
    assert conversation.messages.filter(client_id="x").count() == 2


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (None, "invalid"),
        (123, "invalid"),
        ("x" * 4097, "too_large"),
    ],
)
def test_invalid_bodies_are_refused_with_a_code(conversation, user, body, code):
    with pytest.raises(ValidationError) as exc:
        post(conversation, user, body=body)
    assert exc.value.code == code


def test_size_limit_counts_bytes_not_characters(conversation, user, settings):
    settings.SUPPORT_MAX_MESSAGE_BYTES = 10
    with pytest.raises(ValidationError):
        post(conversation, user, body="ü" * 6)  # 12 bytes


def test_rate_limit_refuses_beyond_the_window(conversation, user, settings):
    settings.SUPPORT_RATE_LIMIT_MESSAGES = 3
    services.conversation_request_human(
        conversation=conversation
    )  # no assistant answers in between
    for n in range(3):
        post(conversation, user, client_id=f"m{n}")
    with pytest.raises(ValidationError) as exc:
        post(conversation, user, client_id="m4")
    assert exc.value.code == "rate_limited"
    assert conversation.messages.filter(role="shopper").count() == 3


def test_posting_to_a_closed_conversation_is_refused(conversation, user):
    services.conversation_close(conversation=conversation, actor=user)
    with pytest.raises(ValidationError) as exc:
        post(conversation, user)
    assert exc.value.code == "closed"


def test_shopper_message_in_bot_mode_gets_an_assistant_answer(
    conversation, user, fake_assistant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = post(conversation, user, body="How long is shipping?").message
    answer = conversation.messages.filter(role="assistant").order_by("-seq").first()
    assert answer.body == "Answer to: How long is shipping?"
    assert answer.payload["reply_to"] == message.id
    assert answer.payload["source"] == "Help: FAQ"
    text, context = fake_assistant[0]
    assert (context.user, [h.role for h in context.history]) == (user, ["assistant"])


def test_assistant_reply_is_idempotent(conversation, user):
    message = post(conversation, user, body="Question").message
    services.assistant_reply_post(message_id=message.id)
    services.assistant_reply_post(message_id=message.id)
    assert conversation.messages.filter(role="assistant", payload__reply_to=message.id).count() == 1


def test_assistant_failure_hands_over_to_a_person(conversation, user, monkeypatch):
    import support.assistant

    def broken(*, text, context):
        raise RuntimeError("model not loaded")

    monkeypatch.setattr(support.assistant, "answer", broken)
    message = post(conversation, user, body="Question").message
    services.assistant_reply_post(message_id=message.id)
    conversation.refresh_from_db()
    answer = conversation.messages.get(role="assistant", payload__reply_to=message.id)
    assert "person" in answer.body
    assert conversation.status == "waiting"


def test_missing_assistant_function_hands_over(conversation, user, monkeypatch):
    import support.assistant

    monkeypatch.delattr(support.assistant, "answer")
    message = post(conversation, user, body="Question").message
    services.assistant_reply_post(message_id=message.id)
    conversation.refresh_from_db()
    assert conversation.status == "waiting"


def test_talk_to_a_person_via_assistant_handoff(
    conversation, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(conversation, user, body="I want to talk to a person")
    conversation.refresh_from_db()
    assert conversation.status == "waiting"
    assert conversation.waiting_since is not None


def test_assistant_product_cards_become_a_product_card_message(conversation, user, monkeypatch):
    import support.assistant
    from support.assistant.types import AssistantAnswer

    product = ProductFactory(name="Blue mug", price=Decimal("12.00"))
    monkeypatch.setattr(
        support.assistant,
        "answer",
        lambda *, text, context: AssistantAnswer(
            body="Try these", kind="product_cards", payload={"product_ids": [product.id]}
        ),
    )
    message = post(conversation, user, body="gift under 50").message
    card = services.assistant_reply_post(message_id=message.id)
    assert card.kind == "product_card"
    assert card.payload["products"] == [
        {
            "id": product.id,
            "name": "Blue mug",
            "price": "12.00",
            "url": product.get_absolute_url(),
            "image": "",
        }
    ]


def test_claim_assigns_and_announces(conversation, moderator):
    services.conversation_request_human(conversation=conversation)
    services.conversation_claim(conversation=conversation, moderator=moderator)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.assigned_to) == ("assigned", moderator)
    assert conversation.messages.filter(role="system", body__contains="joined").exists()


def test_second_claim_by_another_moderator_is_refused(conversation, moderator, other_moderator):
    services.conversation_claim(conversation=conversation, moderator=moderator)
    with pytest.raises(ValidationError) as exc:
        services.conversation_claim(conversation=conversation, moderator=other_moderator)
    assert exc.value.code == "taken"


def test_shopper_cannot_claim(conversation, user):
    with pytest.raises(PermissionDenied):
        services.conversation_claim(conversation=conversation, moderator=user)


def test_transfer_moves_the_conversation(conversation, moderator, other_moderator):
    services.conversation_claim(conversation=conversation, moderator=moderator)
    services.conversation_assign(
        conversation=conversation, moderator=other_moderator, actor=moderator
    )
    conversation.refresh_from_db()
    assert conversation.assigned_to == other_moderator


def test_first_moderator_message_sets_first_response(conversation, moderator):
    services.conversation_request_human(conversation=conversation)
    services.message_post(conversation=conversation, body="Hi", role="moderator", author=moderator)
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None
    assert conversation.assigned_to == moderator  # answering an unassigned chat claims it


def test_canned_reply_shortcut_expands(conversation, moderator):
    CannedReply.objects.create(shortcut="thanks", title="Thanks", text="Thanks for waiting!")
    result = services.message_post(
        conversation=conversation, body="/thanks", role="moderator", author=moderator
    )
    assert result.message.body == "Thanks for waiting!"


def test_shopper_cannot_post_as_moderator(conversation, user):
    with pytest.raises(PermissionDenied):
        services.message_post(conversation=conversation, body="Hi", role="moderator", author=user)


def test_internal_note_is_kind_note(conversation, moderator):
    note = services.message_post(
        conversation=conversation, body="VIP", role="moderator", author=moderator, kind="note"
    ).message
    conversation.refresh_from_db()
    assert note.kind == "note"
    assert conversation.assigned_to is None  # a note does not claim


def _online(moderator, capacity=1):
    ModeratorPresence.objects.update_or_create(
        user=moderator, defaults={"status": "online", "capacity": capacity}
    )


def test_round_robin_respects_capacity_and_order(user, moderator, other_moderator):
    _online(moderator)
    _online(other_moderator)
    conversations = [services.conversation_start(user=user, session_key=None) for _ in range(3)]
    for c in conversations:
        services.conversation_request_human(conversation=c)
    for c in conversations:
        c.refresh_from_db()
    assert {conversations[0].assigned_to, conversations[1].assigned_to} == {
        moderator,
        other_moderator,
    }
    assert conversations[2].status == "waiting"  # both at capacity


def test_closing_frees_capacity_for_the_next_waiting(user, moderator):
    _online(moderator)
    first = services.conversation_start(user=user, session_key=None)
    second = services.conversation_start(user=user, session_key=None)
    services.conversation_request_human(conversation=first)
    services.conversation_request_human(conversation=second)
    services.conversation_close(conversation=first, actor=moderator)
    second.refresh_from_db()
    assert second.assigned_to == moderator


def test_auto_assign_off_leaves_the_queue(user, moderator, settings):
    settings.SUPPORT_AUTO_ASSIGN = False
    _online(moderator)
    conversation = services.conversation_start(user=user, session_key=None)
    services.conversation_request_human(conversation=conversation)
    conversation.refresh_from_db()
    assert conversation.status == "waiting"


def test_close_without_people_counts_as_resolved_by_assistant(conversation, user):
    services.conversation_close(conversation=conversation, actor=user)
    conversation.refresh_from_db()
    assert (conversation.status, conversation.resolved_by_assistant) == ("closed", True)
    assert conversation.closed_at is not None


def test_close_after_handoff_is_not_resolved_by_assistant(conversation, moderator):
    services.conversation_claim(conversation=conversation, moderator=moderator)
    services.conversation_close(conversation=conversation, actor=moderator)
    conversation.refresh_from_db()
    assert conversation.resolved_by_assistant is False


def test_rating_only_after_close_and_once(conversation, user):
    with pytest.raises(ValidationError):
        services.conversation_rate(conversation=conversation, user=user, session_key=None, rating=5)
    services.conversation_close(conversation=conversation, actor=user)
    services.conversation_rate(
        conversation=conversation, user=user, session_key=None, rating=4, comment="quick"
    )
    with pytest.raises(ValidationError):
        services.conversation_rate(conversation=conversation, user=user, session_key=None, rating=1)
    conversation.refresh_from_db()
    assert (conversation.rating, conversation.rating_comment) == (4, "quick")


@pytest.mark.parametrize("rating", [0, 6, "five", True, None])
def test_bad_ratings_are_refused(conversation, user, rating):
    services.conversation_close(conversation=conversation, actor=user)
    with pytest.raises(ValidationError):
        services.conversation_rate(
            conversation=conversation, user=user, session_key=None, rating=rating
        )


def test_read_mark_only_moves_forward(conversation, user):
    first = conversation.messages.get()
    later = post(conversation, user, client_id="r").message
    services.conversation_mark_read(
        conversation=conversation, user=user, session_key=None, up_to_id=later.id
    )
    services.conversation_mark_read(
        conversation=conversation, user=user, session_key=None, up_to_id=first.id
    )
    assert ReadState.objects.get(participant_key=f"u{user.id}").last_read_id == later.id


def test_read_mark_never_points_past_the_conversation(conversation, user):
    last = conversation.messages.get()
    services.conversation_mark_read(
        conversation=conversation, user=user, session_key=None, up_to_id=10**9
    )
    assert ReadState.objects.get().last_read_id == last.id


def test_presence_online_takes_the_oldest_waiting(
    user, moderator, django_capture_on_commit_callbacks
):
    conversation = services.conversation_start(user=user, session_key=None)
    services.conversation_request_human(conversation=conversation)
    with django_capture_on_commit_callbacks(execute=True):
        services.presence_set(user=moderator, status="online")
    conversation.refresh_from_db()
    assert conversation.assigned_to == moderator


def test_presence_refuses_shoppers(user):
    with pytest.raises(PermissionDenied):
        services.presence_set(user=user, status="online")


def test_idle_bot_conversations_close(conversation):
    from datetime import timedelta

    from django.utils import timezone

    Conversation.objects.filter(pk=conversation.pk).update(
        updated_at=timezone.now() - timedelta(hours=2)
    )
    assert services.conversations_close_idle(idle_minutes=30) == 1
    conversation.refresh_from_db()
    assert conversation.resolved_by_assistant is True


def test_visitor_conversation_is_adopted_at_login(db):
    visitor = services.conversation_start(user=None, session_key="sess1")
    shopper = UserFactory(username="later")
    services.conversation_adopt(conversation=visitor, user=shopper)
    visitor.refresh_from_db()
    assert (visitor.user, visitor.session_key) == (shopper, "")


def test_message_ids_follow_seq_order(conversation, user):
    services.conversation_request_human(conversation=conversation)
    messages = [post(conversation, user, client_id=f"o{n}").message for n in range(5)]
    stored = list(Message.objects.filter(conversation=conversation).order_by("id"))
    assert [m.seq for m in stored] == sorted(m.seq for m in stored)
    assert [m.id for m in messages] == sorted(m.id for m in messages)


def test_resend_over_the_rate_limit_returns_the_stored_message(conversation, user, settings):
    settings.SUPPORT_RATE_LIMIT_MESSAGES = 2
    services.conversation_request_human(conversation=conversation)
    first = post(conversation, user, client_id="r0")
    post(conversation, user, client_id="r1")
    again = post(conversation, user, client_id="r0")  # a reconnecting client resends its outbox
    assert (again.created, again.message.id) == (False, first.message.id)
    with pytest.raises(ValidationError) as exc:
        post(conversation, user, client_id="r2")
    assert exc.value.code == "rate_limited"


def test_a_shopper_message_needs_the_conversation_to_still_be_theirs(db):
    """The storing statement re-checks ownership: a visitor's old session cannot write once the conversation
    was adopted by the account they logged in to."""
    visitor = services.conversation_start(user=None, session_key="sess-old")
    services.message_post(
        conversation=visitor, body="hi", role="shopper", session_key="sess-old", client_id="v1"
    )
    services.conversation_adopt(conversation=visitor, user=UserFactory(username="adopter"))
    with pytest.raises(PermissionDenied):
        services.message_post(
            conversation=visitor,
            body="again",
            role="shopper",
            session_key="sess-old",
            client_id="v2",
        )
    assert list(visitor.messages.filter(role="shopper").values_list("client_id", flat=True)) == [
        "v1"
    ]


def test_posting_to_a_deleted_conversation_is_gone(conversation, user):
    Conversation.objects.filter(pk=conversation.pk).delete()
    with pytest.raises(ValidationError) as exc:
        post(conversation, user)
    assert exc.value.code == "gone"


def test_a_shopper_message_reads_nothing_before_writing(
    conversation, user, django_assert_num_queries
):
    """The hot path of the chat: no access re-read, no client_id pre-read, no refresh. PostgreSQL stores it in
    one statement (sequence bump and insert in one CTE); SQLite needs the two inside a savepoint."""
    from django.db import connection

    services.conversation_request_human(conversation=conversation)
    # As the socket does at connect: the frame's avatar then asks nothing.
    selectors.author_profile_load(user)
    expected = 1 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(expected):
        result = post(conversation, user, client_id="hot")
    stored = Message.objects.select_related("author").get(pk=result.message.id)
    assert (stored.seq, stored.body, stored.client_id, stored.author, stored.created_at) == (
        result.message.seq,
        "Hello",
        "hot",
        user,
        result.message.created_at,
    )
    assert (conversation.status, conversation.last_seq) == ("waiting", stored.seq)


def test_a_resend_stores_nothing_and_bumps_no_sequence(conversation, user):
    services.conversation_request_human(conversation=conversation)
    first = post(conversation, user, client_id="once").message
    post(conversation, user, client_id="once")
    second = post(conversation, user, client_id="next").message
    assert second.seq == first.seq + 1


def test_the_rate_window_counter_counts_and_expires():
    """`window_count` (one pipelined round trip on Redis, add + incr elsewhere) behind the chat's rate limit."""
    import time
    import uuid

    from django.core.cache import cache

    from common.ratelimit import window_count

    key = f"test:window:{uuid.uuid4().hex}"
    assert [window_count(key, timeout=1) for _ in range(3)] == [1, 2, 3]
    assert cache.get(key) == 3  # a plain cache value: other code may read it
    time.sleep(1.2)
    assert window_count(key, timeout=1) == 1
