"""The assistant in the chat: queue an answer for a shopper's message after commit, and post the answer.

`support.assistant.answer` is a plain function over text plus context; this module builds the context from the
conversation, posts what it returns through the one storing path, and hands the shopper to a person when the
assistant asks for it, fails, or cannot be queued (broker down): never silence.

The Celery task `assistant_reply` is declared here, beside the service it runs and the function that queues it,
and re-exported by support.tasks (where Celery finds it, under its usual name). Declared in tasks.py it would
need tasks -> services (to run this) and services -> tasks (message_post queues it): the circle issue 9 removed.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction
from django.utils.translation import gettext as _

from support import assistant
from support.assistant.types import AssistantAnswer, AssistantContext, HistoryItem
from support.models import Conversation, Message
from support.selectors import product_card_payload
from support.services.assignment import conversation_request_human
from support.services.store import ASSISTANT_KEY, PAGE_PRODUCT_KEY, automatic_message_post

logger = logging.getLogger(__name__)

__all__ = ["assistant_reply", "assistant_reply_post", "assistant_reply_queue"]

HISTORY_LIMIT = 20


@shared_task(name="support.tasks.assistant_reply", acks_late=True, ignore_result=True)
def assistant_reply(message_id: int) -> int | None:
    """Answer one shopper message; a second run finds the answer already posted and does nothing. Nobody reads
    its result: ignoring it keeps `.delay()` off the result backend, which with Redis down retried for 20 s
    before the chat could hand the shopper to a person."""
    message = assistant_reply_post(message_id=message_id)
    return message.id if message else None


def assistant_reply_queue(*, message_id: int) -> None:
    """After commit, queue the assistant's answer to this shopper message; if the broker refuses it, hand the
    shopper to a person rather than go silent."""

    def enqueue() -> None:
        try:
            assistant_reply.delay(message_id)
        except Exception:  # noqa: BLE001 - broker down: see the docstring
            logger.exception("could not queue the assistant for message %s", message_id)
            message = Message.objects.select_related("conversation").filter(pk=message_id).first()
            if message is not None:
                conversation_request_human(conversation=message.conversation)

    transaction.on_commit(enqueue)


def _assistant_answer(*, text: str, context: AssistantContext) -> AssistantAnswer:
    try:
        return assistant.answer(text=text, context=context)
    except Exception:  # noqa: BLE001 - any assistant failure becomes a handoff, never silence.
        logger.exception("support assistant failed")
        return AssistantAnswer(
            body=_("I can't answer that right now, so let me get a person to help you."),
            handoff=True,
            source="fallback",
        )


def assistant_reply_post(*, message_id: int) -> Message | None:
    """Answer one shopper message with the assistant and post it (idempotent: one answer per message)."""
    message = (
        Message.objects.select_related("conversation", "conversation__user", "conversation__order")
        .filter(pk=message_id, role=Message.Role.SHOPPER)
        .first()
    )
    if message is None:
        return None
    conversation = message.conversation
    if conversation.status != Conversation.Status.BOT:
        return None  # a person has taken over
    client_id = f"reply-{message_id}"
    if Message.objects.filter(
        conversation=conversation, author_key=ASSISTANT_KEY, client_id=client_id
    ).exists():
        return None
    earlier = list(
        Message.objects.filter(conversation=conversation, id__lt=message.id)
        .exclude(kind=Message.Kind.NOTE)
        .order_by("-id")
        .values_list("role", "body", "payload")[:HISTORY_LIMIT]
    )
    page_product = (message.payload or {}).get(PAGE_PRODUCT_KEY)
    context = AssistantContext(
        user=conversation.user,
        order_number=conversation.order.number if conversation.order is not None else None,
        product_id=page_product if isinstance(page_product, int) else None,
        history=[HistoryItem(role=r, body=b, payload=p or {}) for r, b, p in reversed(earlier)],
    )
    answer = _assistant_answer(text=message.body, context=context)
    payload = dict(answer.payload or {})
    payload.update(
        {"source": answer.source, "confidence": answer.confidence, "reply_to": message_id}
    )
    kind = Message.Kind.TEXT
    if answer.kind == "product_cards" and payload.get("product_ids"):
        payload["products"] = product_card_payload(product_ids=list(payload["product_ids"]))
        kind = Message.Kind.PRODUCT_CARD
    result = automatic_message_post(
        conversation=conversation,
        body=answer.body or _("Let me get a person to help you."),
        role=Message.Role.ASSISTANT,
        client_id=client_id,
        kind=kind,
        payload=payload,
    )
    if answer.handoff:
        conversation_request_human(conversation=conversation)
    return result.message
