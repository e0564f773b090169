"""The support assistant: a plain function over text plus context.

`answer(text=..., context=AssistantContext(...)) -> AssistantAnswer`. A Celery task of the chat calls it and
posts the answer through the chat's message service; this package never writes chat rows itself.
"""

from support.assistant.types import AnswerKind, AssistantAnswer, AssistantContext, HistoryItem

__all__ = ["AnswerKind", "AssistantAnswer", "AssistantContext", "HistoryItem", "answer"]


def answer(*, text: str, context: AssistantContext) -> AssistantAnswer:
    """Answer one shopper message. Imported lazily so that importing the types never loads Django models."""
    from support.assistant.orchestrator import answer as _answer

    return _answer(text=text, context=context)
