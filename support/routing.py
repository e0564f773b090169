"""Support chat websocket routes (mounted by config/asgi.py behind session auth and the Origin check)."""

from django.urls import path

from support.consumers import ConsoleConsumer, ConversationConsumer

websocket_urlpatterns = [
    path("ws/support/console/", ConsoleConsumer.as_asgi()),
    path("ws/support/<int:conversation_id>/", ConversationConsumer.as_asgi()),
]
