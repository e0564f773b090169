"""Intent detection from the words of one message (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from support.assistant.intents import (
    IntentName,
    detect_intent,
    extract_order_numbers,
    extract_price_cap,
    product_query_terms,
)

PENDING = {"action": "order_cancel", "order_number": "SS261128A3F9C"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my order?", IntentName.ORDER_STATUS),
        ("Where's my parcel", IntentName.ORDER_STATUS),
        ("has my order shipped yet", IntentName.ORDER_STATUS),
        ("status of order SS261128A3F9C", IntentName.ORDER_STATUS),
        ("SS261128A3F9C?", IntentName.ORDER_STATUS),
        ("when will my package arrive", IntentName.ORDER_STATUS),
        ("please cancel my order", IntentName.ORDER_CANCEL),
        ("cancel order SS261128A3F9C", IntentName.ORDER_CANCEL),
        ("I'd like to cancel the order I placed yesterday", IntentName.ORDER_CANCEL),
        ("I want to return my last purchase", IntentName.ORDER_RETURN),
        ("can you refund order #SS261128A3F9C", IntentName.ORDER_RETURN),
        ("suggest a gift under 50", IntentName.PRODUCTS),
        ("do you have red sneakers?", IntentName.PRODUCTS),
        ("anything for my dad below €30", IntentName.PRODUCTS),
        ("how much is the cast iron teapot?", IntentName.PRODUCTS),
        ("is the linen shirt in stock", IntentName.PRODUCTS),
        ("talk to a person", IntentName.HANDOFF),
        ("Can I speak with a real human please", IntentName.HANDOFF),
        ("connect me to an agent", IntentName.HANDOFF),
        ("hello", IntentName.GREETING),
        ("thanks!", IntentName.GREETING),
        ("how do I cancel an order?", IntentName.HELP),
        ("how long does shipping take", IntentName.HELP),
        ("how long do I have to return stuff", IntentName.HELP),
        ("when do I get my money back after returning", IntentName.HELP),
        ("why are you showing me these suggestions", IntentName.HELP),
        ("yes", IntentName.GREETING),
        ("ok", IntentName.GREETING),
    ],
)
def test_detect_intent(text, expected):
    assert detect_intent(text).name == expected


@pytest.mark.parametrize("text", ["yes", "Yes please", "yep, do it", "ok", "confirm"])
def test_confirmation_only_counts_while_an_action_is_pending(text):
    assert detect_intent(text, pending_action=PENDING).name == IntentName.CONFIRM


@pytest.mark.parametrize("text", ["no", "No, keep it", "never mind", "don't"])
def test_decline_while_an_action_is_pending(text):
    assert detect_intent(text, pending_action=PENDING).name == IntentName.DECLINE


def test_other_messages_while_pending_are_classified_normally():
    assert (
        detect_intent("where is my order", pending_action=PENDING).name == IntentName.ORDER_STATUS
    )


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("where is SS261128A3F9C", ("SS261128A3F9C",)),
        ("order ss261128a3f9c please", ("SS261128A3F9C",)),
        ("order #12345 and order no. 777888", ("12345", "777888")),
        ("is SST00000042 shipped", ("SST00000042",)),
        ("SS261128A3F9C or SS261128A3F9C", ("SS261128A3F9C",)),
        ("size 42 shoes under 50", ()),
        ("order 12", ()),
    ],
)
def test_extract_order_numbers(text, numbers):
    assert extract_order_numbers(text) == numbers


@pytest.mark.parametrize(
    ("text", "cap"),
    [
        ("suggest a gift under 50", Decimal("50")),
        ("something below €30 please", Decimal("30")),
        ("max 25.50 eur", Decimal("25.50")),
        ("a present, budget of 40", Decimal("40")),
        ("40 euros or less", Decimal("40")),
        ("less than $19,99", Decimal("19.99")),
        ("a gift for my sister", None),
    ],
)
def test_extract_price_cap(text, cap):
    assert extract_price_cap(text) == cap


def test_product_terms_drop_request_words_and_prices():
    assert product_query_terms("Do you have red sneakers under 50 euros?") == ("red", "sneakers")
    assert product_query_terms("suggest a gift for my mum under 30") == ()
    assert product_query_terms("is the linen shirt in stock?") == ("linen", "shirt")


@pytest.mark.parametrize(
    "text",
    [
        "can I pay in cash when the parcel comes?",
        "the parcel is marked shipped but nothing came yet",
    ],
)
def test_general_questions_about_the_parcel_stay_help_questions(text):
    assert detect_intent(text).name == IntentName.HELP


@pytest.mark.parametrize(
    "text", ["is pay on delivery available in Austria?", "is express delivery available"]
)
def test_availability_of_a_service_is_a_help_question(text):
    assert detect_intent(text).name == IntentName.HELP
