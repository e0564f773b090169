"""A shop-domain language model for PocketSphinx, built from the shop's own words.

PocketSphinx's default English model expects general American English; a shopper says "parcel", "voucher",
"refund" and the names of the shop's products. `shop_corpus_lines()` collects the shop's own text: the published
help articles (title, keywords, sentences), the category and product names of the active catalogue (read through
`shop.selectors`), and `REQUEST_FRAMES`, the ways shoppers start a request that the assistant's intents look
for. `language_model_write(path=...)` turns them into a trigram ARPA file with PocketSphinx's own builder
(`pocketsphinx.lm.ArpaBoLM`); `SPEECH_TO_TEXT_POCKETSPHINX_LM` points the backend at it (`manage.py
speech_language_model` writes it). Words the pronunciation dictionary lacks are skipped by the decoder.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.utils import translation

from shop import selectors as shop_selectors
from support.assistant.rendering import markdown_to_plain_text
from support.models import HelpArticle

__all__ = ["REQUEST_FRAMES", "language_model_text", "language_model_write", "shop_corpus_lines"]

# How requests to the assistant begin (the words its intents react to), without the thing asked about.
REQUEST_FRAMES = (
    "where is my",
    "where are my",
    "when will my",
    "has my",
    "i want to",
    "i would like to",
    "i would like a",
    "can i",
    "can you",
    "could you",
    "please",
    "how do i",
    "how much is",
    "how long does",
    "do you have",
    "is the",
    "is it",
    "my order",
    "cancel my order",
    "return my order",
    "refund",
    "track my",
    "talk to a person",
    "speak to someone",
    "thank you",
    "yes please",
    "no thanks",
)

_WORDS = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")


def _normal(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def shop_corpus_lines() -> list[str]:
    """One normalised line per sentence or name of the shop's own English text."""
    raw: list[str] = list(REQUEST_FRAMES)
    with translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE):
        for title, keywords, body in HelpArticle.objects.filter(published=True).values_list(
            "title", "keywords", "body"
        ):
            raw.append(title)
            raw.extend(keywords.split(","))
            raw.extend(_SENTENCE_END.split(markdown_to_plain_text(body)))
        raw.extend(category.name for category in shop_selectors.category_list())
        raw.extend(row.name for row in shop_selectors.product_metadata())
    lines = [_normal(line) for line in raw]
    return [line for line in lines if line]


def language_model_text(lines: list[str]) -> str:
    """An ARPA trigram model of `lines` (absolute discounting, PocketSphinx's builder)."""
    from pocketsphinx.lm import ArpaBoLM

    model = ArpaBoLM(text="\n".join(lines), add_start=True, case="lower")
    model.compute()
    out = StringIO()
    model.write(out)
    return out.getvalue()


def language_model_write(*, path: Path) -> int:
    """Write the shop's language model to `path` (atomically); returns the number of corpus lines."""
    lines = shop_corpus_lines()
    if not lines:
        raise ValueError("The shop has no text to build a language model from.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(language_model_text(lines), encoding="utf-8")
    tmp.replace(path)
    return len(lines)
