"""Voice messages as readers see them: whether voice is on at all (the hold-to-talk button), who may play a
recording (the conversation's shopper or visitor, and moderators: `conversation_access`), and the export rows."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from support.models import VoiceMessage
from support.selectors.conversations import Participant, conversation_access
from support.speech import speech_backend

__all__ = ["voice_access", "voice_enabled", "voice_export_rows"]


def voice_enabled() -> bool:
    """Whether a speech-to-text backend is configured and available (else the button is not rendered)."""
    return speech_backend() is not None


def voice_access(*, user: Participant, session_key: str | None, voice_id: Any) -> VoiceMessage:
    """The voice message if this participant may play it; Http404 if unknown, PermissionDenied otherwise."""
    try:
        pk = int(voice_id)
    except (TypeError, ValueError):
        raise Http404(_("No such voice message.")) from None
    voice = VoiceMessage.objects.filter(pk=pk).first()
    if voice is None:
        raise Http404(_("No such voice message."))
    conversation_access(user=user, session_key=session_key, conversation_id=voice.conversation_id)
    return voice


def voice_export_rows(*, conversation_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each conversation's recordings for the data export: metadata, transcript and a link to the audio
    (`SITE_URL` + the authorising URL; it works for the account holder while signed in)."""
    rows: dict[int, list[dict[str, Any]]] = {}
    for voice in VoiceMessage.objects.filter(conversation_id__in=conversation_ids).order_by("id"):
        path = reverse("support-api:voice_audio", kwargs={"voice_id": voice.pk})
        rows.setdefault(voice.conversation_id, []).append(
            {
                "id": voice.pk,
                "message": voice.message_id,
                "created_at": voice.created_at.isoformat(),
                "mime_type": voice.mime_type,
                "duration_seconds": round(voice.duration_ms / 1000, 1),
                "status": voice.status,
                "transcript": voice.transcript,
                "audio_file": voice.audio.name,
                "audio_url": settings.SITE_URL.rstrip("/") + path,
            }
        )
    return rows
