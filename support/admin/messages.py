"""Django admin for messages (read-only: they are written through the chat service), read marks and canned
replies."""

from __future__ import annotations

from django.contrib import admin

from support.models import CannedReply, Message, ReadState


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "conversation",
        "seq",
        "role",
        "kind",
        "author",
        "created_at",
        "is_hidden",
    ]
    list_filter = ["role", "kind", "is_hidden"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["conversation", "author"]
    readonly_fields = [
        "conversation",
        "seq",
        "author",
        "author_key",
        "role",
        "kind",
        "body",
        "payload",
        "client_id",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return (
            False  # messages are written through the chat service (console, API or the reply box)
        )


@admin.register(ReadState)
class ReadStateAdmin(admin.ModelAdmin):
    list_display = ["conversation", "participant_key", "last_read_id", "updated_at"]
    raw_id_fields = ["conversation", "user"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["shortcut", "title"]
    search_fields = ["shortcut", "title", "text"]
