"""The automatic suggested answer to a product question, grounded in the shop's own text.

Passages are the product's description sentences, its attributes ("Material: leather") and the sentences of its
visible reviews. Each passage is scored by the share of the question's content words (idf-weighted over the
product's passages; a word naming an aspect the passage also names counts as found, so "battery" meets
"charge") it contains. Passages over
`MIN_COVERAGE` are quoted as they stand, best first, at most `MAX_PASSAGES`; when none reaches it the answer says
nothing relevant was found. Nothing is generated, so nothing can be invented.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from shop.models import Product, Review
from shop.services.text_analysis import ASPECTS, content_tokens, sentences

__all__ = ["MAX_PASSAGES", "MIN_COVERAGE", "Passage", "Suggestion", "suggest_answer"]

MAX_PASSAGES = 3
MIN_COVERAGE = 0.5
# Review sentences read per product at most (newest first): bounds the task's work on huge products.
MAX_REVIEWS = 300


@dataclass(frozen=True)
class Passage:
    source: str  # "description" | "attribute" | "review"
    text: str
    review_id: int | None = None
    score: float = 0.0


@dataclass(frozen=True)
class Suggestion:
    found: bool
    passages: tuple[Passage, ...]

    def as_json(self) -> dict[str, Any]:
        return {"found": self.found, "passages": [asdict(p) for p in self.passages]}


def _terms(text: str) -> set[str]:
    words = set(content_tokens(text))
    for aspect, names in ASPECTS.items():
        if words & names:
            words.add(f"@{aspect}")
    return words


def product_passages(product: Product) -> list[Passage]:
    passages = [Passage("description", text) for text in sentences(product.description)]
    for key, value in sorted((product.attributes or {}).items()):
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        passages.append(Passage("attribute", f"{str(key).replace('_', ' ').capitalize()}: {shown}"))
    reviews = Review.objects.filter(product=product, is_hidden=False).order_by("-created_at", "-id")
    for review_id, title, body in reviews.values_list("id", "title", "body")[:MAX_REVIEWS]:
        for text in sentences(f"{title}. {body}" if title else body):
            passages.append(Passage("review", text, review_id))
    return passages


def suggest_answer(*, question: str, passages: list[Passage]) -> Suggestion:
    """Quote the passages that answer `question`, or say none does (found=False, no passages)."""
    query = _terms(question)
    if not query or not passages:
        return Suggestion(found=False, passages=())
    passage_terms = [_terms(p.text) for p in passages]
    document_frequency: Counter[str] = Counter()
    for terms in passage_terms:
        document_frequency.update(terms)
    count = len(passages)

    def idf(term: str) -> float:
        return math.log(1 + count / (1 + document_frequency[term]))

    # Words of the question no passage has still count against coverage (they are what was asked).
    total = sum(idf(term) for term in query if not term.startswith("@")) or 1.0
    scored = []
    for passage, terms in zip(passages, passage_terms, strict=True):
        shared = query & terms
        # A question word is covered when the passage has it, or names the same aspect ("电池" ~ "续航").
        aspects = [ASPECTS[t[1:]] for t in shared if t.startswith("@")]
        covered = {
            t
            for t in query
            if not t.startswith("@") and (t in shared or any(t in names for names in aspects))
        }
        coverage = sum(idf(t) for t in covered) / total
        if coverage >= MIN_COVERAGE:
            scored.append((coverage, passage))
    scored.sort(key=lambda item: (-item[0], item[1].source != "description", len(item[1].text)))
    chosen, seen = [], set()
    for coverage, passage in scored:
        if passage.text.lower() in seen:
            continue
        seen.add(passage.text.lower())
        chosen.append(Passage(passage.source, passage.text, passage.review_id, round(coverage, 2)))
        if len(chosen) == MAX_PASSAGES:
            break
    return Suggestion(found=bool(chosen), passages=tuple(chosen))
