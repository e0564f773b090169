"""Routes a shopper message to an intent and returns a grounded answer (filled in step by step)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from support.assistant.types import AssistantAnswer, AssistantContext


def answer(*, text: str, context: AssistantContext) -> AssistantAnswer:
    return AssistantAnswer(
        body=_("Let me find a person from our team to help you with that."),
        payload={"sources": [], "intent": "handoff"},
        handoff=True,
        confidence=0.0,
        source="",
    )
