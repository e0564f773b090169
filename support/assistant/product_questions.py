"""Questions about one product in the chat ("does the trail runner come in 42?", "这款耳机续航多久？").

Which product: the one whose page the chat was opened from (`AssistantContext.product_id`), else the one the
message names (its English or Chinese name, matched word by word against the active catalogue through
`shop.selectors.product_search`). Then, first match wins:

1. A buyer already answered a similar question: quote the most helpful answer and link to it. Similarity is the
   suggested-answer rule of `shop.services.answering.suggest_answer` run over the product's answered questions
   (the product page's `shop.selectors.product_questions`), with a stricter bar (`SIMILAR_QUESTION_MIN`).
2. Sizes, colours, stock: the product's variants and their stock (`shop.selectors.variant_choice`), as the buy
   panel shows them.
3. The product's description, attributes and reviews (`shop.services.answering`, the passages and rule of the
   product page's automatic answer): the sentence relied on is quoted.
4. Nothing relevant: say so and hand over to a person; nothing is guessed.

Nothing here writes; every fact in an answer was read from the shop's data in this call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from shop import selectors as shop_selectors
from shop.models import Product
from shop.services.answering import Passage, product_passages, suggest_answer
from shop.services.text_analysis import content_tokens
from support.assistant.intents import Intent, IntentName
from support.assistant.types import AssistantAnswer, AssistantContext

__all__ = [
    "SIMILAR_QUESTION_MIN",
    "ProductMatch",
    "answer_if_about_product",
    "answer_product_question",
    "asks_about_options",
    "product_for_question",
]

# Share (idf-weighted) of the new question's words an earlier question must contain to count as the same
# question. Tuned on the tuning half of tests/fixtures/assistant_product_questions.json (bench).
SIMILAR_QUESTION_MIN = 0.5
# Earlier questions read per product at most (pages of the product page's list).
QUESTION_PAGES = 5
# A name matches when this share of its words is in the message (all of them for a one- or two-word name).
NAME_MIN_SHARE = 0.66
CANDIDATE_TERMS = 6

_VARIANT_WORDS = re.compile(
    r"\b(sizes?|colou?rs?|in stock|stock|available|availability|sold out|options?|variants?)\b"
    r"|尺码|码数|尺寸|颜色|颜色|有货|库存|现货|缺货|卖完|售罄",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ProductMatch:
    product: Product
    how: str  # "page": the chat was opened from its page; "name": the message names it


def _words(text: str) -> set[str]:
    return {token for token in content_tokens(text) if len(token) > 1 or not token.isascii()}


def _name_share(product: Product, message_words: set[str], text: str) -> float:
    best = 0.0
    for name in (getattr(product, "name_en", "") or "", getattr(product, "name_zh_hans", "") or ""):
        if not name:
            continue
        if not name.isascii() and name in text:
            return 1.0
        words = _words(name)
        if not words:
            continue
        share = len(words & message_words) / len(words)
        if len(words) <= 2 and share < 1.0:
            continue
        best = max(best, share)
    return best


def asks_about_options(text: str) -> bool:
    """Whether a message asks about sizes, colours or stock (answered from the product's variants)."""
    return bool(_VARIANT_WORDS.search(text))


def product_for_question(*, text: str, product_id: int | None = None) -> ProductMatch | None:
    """The product a message asks about: the one it names, else the chat's page product (or None)."""
    named = _product_named(text)
    if named is not None:
        return ProductMatch(named, "name")
    if product_id is not None:
        try:
            return ProductMatch(shop_selectors.product_get_active(product_id=product_id), "page")
        except Http404:
            return None
    return None


def _product_named(text: str) -> Product | None:
    message_words = _words(text)
    if not message_words:
        return None
    candidates: dict[int, Product] = {}
    for term in sorted(message_words, key=len, reverse=True)[:CANDIDATE_TERMS]:
        for product in shop_selectors.product_search(query=term, limit=20):
            candidates.setdefault(product.id, product)
    scored = [
        (_name_share(product, message_words, text), len(product.name), product)
        for product in candidates.values()
    ]
    scored = [row for row in scored if row[0] >= NAME_MIN_SHARE]
    if not scored:
        return None
    scored.sort(key=lambda row: (-row[0], -row[1], row[2].id))
    return scored[0][2]


def _product_source(product: Product, **extra: Any) -> dict[str, Any]:
    return {
        "type": "product",
        "id": product.id,
        "name": product.name,
        "url": product.get_absolute_url(),
        **extra,
    }


def _buyer_answer(*, question: str, product: Product) -> AssistantAnswer | None:
    answered: list[shop_selectors.QuestionView] = []
    for number in range(1, QUESTION_PAGES + 1):
        page = shop_selectors.product_questions(product=product, page=number)
        answered.extend(item for item in page.items if item.answers)
        if not page.has_next:
            break
    if not answered:
        return None
    passages = [
        Passage("question", item.question.body, index) for index, item in enumerate(answered)
    ]
    found = suggest_answer(question=question, passages=passages)
    if not found.found or found.passages[0].score < SIMILAR_QUESTION_MIN:
        return None
    best = found.passages[0]
    item = answered[best.review_id if best.review_id is not None else 0]
    reply = item.answers[0]  # most helpful first
    url = reverse("shop:product_questions", args=[product.pk]) + f"#question-{item.question.pk}"
    who = _("A verified buyer") if reply.verified_buyer else _("A shopper")
    body = _(
        "%(who)s already answered a similar question about %(product)s, “%(question)s”:\n\n"
        "“%(answer)s”\n\nAll questions and answers: %(url)s"
    ) % {
        "who": who,
        "product": product.name,
        "question": item.question.body,
        "answer": reply.body,
        "url": url,
    }
    return AssistantAnswer(
        body=body,
        payload={
            "sources": [
                {
                    "type": "product_answer",
                    "product_id": product.id,
                    "question_id": item.question.pk,
                    "answer_id": reply.pk,
                    "verified_buyer": reply.verified_buyer,
                    "url": url,
                }
            ],
            "product_id": product.id,
            "quote": reply.body,
        },
        confidence=float(best.score),
        source=_("Buyer answer: %(product)s") % {"product": product.name},
    )


def _variant_answer(*, question: str, product: Product) -> AssistantAnswer | None:
    if not asks_about_options(question):
        return None
    choice = shop_selectors.variant_choice(product=product, product_picture=False)
    named = [option for option in choice.options if option.name]
    if not named:
        return None
    asked = _words(question)
    wanted = [option for option in named if _words(option.name) & asked]
    if wanted:
        option = wanted[0]
        fact = (
            _("%(option)s is in stock.") if option.available else _("%(option)s is sold out.")
        ) % {"option": option.name}
    else:
        in_stock = ", ".join(option.name for option in named if option.available)
        sold_out = ", ".join(option.name for option in named if not option.available)
        fact = (
            _("In stock: %(options)s.") % {"options": in_stock}
            if in_stock
            else _("Every option is sold out at the moment.")
        )
        if in_stock and sold_out:
            fact += " " + _("Sold out: %(options)s.") % {"options": sold_out}
    body = _("%(product)s, from its options on the product page:\n\n“%(fact)s”") % {
        "product": product.name,
        "fact": fact,
    }
    return AssistantAnswer(
        body=body,
        payload={
            "sources": [_product_source(product, part="variants")],
            "product_id": product.id,
            "quote": fact,
        },
        confidence=1.0,
        source=_("Product options: %(product)s") % {"product": product.name},
    )


def _passage_answer(*, question: str, product: Product) -> AssistantAnswer | None:
    found = suggest_answer(question=question, passages=product_passages(product))
    if not found.found:
        return None
    best = found.passages[0]
    where = {
        "description": _("From the description of %(product)s:"),
        "attribute": _("From the details of %(product)s:"),
        "review": _("A buyer of %(product)s wrote in a review:"),
    }.get(best.source, _("About %(product)s:")) % {"product": product.name}
    extra: dict[str, Any] = {"part": best.source}
    if best.review_id is not None:
        extra["review_id"] = best.review_id
    return AssistantAnswer(
        body=f"{where}\n\n“{best.text}”",
        payload={
            "sources": [_product_source(product, **extra)],
            "product_id": product.id,
            "quote": best.text,
        },
        confidence=float(best.score),
        source=_("Product: %(product)s") % {"product": product.name},
    )


def without_product_name(text: str, product: Product) -> str:
    """The question without the product's name: every passage is about the product, so its name says nothing
    about which one answers, and a name word no passage repeats would count as unanswered."""
    for name in (getattr(product, "name_en", "") or "", getattr(product, "name_zh_hans", "") or ""):
        if not name:
            continue
        text = text.replace(name, " ")
        for word in _words(name):
            if word.isascii():
                text = re.sub(rf"\b{re.escape(word)}\b", " ", text, flags=re.IGNORECASE)
    return text


def answer_product_question(*, question: str, match: ProductMatch) -> AssistantAnswer:
    """Answer `question` about `match.product`, or say nothing was found and hand over (handoff=True)."""
    product = match.product
    asked = without_product_name(question, product)
    for step in (_buyer_answer, _variant_answer, _passage_answer):
        result = step(question=asked, product=product)
        if result is not None:
            return result
    return AssistantAnswer(
        body=_(
            "I couldn't find the answer in what we know about %(product)s (its description, details, "
            "options, reviews and earlier questions), and I'd rather not guess. I'm asking a person from "
            "our team to join; they will reply here."
        )
        % {"product": product.name},
        payload={"sources": [_product_source(product)], "product_id": product.id},
        handoff=True,
        confidence=0.0,
        source=_("Product: %(product)s") % {"product": product.name},
    )


def answer_if_about_product(
    *, text: str, intent: Intent, context: AssistantContext
) -> AssistantAnswer | None:
    """A question about one product (`support.assistant.product_questions`), or None for the usual handler.

    A help question becomes a product question when it names a product, or when the chat was opened from a
    product page and the product's own data answers it (otherwise the help articles still get their turn). A
    shopping request ("do you have...") does only when it asks about the sizes, colours or stock of a product
    it names or whose page it came from; gift ideas and price caps stay with the catalogue search.
    """
    if intent.name not in (IntentName.HELP, IntentName.PRODUCTS):
        return None
    if intent.name == IntentName.PRODUCTS and (
        intent.gift or intent.price_cap is not None or not asks_about_options(text)
    ):
        return None
    match = product_for_question(text=text, product_id=context.product_id)
    if match is None:
        return None
    result = answer_product_question(question=text, match=match)
    if result.handoff and match.how == "page" and intent.name == IntentName.HELP:
        return None  # not about this product after all: the help articles may know
    return result
