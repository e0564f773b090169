"""The assistant answers questions about one product: buyer answers first, then options and stock, then the
product's own text, else it says it found nothing and hands over."""

from __future__ import annotations

import pytest
from django.utils import translation

from shop.models import ProductVariant
from support.assistant import AssistantContext, answer, retrieval
from support.demo.articles import seed_articles
from tests.factories import ProductFactory, ReviewFactory
from tests.factories.qa import AnswerFactory, QuestionFactory
from tests.factories.variants import ProductVariantFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def demo_articles(db):
    retrieval.clear_index_cache()
    seed_articles(log=lambda _message: None)
    yield
    retrieval.clear_index_cache()


@pytest.fixture
def headphones(db):
    product = ProductFactory(
        name="Quietwave headphones",
        name_zh_hans="静波耳机",
        slug="quietwave-headphones",
        description=(
            "Wireless over-ear headphones with active noise cancelling. Up to 30 hours of playback on one "
            "charge. USB-C charging; a full charge takes two hours."
        ),
        attributes={"weight": "250 g", "bluetooth": "5.3"},
    )
    ReviewFactory(product=product, title="", body="Noise cancelling works well on the train.")
    return product


@pytest.fixture
def slides(db):
    product = ProductFactory(
        name="Harbour slides",
        slug="harbour-slides",
        description="Rubber slides for the pool and the beach.",
        default_variant=False,
    )
    ProductVariantFactory(product=product, name="Olive / 40", stock=3, position=0)
    ProductVariantFactory(product=product, name="Olive / 42", stock=0, position=1)
    return product


def ask(text, *, product_id=None, user=None):
    return answer(text=text, context=AssistantContext(user=user, product_id=product_id))


def test_a_question_naming_a_product_quotes_the_description_sentence_it_relied_on(headphones):
    reply = ask("How long does a full charge of the Quietwave headphones take?")

    assert "“a full charge takes two hours.”" in reply.body
    assert reply.payload["intent"] == "product_question"
    assert reply.payload["sources"][0]["url"] == headphones.get_absolute_url()
    assert not reply.handoff


def test_the_page_product_is_used_when_the_question_names_none(headphones):
    reply = ask("Does the noise cancelling work on a train?", product_id=headphones.id)

    assert "Noise cancelling works well on the train." in reply.body
    assert reply.payload["sources"][0]["part"] == "review"


def test_an_existing_buyer_answer_to_a_similar_question_is_quoted_with_a_link(headphones):
    question = QuestionFactory(product=headphones, body="Do they fold flat for travel?")
    AnswerFactory(question=question, body="Yes, they fold flat into the case.", verified_buyer=True)

    reply = ask("Do the Quietwave headphones fold flat?")

    assert "Yes, they fold flat into the case." in reply.body
    source = reply.payload["sources"][0]
    assert source["type"] == "product_answer"
    assert source["url"].endswith(f"#question-{question.pk}")
    assert source["verified_buyer"] is True


def test_a_hidden_buyer_answer_is_not_quoted(headphones):
    question = QuestionFactory(product=headphones, body="Do they fold flat for travel?")
    AnswerFactory(question=question, body="Secret folding trick.", is_hidden=True)

    reply = ask("Do the Quietwave headphones fold flat?")

    assert "Secret folding trick." not in reply.body


def test_a_size_question_answers_from_the_variants_stock(slides):
    reply = ask("Are the Harbour slides in stock in size 42?")

    assert "Olive / 42 is sold out." in reply.body
    assert reply.payload["sources"][0]["part"] == "variants"


def test_an_options_question_lists_what_is_in_stock_and_what_is_sold_out(slides):
    reply = ask("Which sizes are available?", product_id=slides.id)

    assert "In stock: Olive / 40." in reply.body
    assert "Sold out: Olive / 42." in reply.body


def test_a_variant_that_is_no_longer_active_is_not_offered(slides):
    ProductVariant.objects.filter(product=slides, name="Olive / 40").update(is_active=False)

    reply = ask("Which sizes are available?", product_id=slides.id)

    assert "Olive / 40" not in reply.body


def test_nothing_relevant_says_so_and_hands_over_instead_of_guessing(headphones):
    reply = ask("Is the Quietwave headphones case vegan leather?")

    assert reply.handoff
    assert "rather not guess" in reply.body
    assert reply.payload["intent"] == "product_question"


def test_a_general_question_from_a_product_page_still_gets_the_help_article(headphones):
    reply = ask("How do I reset my password?", product_id=headphones.id)

    assert reply.payload["intent"] == "help"
    assert reply.payload["sources"][0]["type"] == "article"


def test_a_gift_request_stays_a_catalogue_search(headphones):
    reply = ask("any gift ideas under 50 euros?")

    assert reply.payload["intent"] == "products"


def test_a_chinese_question_is_matched_by_the_chinese_name_and_answered_in_chinese(headphones):
    headphones.description_zh_hans = "无线头戴式耳机，主动降噪。充电两小时可播放30小时。"
    headphones.save(update_fields=["description_zh_hans"])

    with translation.override("zh-hans"):
        reply = ask("静波耳机的续航怎么样？")

    assert "充电两小时可播放30小时" in reply.body
    assert "静波耳机" in reply.body
    assert reply.payload["intent"] == "product_question"
