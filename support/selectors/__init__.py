"""Support reads, one module per sub-domain: conversations (access, participants, the status frame), messages
(frames, replay, transcripts, canned replies), assignment (the moderators' queue), presence, customers (the
console's side panel), export (the data-export section), the dashboard and voice messages."""

from support.selectors.assignment import (
    ConsoleItem,
    assignable_moderators,
    console_items_for,
    queue_waiting,
)
from support.selectors.conversations import (
    Participant,
    author_key_for,
    conversation_access,
    conversation_current,
    conversation_frame,
    conversation_open_get,
    conversation_role_for,
    display_name,
)
from support.selectors.customers import CustomerContext, customer_context
from support.selectors.dashboard import Dashboard, DashboardRow, dashboard
from support.selectors.export import export_for_user
from support.selectors.messages import (
    SYNC_PAGE_SIZE,
    author_profile_load,
    canned_reply_list,
    message_frame,
    messages_after,
    product_card_payload,
    transcript_text,
)
from support.selectors.presence import presence_for
from support.selectors.voice import voice_access, voice_enabled, voice_export_rows

__all__ = [
    "SYNC_PAGE_SIZE",
    "author_profile_load",
    "ConsoleItem",
    "CustomerContext",
    "Dashboard",
    "DashboardRow",
    "Participant",
    "assignable_moderators",
    "author_key_for",
    "canned_reply_list",
    "console_items_for",
    "conversation_access",
    "conversation_current",
    "conversation_frame",
    "conversation_open_get",
    "conversation_role_for",
    "customer_context",
    "dashboard",
    "display_name",
    "export_for_user",
    "message_frame",
    "messages_after",
    "presence_for",
    "product_card_payload",
    "queue_waiting",
    "transcript_text",
    "voice_access",
    "voice_enabled",
    "voice_export_rows",
]
