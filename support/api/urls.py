"""Support chat API under /api/v1/support/ (HTTP fallback for the websocket, console actions)."""

from django.urls import path

from support.api import assignment, conversations, messages, presence, voice

app_name = "support-api"

urlpatterns = [
    path("conversations/", conversations.ConversationStartView.as_view(), name="start"),
    path("conversations/current/", conversations.ConversationCurrentView.as_view(), name="current"),
    path(
        "conversations/<int:conversation_id>/",
        conversations.ConversationDetailView.as_view(),
        name="detail",
    ),
    path(
        "conversations/<int:conversation_id>/messages/",
        messages.MessageListView.as_view(),
        name="messages",
    ),
    path("conversations/<int:conversation_id>/read/", messages.ReadView.as_view(), name="read"),
    path(
        "conversations/<int:conversation_id>/handoff/",
        assignment.HandoffView.as_view(),
        name="handoff",
    ),
    path(
        "conversations/<int:conversation_id>/close/",
        conversations.CloseView.as_view(),
        name="close",
    ),
    path(
        "conversations/<int:conversation_id>/rating/",
        conversations.RatingView.as_view(),
        name="rating",
    ),
    path(
        "conversations/<int:conversation_id>/transcript/",
        conversations.TranscriptView.as_view(),
        name="transcript",
    ),
    path(
        "conversations/<int:conversation_id>/claim/", assignment.ClaimView.as_view(), name="claim"
    ),
    path(
        "conversations/<int:conversation_id>/assign/",
        assignment.AssignView.as_view(),
        name="assign",
    ),
    path("conversations/<int:conversation_id>/notes/", messages.NoteView.as_view(), name="notes"),
    path(
        "conversations/<int:conversation_id>/product-cards/",
        messages.ProductCardView.as_view(),
        name="product_cards",
    ),
    path(
        "conversations/<int:conversation_id>/voice/",
        voice.VoiceUploadView.as_view(),
        name="voice_upload",
    ),
    path("voice/<int:voice_id>/audio/", voice.VoiceAudioView.as_view(), name="voice_audio"),
    path("messages/<int:message_id>/report/", messages.ReportView.as_view(), name="report"),
    path("console/queue/", assignment.QueueView.as_view(), name="queue"),
    path("console/presence/", presence.PresenceView.as_view(), name="presence"),
]
