"""Django admin for voice messages: read-only (they are written through the chat's upload and the transcription
task); staff play the recording from the access-checked audio URL."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from support.models import VoiceMessage


@admin.register(VoiceMessage)
class VoiceMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "conversation", "status", "duration_ms", "mime_type", "created_at"]
    list_filter = ["status", "mime_type"]
    search_fields = ["transcript"]
    raw_id_fields = ["conversation", "message"]
    readonly_fields = [
        "conversation",
        "message",
        "author_key",
        "client_id",
        "audio",
        "player",
        "mime_type",
        "size_bytes",
        "duration_ms",
        "status",
        "transcript",
        "backend",
        "error",
        "attempts",
        "created_at",
        "transcribed_at",
    ]

    @admin.display(description=_("recording"))
    def player(self, voice: VoiceMessage) -> str:
        url = reverse("support-api:voice_audio", kwargs={"voice_id": voice.pk})
        return format_html('<audio controls preload="none" src="{}"></audio>', url)

    def has_add_permission(self, request) -> bool:
        return False
