"""Support writes, one module per sub-domain. Lowest first (each imports only those before it):

- `broadcasting`: groups, after-commit broadcasts and the consumers' sending of them (the one home);
- `store`: the one statement that stores a message with the next sequence number, and the site's own messages;
- `assignment`: "talk to a person", claiming, assigning, round-robin auto-assignment;
- `assistant`: the assistant's answers (and their Celery task, queued on commit);
- `conversations`: start, adopt, close, rate, close idle ones;
- `presence`: a moderator's status and capacity;
- `messages`: `message_post`, the one path for every message, product cards, read receipts, reports;
- `voice`: voice messages: upload checks, transcription (its Celery task, queued on commit), erasure, and
  deleting the audio file after commit whenever a row goes.

support.tasks imports from here; nothing here imports support.tasks.
"""

from support.services.assignment import (
    conversation_assign,
    conversation_claim,
    conversation_request_human,
    queue_auto_assign,
)
from support.services.assistant import assistant_reply_post, assistant_reply_queue
from support.services.broadcasting import (
    CONSOLE_GROUP,
    Broadcast,
    broadcasts_collected,
    conversation_group,
    outbox_send,
    staff_group,
)
from support.services.conversations import (
    ConversationOpen,
    conversation_adopt,
    conversation_close,
    conversation_open,
    conversation_rate,
    conversation_start,
    conversations_close_idle,
)
from support.services.messages import (
    conversation_mark_read,
    message_post,
    message_report,
    product_card_post,
)
from support.services.presence import presence_set
from support.services.store import PAGE_PRODUCT_KEY, MessagePost, page_product_payload
from support.services.voice import (
    VoiceUpload,
    voice_audio_delete_on_commit,
    voice_erase_for_user,
    voice_message_upload,
    voice_transcription_run,
)

__all__ = [
    "CONSOLE_GROUP",
    "Broadcast",
    "ConversationOpen",
    "MessagePost",
    "VoiceUpload",
    "assistant_reply_post",
    "assistant_reply_queue",
    "broadcasts_collected",
    "conversation_adopt",
    "conversation_assign",
    "conversation_claim",
    "conversation_close",
    "conversation_group",
    "conversation_mark_read",
    "conversation_open",
    "conversation_rate",
    "conversation_request_human",
    "conversation_start",
    "conversations_close_idle",
    "message_post",
    "page_product_payload",
    "PAGE_PRODUCT_KEY",
    "message_report",
    "outbox_send",
    "presence_set",
    "product_card_post",
    "queue_auto_assign",
    "staff_group",
    "voice_audio_delete_on_commit",
    "voice_erase_for_user",
    "voice_message_upload",
    "voice_transcription_run",
]
