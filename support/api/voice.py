"""Voice messages over HTTP: the widget's hold-to-talk upload (multipart; websockets carry no binary uploads
here) and the recording itself, for the conversation's shopper and moderators only."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from common.media import private_file_response
from shop.api.commerce import ErrorSerializer
from support import selectors, services
from support.api.base import ChatView, StrictCharField, session_key_of
from support.models import VoiceMessage

__all__ = ["VoiceAudioView", "VoiceUploadView"]


class VoiceUploadSerializer(serializers.Serializer):
    audio = serializers.FileField(
        allow_empty_file=False,
        help_text="The recording: WebM/Opus or Ogg (MediaRecorder), MP4 (Safari), WAV or MP3. The type is "
        "read from the content, not from the part's label.",
    )
    client_id = StrictCharField(max_length=64, required=False, allow_blank=True, default="")


class VoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    client_id = serializers.CharField()
    status = serializers.ChoiceField(choices=VoiceMessage.Status.choices)
    mime_type = serializers.CharField()
    duration_seconds = serializers.FloatField()
    message = serializers.IntegerField(allow_null=True)


def voice_frame(voice: VoiceMessage) -> dict[str, object]:
    return {
        "id": voice.pk,
        "conversation": voice.conversation_id,
        "client_id": voice.client_id,
        "status": voice.status,
        "mime_type": voice.mime_type,
        "duration_seconds": round(voice.duration_ms / 1000, 1),
        "message": voice.message_id,
    }


class VoiceUploadView(ChatView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": VoiceUploadSerializer},
        responses={
            201: VoiceSerializer,
            200: VoiceSerializer,
            404: OpenApiResponse(
                ErrorSerializer, description="No such conversation, or voice messages are off"
            ),
            413: OpenApiResponse(
                ErrorSerializer, description="Larger than SUPPORT_VOICE_MAX_BYTES"
            ),
            415: OpenApiResponse(ErrorSerializer, description="Not an accepted audio type"),
        },
        summary="Send a voice message (201 stored and queued for transcription; 200 when this client_id "
        "was stored before). The transcript arrives as the shopper's `message.new`.",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = VoiceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.voice_message_upload(
            conversation=conversation,
            author=request.user,
            session_key=session_key_of(request),
            audio=data.validated_data["audio"],
            client_id=data.validated_data["client_id"],
        )
        return Response(
            voice_frame(result.voice),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class VoiceAudioView(ChatView):
    @extend_schema(
        responses={(200, "audio/*"): OpenApiTypes.BINARY},
        summary="The recording of a voice message (the conversation's shopper and moderators)",
    )
    def get(self, request: Request, voice_id: int) -> HttpResponse:
        voice = selectors.voice_access(
            user=request.user, session_key=session_key_of(request), voice_id=voice_id
        )
        return private_file_response(
            voice.audio.name, request=request, download=False, content_type=voice.mime_type
        )
