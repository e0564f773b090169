"""The shopper's conversation over HTTP: start one, find the session's current one, read its state, close,
rate, download the transcript. Thin views: parse input, check access, call one service, answer with the same
frames the websocket sends."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from support import selectors, services
from support.api.base import (
    SESSION_KEY,
    ChatView,
    ConversationFrameSerializer,
    StrictCharField,
    session_key_of,
    status_response,
)
from support.models import Conversation

__all__ = [
    "CloseView",
    "ConversationCurrentView",
    "ConversationDetailView",
    "ConversationStartView",
    "RatingView",
    "TranscriptView",
]


class StartSerializer(serializers.Serializer):
    order_number = StrictCharField(max_length=20, required=False, allow_blank=True)


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class ConversationStartView(ChatView):
    @extend_schema(
        request=StartSerializer,
        responses={
            201: OpenApiResponse(ConversationFrameSerializer, description="A new conversation"),
            200: OpenApiResponse(
                ConversationFrameSerializer,
                description="Your open conversation (about this order when one is named)",
            ),
        },
        summary="Start a conversation, or continue your open one (optionally about one of your orders)",
    )
    def post(self, request: Request) -> Response:
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        opened = services.conversation_open(
            user=request.user,
            session_key=session_key_of(request, create=True),
            order_number=data.validated_data.get("order_number") or None,
        )
        request._request.session[SESSION_KEY] = opened.conversation.id
        return Response(
            selectors.conversation_frame(opened.conversation),
            status=status.HTTP_201_CREATED if opened.created else status.HTTP_200_OK,
        )


class ConversationCurrentView(ChatView):
    @extend_schema(
        responses={200: ConversationFrameSerializer},
        summary="The conversation this browser session has open, else your latest open one (404 when none)",
    )
    def get(self, request: Request) -> Response:
        remembered_id = request._request.session.get(SESSION_KEY)
        if remembered_id:
            remembered = Conversation.objects.filter(pk=remembered_id).first()
            # A visitor who logged in since: the session that started the chat proves it is theirs.
            if (
                remembered is not None
                and remembered.user_id is None
                and request.user.is_authenticated
            ):
                services.conversation_adopt(conversation=remembered, user=request.user)
        conversation = selectors.conversation_current(
            user=request.user, session_key=session_key_of(request), remembered_id=remembered_id
        )
        if conversation is None:
            return Response({"detail": _("No conversation yet.")}, status=status.HTTP_404_NOT_FOUND)
        return status_response(conversation)


class ConversationDetailView(ChatView):
    @extend_schema(responses={200: ConversationFrameSerializer}, summary="A conversation's state")
    def get(self, request: Request, conversation_id: int) -> Response:
        return status_response(self.conversation(request, conversation_id))


class CloseView(ChatView):
    @extend_schema(request=None, responses={200: ConversationFrameSerializer}, summary="Close")
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        return status_response(
            services.conversation_close(conversation=conversation, actor=request.user)
        )


class RatingView(ChatView):
    @extend_schema(
        request=RatingSerializer,
        responses={200: ConversationFrameSerializer},
        summary="Rate a closed conversation (1-5, once)",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return status_response(
            services.conversation_rate(
                conversation=conversation,
                user=request.user,
                session_key=session_key_of(request),
                rating=data.validated_data["rating"],
                comment=data.validated_data["comment"],
            )
        )


class TranscriptView(ChatView):
    @extend_schema(responses={(200, "text/plain"): str}, summary="Download the transcript as text")
    def get(self, request: Request, conversation_id: int) -> HttpResponse:
        conversation = self.conversation(request, conversation_id)
        response = HttpResponse(
            selectors.transcript_text(conversation=conversation),
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="socialshop-chat-{conversation.id}.txt"'
        )
        return response
