"""Support chat API under /api/v1/support/ (HTTP fallback for the websocket, console actions)."""

from django.urls import path

from support import api

app_name = "support-api"

urlpatterns = [
    path("conversations/", api.ConversationStartView.as_view(), name="start"),
    path("conversations/current/", api.ConversationCurrentView.as_view(), name="current"),
    path(
        "conversations/<int:conversation_id>/", api.ConversationDetailView.as_view(), name="detail"
    ),
    path(
        "conversations/<int:conversation_id>/messages/",
        api.MessageListView.as_view(),
        name="messages",
    ),
    path("conversations/<int:conversation_id>/read/", api.ReadView.as_view(), name="read"),
    path("conversations/<int:conversation_id>/handoff/", api.HandoffView.as_view(), name="handoff"),
    path("conversations/<int:conversation_id>/close/", api.CloseView.as_view(), name="close"),
    path("conversations/<int:conversation_id>/rating/", api.RatingView.as_view(), name="rating"),
    path(
        "conversations/<int:conversation_id>/transcript/",
        api.TranscriptView.as_view(),
        name="transcript",
    ),
    path("conversations/<int:conversation_id>/claim/", api.ClaimView.as_view(), name="claim"),
    path("conversations/<int:conversation_id>/assign/", api.AssignView.as_view(), name="assign"),
    path("conversations/<int:conversation_id>/notes/", api.NoteView.as_view(), name="notes"),
    path(
        "conversations/<int:conversation_id>/product-cards/",
        api.ProductCardView.as_view(),
        name="product_cards",
    ),
    path("messages/<int:message_id>/report/", api.ReportView.as_view(), name="report"),
    path("console/queue/", api.QueueView.as_view(), name="queue"),
    path("console/presence/", api.PresenceView.as_view(), name="presence"),
]
