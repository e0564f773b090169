"""Demo product questions and answers, through the Q&A services (shop.services.qa), so the demo's rows obey
the same rules as a shopper's: the "verified buyer" badge comes from the orders, one answer per person and
question, one helpful vote per person and answer, never on one's own answer.

About a third of the products that have buyers get one to three questions (a dozen products with `--small`),
asked by shoppers who have not bought them, some in Chinese for the zh demo. Most questions are answered by one
or two of the product's buyers (so every demo answer carries the badge) and some answers get helpful votes; one
question in five is left unanswered, so its automatic suggested answer shows. Questions are asked without the
services' follow-ups (no buyer is invited to answer a question dated weeks ago); the suggestions are computed
here instead. Every choice comes from `rng`, so a seed gives the same questions.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.text import slugify

from shop.demo.data import CATALOGUE
from shop.models import Answer, Product, Question, User
from shop.selectors.purchases import recent_buyer_ids
from shop.services.qa import (
    answer_create,
    answer_vote_helpful,
    question_ask,
    question_suggestion_refresh,
)

__all__ = ["DemoQuestions", "questions_seed"]


@dataclass(frozen=True)
class _Thread:
    """A question and the answers buyers may give to it (in the question's language)."""

    question: str
    answers: tuple[str, ...]


_GENERIC_EN = (
    _Thread(
        "Is it worth the price?",
        (
            "Yes, I have used it for months and it still looks new.",
            "For what you get, I think so. I would buy it again.",
        ),
    ),
    _Thread(
        "How long did delivery take?",
        ("Mine arrived in three days.", "Two days to Berlin, well packed."),
    ),
    _Thread(
        "Does it look like the pictures?",
        (
            "Yes, the colour is true to the photos.",
            "Pretty much, maybe a shade darker in daylight.",
        ),
    ),
)
_GENERIC_ZH = (
    _Thread("质量怎么样？值得买吗？", ("质量很好，用了几个月还像新的。", "性价比不错，我会再买。")),
    _Thread("实物和图片一样吗？", ("基本一样，颜色稍微深一点。", "和图片一样，没有色差。")),
    _Thread("发货快吗？", ("三天就到了，包装很好。",)),
)
_BY_ROOT_EN: dict[str, tuple[_Thread, ...]] = {
    "Clothing": (
        _Thread(
            "Does it run true to size?",
            (
                "True to size for me; I took my usual M.",
                "A little snug across the shoulders, I would size up if in between.",
            ),
        ),
        _Thread(
            "Does it shrink in the wash?",
            (
                "Not at 30 degrees. I hang it to dry.",
                "Barely, maybe half a size after the first wash.",
            ),
        ),
        _Thread("Is the fabric see-through?", ("No, it is nicely opaque.",)),
    ),
    "Shoes": (
        _Thread(
            "Are they comfortable for walking all day?",
            (
                "Yes, I wore them on a city trip, no blisters.",
                "After a week of breaking in, very comfortable.",
            ),
        ),
        _Thread(
            "Do they fit wide feet?",
            ("I have wide feet and half a size up was perfect.", "They are on the narrow side."),
        ),
        _Thread("Are they waterproof?", ("They kept my feet dry in light rain.",)),
    ),
    "Home & Kitchen": (
        _Thread(
            "Is it dishwasher safe?",
            ("I put it in the dishwasher every day, no problem.", "Yes, top rack."),
        ),
        _Thread(
            "Does it work on an induction hob?",
            ("Works fine on my induction hob.", "Yes, it heats evenly on induction."),
        ),
        _Thread("Is it heavy?", ("Solid but not too heavy to lift with one hand.",)),
    ),
    "Electronics": (
        _Thread(
            "How long does the battery last?",
            (
                "About two days with normal use.",
                "I charge it every night, but it would last longer.",
            ),
        ),
        _Thread(
            "Does it come with a charger?",
            ("Only a USB-C cable, no plug.", "A cable is in the box, the adapter is not."),
        ),
        _Thread("Does it work with an iPhone?", ("Yes, it pairs with my iPhone without trouble.",)),
    ),
    "Sports & Outdoors": (
        _Thread(
            "Is it good for beginners?",
            ("Yes, I started with it and still use it.", "Easy to use from the first day."),
        ),
        _Thread(
            "How much does it weigh?",
            ("Light enough to carry all day.", "It is light, I barely notice it in my bag."),
        ),
        _Thread("Does it hold up in the rain?", ("It has survived several wet hikes.",)),
    ),
    "Beauty & Care": (
        _Thread(
            "Is it good for sensitive skin?",
            ("My skin is sensitive and I had no reaction.", "No irritation for me."),
        ),
        _Thread(
            "Does it have a strong scent?",
            ("Very light scent that fades quickly.", "Barely any smell."),
        ),
        _Thread("How long does one bottle last?", ("About two months with daily use.",)),
    ),
    "Books & Stationery": (
        _Thread(
            "Is the paper thick enough for fountain pens?",
            ("No bleed-through with my fountain pen.", "A little ghosting, but no bleeding."),
        ),
        _Thread(
            "Is it a good gift?",
            ("I bought a second one as a present, it went down well.",),
        ),
    ),
}
_BY_ROOT_ZH: dict[str, tuple[_Thread, ...]] = {
    "Clothing": (
        _Thread(
            "尺码标准吗？平时穿M码要买哪个？",
            ("尺码标准，我平时穿M就买的M。", "稍微偏小，建议大一码。"),
        ),
    ),
    "Shoes": (_Thread("鞋子磨脚吗？", ("不磨脚，穿一整天也舒服。", "前两天有点硬，后来就好了。")),),
    "Home & Kitchen": (_Thread("可以放洗碗机吗？", ("可以，我每天都放洗碗机洗。",)),),
    "Electronics": (_Thread("电池续航多久？", ("正常使用大概两天。", "每天充一次电就够了。")),),
    "Sports & Outdoors": (_Thread("适合新手吗？", ("适合，我就是新手，很容易上手。",)),),
    "Beauty & Care": (_Thread("敏感肌可以用吗？", ("我是敏感肌，用了没有过敏。",)),),
}

_ROOT_BY_SLUG = {slugify(name): name for name in CATALOGUE}

# Shares: products with buyers that get questions, questions in Chinese, questions left unanswered.
_PRODUCT_SHARE = 0.33
_SMALL_PRODUCTS = 12
_ZH_SHARE = 0.25
_UNANSWERED_SHARE = 0.2


@dataclass(frozen=True)
class DemoQuestions:
    """What the Q&A demo wrote, for the seed's log."""

    questions: int
    answers: int
    votes: int
    unanswered: int


def _root_name(product: Product) -> str:
    """The demo root category's English name (shop.demo.data.CATALOGUE), from its slug (names translate)."""
    root = product.category.parent or product.category
    return _ROOT_BY_SLUG.get(root.slug, "")


def _threads(rng: random.Random, root: str, count: int) -> list[_Thread]:
    """`count` distinct threads for a product of `root`, each in English or (now and then) Chinese."""
    pools = {
        "en": [*_BY_ROOT_EN.get(root, ()), *_GENERIC_EN],
        "zh": [*_BY_ROOT_ZH.get(root, ()), *_GENERIC_ZH],
    }
    chosen: list[_Thread] = []
    for _ in range(count):
        pool = pools["zh" if rng.random() < _ZH_SHARE else "en"]
        thread = rng.choice(pool)
        pool.remove(thread)
        chosen.append(thread)
    return chosen


def questions_seed(
    *,
    rng: random.Random,
    shopper_ids: list[int],
    small: bool,
    now: datetime,
    log: Callable[[str], None],
) -> DemoQuestions:
    products = list(
        Product.objects.filter(is_active=True).select_related("category__parent").order_by("pk")
    )
    buyers = {
        product.pk: sorted(recent_buyer_ids(product_id=product.pk, limit=50))
        for product in products
    }
    candidates = [product for product in products if buyers[product.pk]]
    count = min(
        len(candidates), _SMALL_PRODUCTS if small else round(len(candidates) * _PRODUCT_SHARE)
    )
    chosen = sorted(rng.sample(candidates, count), key=lambda product: product.pk)
    people = sorted(set(shopper_ids))
    wanted = set(people).union(*(buyers[product.pk] for product in chosen))
    users = {user.pk: user for user in User.objects.filter(pk__in=wanted)}
    questions = answers = votes = unanswered = 0
    for product in chosen:
        product_buyers = buyers[product.pk]
        askers = [pk for pk in people if pk not in product_buyers] or people
        for thread in _threads(rng, _root_name(product), rng.randint(1, 3)):
            asked_at = now - timedelta(days=rng.randint(3, 90), minutes=rng.randint(0, 1439))
            asker = users[rng.choice(askers)]
            question = question_ask(
                user=asker, product=product, body=thread.question, follow_ups=False
            )
            Question.objects.filter(pk=question.pk).update(created_at=asked_at)
            question_suggestion_refresh(question_id=question.pk)
            questions += 1
            if rng.random() < _UNANSWERED_SHARE:
                unanswered += 1
                continue
            answerers = [pk for pk in product_buyers if pk != asker.pk]
            replies = rng.sample(
                thread.answers, min(len(thread.answers), len(answerers), rng.randint(1, 2))
            )
            for body, author_id in zip(replies, rng.sample(answerers, len(replies)), strict=True):
                answer = answer_create(user=users[author_id], question=question, body=body)
                answered_at = asked_at + timedelta(hours=rng.randint(2, 72))
                Answer.objects.filter(pk=answer.pk).update(created_at=min(answered_at, now))
                answers += 1
                voters = [pk for pk in people if pk != author_id]
                for voter_id in rng.sample(
                    voters, min(len(voters), rng.choice((0, 0, 1, 2, 3, 5)))
                ):
                    answer_vote_helpful(user=users[voter_id], answer=answer)
                    votes += 1
    result = DemoQuestions(questions=questions, answers=answers, votes=votes, unanswered=unanswered)
    log(
        f"    {result.questions} product questions on {len(chosen)} products, {result.answers} answers "
        f"by buyers, {result.votes} helpful votes, {result.unanswered} left unanswered"
    )
    return result
