"""The assistant's input and output values, shared with the chat that calls it.

The chat (`support.services.assistant`) builds an `AssistantContext` from the conversation (the asking shopper, the conversation's order
number, earlier messages oldest first) and posts the returned `AssistantAnswer` through its message service:
`body` is the text shown, `kind` says how to render it ("text" or "product_cards" with `payload["product_ids"]`),
`handoff` asks for a person, and `payload["sources"]` names what the answer was grounded on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from shop.models import User

__all__ = ["AnswerKind", "AssistantAnswer", "AssistantContext", "HistoryItem"]

AnswerKind = Literal["text", "product_cards"]


@dataclass(frozen=True)
class HistoryItem:
    """One earlier message of the conversation.

    `role` is the chat's message role: "assistant" for the assistant's own answers (their `payload` is the
    `AssistantAnswer.payload` that was posted, so a pending action survives between turns); anything else
    ("shopper", "moderator", "system") is treated as not-the-assistant.
    """

    role: str
    body: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssistantContext:
    """Who asks and about what. `user` is None for a visitor who is not logged in; `product_id` is the product
    whose page the chat was opened from, when the chat knows it."""

    user: User | None = None
    order_number: str | None = None
    product_id: int | None = None
    history: list[HistoryItem] = field(default_factory=list)


@dataclass(frozen=True)
class AssistantAnswer:
    """The assistant's reply.

    payload keys: `sources` (list of {"type": "article"|"order"|"product"|"catalogue", ...}), `product_ids` (for
    kind "product_cards"), `pending_action` (an action awaiting the shopper's "yes", e.g.
    {"action": "order_cancel", "order_number": "..."}), `intent` (the intent that produced the answer).
    `source` is a one-line human label of the main source ("Help: Shipping times and costs", "Order SS-1234").
    """

    body: str
    kind: AnswerKind = "text"
    payload: dict[str, Any] = field(default_factory=dict)
    handoff: bool = False
    confidence: float = 0.0
    source: str = ""
