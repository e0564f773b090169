"""Support chat tasks: thin wrappers that take ids and call one service (safe to retry).

`assistant_reply` and `voice_transcribe` are declared in support.services (assistant, voice), each beside the
service that queues it (so no service imports this module), and re-exported here, where Celery's autodiscovery
looks.
"""

from __future__ import annotations

from celery import shared_task

from support.services.assistant import assistant_reply
from support.services.conversations import conversations_close_idle
from support.services.voice import voice_transcribe

__all__ = ["BEAT_SCHEDULE", "assistant_reply", "close_idle_conversations", "voice_transcribe"]

BEAT_SCHEDULE = {
    "support-close-idle-conversations": {
        "task": "support.tasks.close_idle_conversations",
        "schedule": 600.0,
    },
}


@shared_task(acks_late=True)
def close_idle_conversations() -> int:
    return conversations_close_idle()
