"""Support chat tasks: thin wrappers that take ids and call one service (safe to retry)."""

from __future__ import annotations

from celery import shared_task

from support import services

BEAT_SCHEDULE = {
    "support-close-idle-conversations": {
        "task": "support.tasks.close_idle_conversations",
        "schedule": 600.0,
    },
}


@shared_task(acks_late=True, ignore_result=True)
def assistant_reply(message_id: int) -> int | None:
    """Answer one shopper message; a second run finds the answer already posted and does nothing. Nobody reads
    its result: ignoring it keeps `.delay()` off the result backend, which with Redis down retried for 20 s
    before the chat could hand the shopper to a person."""
    message = services.assistant_reply_post(message_id=message_id)
    return message.id if message else None


@shared_task(acks_late=True)
def close_idle_conversations() -> int:
    return services.conversations_close_idle()
