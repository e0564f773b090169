"""Pick the part of a help article that answers the question, so the chat bubble stays short.

Short articles are quoted whole. Longer ones are split into paragraphs (blank-line separated blocks); the
paragraphs sharing most (stemmed, IDF-weighted) words with the question are kept, in article order, within a
length budget. The first paragraph is the fallback when no words are shared.
"""

from __future__ import annotations

import math
from collections import Counter

from support.assistant.retrieval import word_tokens

__all__ = ["best_passage", "split_paragraphs"]

QUOTE_WHOLE_UP_TO = 700
PASSAGE_BUDGET = 600


def split_paragraphs(text: str) -> list[str]:
    return [block.strip() for block in text.split("\n\n") if block.strip()]


def best_passage(*, question: str, article_text: str) -> str:
    text = article_text.strip()
    if len(text) <= QUOTE_WHOLE_UP_TO:
        return text
    paragraphs = split_paragraphs(text)
    if len(paragraphs) <= 1:
        return text[:PASSAGE_BUDGET].rsplit(" ", 1)[0] + " …"
    tokenised = [set(word_tokens(paragraph)) for paragraph in paragraphs]
    document_frequency = Counter(token for tokens in tokenised for token in tokens)
    asked = set(word_tokens(question))
    count = len(paragraphs)

    def score(index: int) -> float:
        shared = asked & tokenised[index]
        return sum(math.log(1 + count / document_frequency[token]) for token in shared)

    ranked = sorted(range(count), key=lambda index: (-score(index), index))
    if score(ranked[0]) == 0:
        ranked = [0]
    chosen: list[int] = []
    used = 0
    for index in ranked:
        if score(index) == 0 and chosen:
            break
        if chosen and used + len(paragraphs[index]) > PASSAGE_BUDGET:
            continue
        chosen.append(index)
        used += len(paragraphs[index])
    return "\n\n".join(paragraphs[index] for index in sorted(chosen))
