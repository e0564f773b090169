"""Demo product questions: asked through the Q&A services, answered only by buyers (the verified-buyer badge is
true), helpful counts equal to the votes, some left unanswered with a suggestion, deterministic for a seed."""

from __future__ import annotations

import random
from datetime import datetime

import pytest
from django.db.models import Count, F
from django.utils import timezone

from shop.demo.qa import questions_seed
from shop.models import Answer, AnswerVote, Question
from shop.selectors.purchases import user_has_purchased
from tests.factories import ProductFactory, UserFactory
from tests.social.conftest import make_order

pytestmark = pytest.mark.django_db


def _shop(count=10):
    shoppers = [UserFactory(username=f"demo{i}") for i in range(count)]
    products = ProductFactory.create_batch(6)
    for index, shopper in enumerate(shoppers[: count - 2]):  # the last two bought nothing
        make_order(shopper, [products[index % 6], products[(index + 2) % 6]])
    return [shopper.pk for shopper in shoppers]


def _seed(shopper_ids: list[int], seed: int = 7, now: datetime | None = None):
    return questions_seed(
        rng=random.Random(seed),
        shopper_ids=shopper_ids,
        small=True,
        now=now or timezone.now(),
        log=lambda message: None,
    )


def test_demo_questions_exist_and_buyers_answer_them():
    written = _seed(_shop())

    assert written.questions == Question.objects.count() >= 6
    assert written.answers == Answer.objects.count() > 0
    for answer in Answer.objects.select_related("question"):
        assert answer.verified_buyer is True
        assert answer.author_id != answer.question.author_id
        assert user_has_purchased(user_id=answer.author_id, product_id=answer.question.product_id)
        assert answer.created_at >= answer.question.created_at
    assert Question.objects.filter(suggestion__isnull=True).count() == 0


def test_demo_helpful_counts_match_the_votes():
    written = _seed(_shop())

    assert written.votes == AnswerVote.objects.count()
    counted = Answer.objects.annotate(votes_cast=Count("votes"))
    assert all(answer.helpful_count == answer.votes_cast for answer in counted)
    assert not AnswerVote.objects.filter(user_id=F("answer__author_id")).exists()


def test_some_questions_are_left_unanswered_with_a_suggestion():
    shopper_ids = _shop()
    written = _seed(shopper_ids, seed=11)

    unanswered = Question.objects.filter(answers__isnull=True)
    assert written.unanswered == unanswered.count() > 0
    assert all(question.suggestion is not None for question in unanswered)


def test_some_demo_questions_are_in_chinese():
    _seed(_shop(), seed=3)
    bodies = list(Question.objects.values_list("body", flat=True))

    assert any(any("\u4e00" <= char <= "\u9fff" for char in body) for body in bodies)
    assert any(body.isascii() for body in bodies)


def test_the_same_seed_gives_the_same_questions():
    shopper_ids = _shop()
    now = timezone.now()
    _seed(shopper_ids, now=now)
    first = list(
        Question.objects.order_by("pk").values_list("product_id", "author_id", "body", "created_at")
    )
    Question.objects.all().delete()

    _seed(shopper_ids, now=now)

    again = list(
        Question.objects.order_by("pk").values_list("product_id", "author_id", "body", "created_at")
    )
    assert again == first
