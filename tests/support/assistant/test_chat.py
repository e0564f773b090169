"""The contract with the chat: its task posts `answer()` through the chat service, and a cancellation needs the
shopper's "yes" as the next message of the same conversation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shop.models import Order
from support.assistant import retrieval
from support.demo.articles import seed_articles
from support.models import Conversation, Message
from support.services import assistant_reply_post, conversation_start, message_post
from tests.factories import ProductFactory
from tests.factories.commerce import OrderFactory, OrderLineFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def demo_articles(db):
    retrieval.clear_index_cache()
    seed_articles(log=lambda _message: None)
    yield
    retrieval.clear_index_cache()


@pytest.fixture
def order(user):
    order = OrderFactory(user=user, number="SS261101CHAT01", status=Order.Status.PAID)
    OrderLineFactory(order=order, product=ProductFactory(stock=1), quantity=1)
    return order


def shopper_says(conversation, user, body, client_id):
    posted = message_post(
        conversation=conversation,
        body=body,
        role=Message.Role.SHOPPER,
        author=user,
        client_id=client_id,
    )
    return assistant_reply_post(message_id=posted.message.id)


def test_order_question_in_an_order_conversation_is_answered_with_that_order(user, order):
    conversation = conversation_start(user=user, session_key=None, order_number=order.number)

    reply = shopper_says(conversation, user, "where is my order?", "c1")

    assert reply.role == Message.Role.ASSISTANT
    assert reply.body.startswith("Order SS261101CHAT01 is paid.")
    assert reply.payload["sources"][0]["number"] == "SS261101CHAT01"
    assert reply.payload["source"] == "Order SS261101CHAT01"


def test_cancel_then_yes_through_the_chat_cancels_the_order(user, order):
    conversation = conversation_start(user=user, session_key=None)

    question = shopper_says(conversation, user, "please cancel my order", "c1")
    done = shopper_says(conversation, user, "yes", "c2")

    order.refresh_from_db()
    assert question.payload["pending_action"]["order_number"] == "SS261101CHAT01"
    assert done.body.startswith("Done: order SS261101CHAT01 is cancelled.")
    assert order.status == Order.Status.CANCELLED


def test_gift_request_through_the_chat_posts_product_cards(user):
    gift = ProductFactory(name="Scented candle", price=Decimal("18.00"), stock=5)
    ProductFactory(name="Armchair", price=Decimal("240.00"), stock=5)
    conversation = conversation_start(user=user, session_key=None)

    reply = shopper_says(conversation, user, "any gift ideas under 50?", "c1")

    assert reply.kind == Message.Kind.PRODUCT_CARD
    assert reply.payload["product_ids"] == [gift.id]


def test_asking_for_a_person_hands_the_conversation_over(user):
    conversation = conversation_start(user=user, session_key=None)

    shopper_says(conversation, user, "can I talk to a human?", "c1")

    conversation.refresh_from_db()
    assert conversation.status != Conversation.Status.BOT


def test_a_product_question_in_the_chat_is_answered_with_the_buyer_answer_it_quotes(user):
    from tests.factories.qa import AnswerFactory, QuestionFactory

    product = ProductFactory(name="Harbour slides", slug="harbour-slides")
    question = QuestionFactory(product=product, body="Are they slippery on wet tiles?")
    AnswerFactory(question=question, body="A little on wet tiles, fine on sand.")
    conversation = conversation_start(user=user, session_key=None)

    reply = shopper_says(conversation, user, "Are the Harbour slides slippery when wet?", "p1")

    assert "A little on wet tiles, fine on sand." in reply.body
    assert reply.payload["sources"][0]["type"] == "product_answer"
    assert Conversation.objects.get(pk=conversation.pk).status == Conversation.Status.BOT
