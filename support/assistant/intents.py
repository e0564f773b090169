"""What a shopper's message asks for, read from its words alone (no database access here).

Rules, not a model, on purpose: the actions behind these intents touch orders, so each trigger must be
predictable and testable. A message about the shopper's own order ("where is my order", "cancel order
SS2611...") becomes an order intent; a general question about the same topic ("how do I cancel an order?")
stays a help question answered from the articles. Anything that is not clearly an action is a help question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

__all__ = [
    "Intent",
    "IntentName",
    "detect_intent",
    "extract_order_numbers",
    "extract_price_cap",
    "product_query_terms",
]


class IntentName(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"
    HANDOFF = "handoff"
    GREETING = "greeting"
    ORDER_STATUS = "order_status"
    ORDER_CANCEL = "order_cancel"
    ORDER_RETURN = "order_return"
    PRODUCTS = "products"
    # Set by the orchestrator (it needs the catalogue), never by `detect_intent`.
    PRODUCT_QUESTION = "product_question"
    HELP = "help"


@dataclass(frozen=True)
class Intent:
    name: IntentName
    order_numbers: tuple[str, ...] = ()
    price_cap: Decimal | None = None
    product_terms: tuple[str, ...] = ()
    gift: bool = False


_FLAGS = re.IGNORECASE

# Order numbers look like SS261128A3F9C (shop.services): a few letters, then digits. Anything after "order" or
# "#" that has digits counts too, so a mistyped or foreign number is recognised as a number and refused.
_ORDER_NUMBER_SHAPE = re.compile(r"\b[A-Z]{1,4}-?\d{5,}[A-Z0-9]*\b", _FLAGS)
_ORDER_NUMBER_AFTER_WORD = re.compile(
    r"(?:\border\s*(?:no\.?|nr\.?|number|num|id)?\s*[:#]?\s*|#\s*)([A-Z0-9][A-Z0-9-]{3,19})\b",
    _FLAGS,
)

_CONFIRM = re.compile(
    r"^\s*(yes|yeah|yep|yup|ya|sure|ok|okay|confirm(ed)?|correct|do it|go ahead|please do|"
    r"absolutely|definitely|y)\b",
    _FLAGS,
)
_DECLINE = re.compile(
    r"^\s*(no|nope|nah|don'?t|do not|stop|never\s*mind|nevermind|keep it|leave it|forget it|"
    r"wait|n)\b",
    _FLAGS,
)
_HANDOFF = re.compile(
    r"\b(talk|speak|chat|connect|put)\b[^.?!]{0,30}\b(person|human|agent|someone|somebody|"
    r"representative|rep|staff|operator|team member|real)\b"
    r"|\b(human|real person|live agent|live person|customer service agent)\b"
    r"|\bescalate\b|\boperator\b",
    _FLAGS,
)
_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hallo|good (morning|afternoon|evening)|thanks?( you)?|thank you( so much)?|"
    r"cheers|ok thanks|great,? thanks|ok|okay|yes|yeah|no|nope|cool|great|fine|alright)\W*(there|team)?\W*$",
    _FLAGS,
)

_ORDER_NOUN = r"(order|purchase|parcel|package|delivery|shipment)s?\b"
# "the order" is enough next to a strong verb (cancel, return); a status question needs "my/this order".
_MY_ORDER = r"\b(my|this|that|the|our|last|latest|recent|most recent)\s+(\w+\s+)?" + _ORDER_NOUN
_OWN_ORDER = r"\b(my|this|that|our|last|latest|recent|most recent)\s+(\w+\s+)?" + _ORDER_NOUN
_CANCEL_WORD = r"\bcancel(l?ed|l?ing|lation)?\b"
_CANCEL_ACTION = re.compile(
    rf"{_CANCEL_WORD}[^.?!]{{0,40}}{_MY_ORDER}"
    rf"|{_MY_ORDER}[^.?!]{{0,30}}{_CANCEL_WORD}"
    r"|\bcancel\s+(it|this|that)\b"
    r"|\b(please|want to|wanna|would like to|i'?d like to|need to|can you|could you|pls)\s+cancel\b",
    _FLAGS,
)
_RETURN_WORD = r"\b(return(ed|ing)?|send\s+(it\s+)?back|refund(ed)?|money back)\b"
_RETURN_ACTION = re.compile(
    rf"{_RETURN_WORD}[^.?!]{{0,40}}{_MY_ORDER}"
    rf"|{_MY_ORDER}[^.?!]{{0,30}}{_RETURN_WORD}"
    r"|\b(please|want to|wanna|would like to|i'?d like to|need to|can you|could you|pls)\s+"
    r"(return|refund|send\s+(it\s+)?back)\b",
    _FLAGS,
)
_STATUS = re.compile(
    r"\bwhere('?s|\s+is|\s+are)\b[^.?!]{0,25}\b(order|parcel|package|delivery|stuff|purchase|shipment)"
    r"|\b(status|track|tracking|progress)\b[^.?!]{0,25}"
    + _OWN_ORDER
    + r"|"
    + _OWN_ORDER
    + r"[^.?!]{0,40}"
    r"\b(status|arrive|arrived|arriving|come|coming|shipped|ship|sent|dispatched|late|delayed|"
    r"stuck|where|when|track)\b"
    r"|\b(when|has|have|did)\b[^.?!]{0,20}" + _OWN_ORDER + r"|\border status\b",
    _FLAGS,
)

_PRODUCT = re.compile(
    r"\b(gift|gifts|present for|birthday present|suggest|suggestion for|recommend (me|a|some|something)|"
    r"looking for|look for|do you (have|sell|stock|carry)|have you got|show me|find me|"
    r"i('?m| am) after|i need an?|i want to buy|where can i buy|any good|how much (is|are|does|do)|"
    r"price of|(is|are) (the |your )?[\w -]{2,40} in stock)\b",
    _FLAGS,
)
_GIFT = re.compile(r"\b(gift|gifts|present|presents|birthday|christmas|anniversary)\b", _FLAGS)
_AMOUNT = r"(?:€|eur|euro|euros|\$|£|usd)?\s*(\d{1,6}(?:[.,]\d{1,2})?)\s*(?:€|eur|euros?|\$|£|dollars?|bucks|quid)?"
_PRICE_CAP = re.compile(
    r"\b(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most|no more than|within|"
    r"budget(?: of| is)?|not more than|not over)\s*" + _AMOUNT + r"|(?:<=?)\s*" + _AMOUNT,
    _FLAGS,
)
_PRICE_CAP_AFTER = re.compile(
    _AMOUNT + r"\s*(?:or less|or under|max|tops|and under|or cheaper)\b", _FLAGS
)

# Words that say what kind of request it is, not what product is wanted.
_NOT_PRODUCT_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "for",
        "of",
        "to",
        "in",
        "on",
        "at",
        "with",
        "about",
        "from",
        "by",
        "my",
        "me",
        "i",
        "im",
        "i'm",
        "we",
        "you",
        "your",
        "our",
        "their",
        "his",
        "her",
        "him",
        "them",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "some",
        "any",
        "something",
        "anything",
        "please",
        "pls",
        "can",
        "could",
        "would",
        "will",
        "should",
        "do",
        "does",
        "did",
        "have",
        "has",
        "got",
        "get",
        "give",
        "show",
        "find",
        "suggest",
        "suggestion",
        "suggestions",
        "recommend",
        "recommendation",
        "recommendations",
        "idea",
        "ideas",
        "gift",
        "gifts",
        "present",
        "presents",
        "birthday",
        "christmas",
        "anniversary",
        "looking",
        "look",
        "need",
        "want",
        "buy",
        "sell",
        "stock",
        "carry",
        "under",
        "below",
        "less",
        "than",
        "cheaper",
        "max",
        "maximum",
        "up",
        "most",
        "no",
        "more",
        "not",
        "over",
        "within",
        "budget",
        "price",
        "priced",
        "cost",
        "costs",
        "euro",
        "euros",
        "eur",
        "usd",
        "dollar",
        "dollars",
        "bucks",
        "quid",
        "what",
        "which",
        "good",
        "nice",
        "great",
        "cool",
        "best",
        "cheap",
        "affordable",
        "is",
        "are",
        "be",
        "there",
        "here",
        "who",
        "that",
        "likes",
        "like",
        "loves",
        "love",
        "friend",
        "friends",
        "mum",
        "mom",
        "dad",
        "mother",
        "father",
        "wife",
        "husband",
        "girlfriend",
        "boyfriend",
        "sister",
        "brother",
        "son",
        "daughter",
        "kid",
        "kids",
        "child",
        "children",
        "grandma",
        "grandpa",
        "colleague",
        "boss",
        "teacher",
        "person",
        "someone",
        "him",
        "her",
        "new",
        "one",
        "ones",
        "thing",
        "things",
        "item",
        "items",
        "product",
        "products",
        "shop",
        "store",
        "around",
        "tops",
        "or",
        "and",
        "after",
        "hi",
        "hello",
        "hey",
        "thanks",
        "really",
        "just",
        "also",
    ]
)


def extract_order_numbers(text: str) -> tuple[str, ...]:
    """Order numbers mentioned in the text, upper-cased, in order of appearance, without duplicates."""
    found: list[tuple[int, str]] = [
        (m.start(), m.group(0)) for m in _ORDER_NUMBER_SHAPE.finditer(text)
    ]
    for match in _ORDER_NUMBER_AFTER_WORD.finditer(text):
        token = match.group(1)
        if sum(ch.isdigit() for ch in token) >= 3:
            found.append((match.start(1), token))
    seen: dict[str, None] = {}
    for _, token in sorted(found):
        seen.setdefault(token.upper().strip("-"), None)
    return tuple(seen)


def _amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        return None
    return amount if amount > 0 else None


def extract_price_cap(text: str) -> Decimal | None:
    """The upper price limit a shopper gave ("under 50", "max €30", "40 euros or less"), if any."""
    match = _PRICE_CAP.search(text)
    if match:
        value = match.group(1) or match.group(2)
        return _amount(value) if value else None
    match = _PRICE_CAP_AFTER.search(text)
    return _amount(match.group(1)) if match else None


def product_query_terms(text: str) -> tuple[str, ...]:
    """The words that name what the shopper wants ("red sneakers"), without request words and prices."""
    text = _PRICE_CAP.sub(" ", text)
    text = _PRICE_CAP_AFTER.sub(" ", text)
    words = re.findall(r"[a-zA-Z][a-zA-Z'-]+", text.lower())
    return tuple(word for word in words if word not in _NOT_PRODUCT_WORDS and len(word) > 2)


def detect_intent(text: str, *, pending_action: dict | None = None) -> Intent:
    """Classify one message. `pending_action` is the action the assistant's last answer asked to confirm."""
    numbers = extract_order_numbers(text)
    if pending_action:
        if _CONFIRM.search(text):
            return Intent(IntentName.CONFIRM, order_numbers=numbers)
        if _DECLINE.search(text):
            return Intent(IntentName.DECLINE, order_numbers=numbers)
    if _HANDOFF.search(text):
        return Intent(IntentName.HANDOFF, order_numbers=numbers)
    if _GREETING.search(text):
        return Intent(IntentName.GREETING)
    if re.search(_CANCEL_WORD, text, _FLAGS) and (numbers or _CANCEL_ACTION.search(text)):
        return Intent(IntentName.ORDER_CANCEL, order_numbers=numbers)
    if re.search(_RETURN_WORD, text, _FLAGS) and (numbers or _RETURN_ACTION.search(text)):
        return Intent(IntentName.ORDER_RETURN, order_numbers=numbers)
    if numbers or _STATUS.search(text):
        return Intent(IntentName.ORDER_STATUS, order_numbers=numbers)
    price_cap = extract_price_cap(text)
    gift = bool(_GIFT.search(text))
    if _PRODUCT.search(text) or price_cap is not None:
        return Intent(
            IntentName.PRODUCTS,
            price_cap=price_cap,
            product_terms=product_query_terms(text),
            gift=gift,
        )
    return Intent(IntentName.HELP)
