"""Messages over HTTP: the replay and send fallback of the websocket, read marks, and the console's internal
notes, product cards and reports to the moderation queue."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from social.selectors import user_is_moderator
from support import selectors, services
from support.api.base import (
    ChatView,
    ConsoleView,
    MessageFrameSerializer,
    MessagePageSerializer,
    StrictCharField,
    session_key_of,
)
from support.models import Message

__all__ = ["MessageListView", "NoteView", "ProductCardView", "ReadView", "ReportView"]


class MessageSendSerializer(serializers.Serializer):
    client_id = StrictCharField(max_length=64)
    product_id = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="The product whose page the shopper writes from (the assistant may answer about it).",
    )
    # The byte limit is the service's; this only bounds what is parsed.
    body = StrictCharField(max_length=20000, trim_whitespace=False)


class ReadSerializer(serializers.Serializer):
    up_to_id = serializers.IntegerField(min_value=0)


class NoteSerializer(serializers.Serializer):
    body = StrictCharField(max_length=20000)
    client_id = StrictCharField(max_length=64, required=False, allow_blank=True, default="")


class ProductCardSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    client_id = StrictCharField(max_length=64, required=False, allow_blank=True, default="")


class ReportSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["spam", "abuse", "inappropriate", "other"])
    note = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class MessageListView(ChatView):
    @extend_schema(
        parameters=[OpenApiParameter("after_id", int, description="Only messages after this id")],
        responses={200: MessagePageSerializer},
        summary="Messages after an id, oldest first (the HTTP twin of the `sync` frame)",
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        try:
            after_id = max(0, int(request.query_params.get("after_id", 0)))
        except ValueError:
            return Response(
                {"after_id": [_("A whole number is required.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        messages = selectors.messages_after(
            conversation=conversation,
            after_id=after_id,
            include_notes=user_is_moderator(request.user)
            and conversation.user_id != request.user.id,
        )
        return Response(
            {
                "messages": [selectors.message_frame(m) for m in messages],
                "has_more": len(messages) >= selectors.SYNC_PAGE_SIZE,
            }
        )

    @extend_schema(
        request=MessageSendSerializer,
        responses={201: MessageFrameSerializer, 200: MessageFrameSerializer},
        summary="Send a message (201 stored; 200 when this client_id was stored before)",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = MessageSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.message_post(
            conversation=conversation,
            body=data.validated_data["body"],
            role=selectors.conversation_role_for(conversation=conversation, user=request.user),
            author=request.user,
            session_key=session_key_of(request),
            client_id=data.validated_data["client_id"],
            payload=services.page_product_payload(data.validated_data.get("product_id")),
        )
        return Response(
            selectors.message_frame(result.message),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class ReadView(ChatView):
    @extend_schema(request=ReadSerializer, responses={200: ReadSerializer}, summary="Mark read")
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mark = services.conversation_mark_read(
            conversation=conversation,
            user=request.user,
            session_key=session_key_of(request),
            up_to_id=data.validated_data["up_to_id"],
        )
        return Response({"up_to_id": mark})


class NoteView(ConsoleView):
    @extend_schema(
        request=NoteSerializer, responses={201: MessageFrameSerializer}, summary="Internal note"
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.message_post(
            conversation=conversation,
            body=data.validated_data["body"],
            role=Message.Role.MODERATOR,
            author=request.user,
            client_id=data.validated_data["client_id"],
            kind=Message.Kind.NOTE,
        )
        return Response(selectors.message_frame(result.message), status=status.HTTP_201_CREATED)


class ProductCardView(ConsoleView):
    @extend_schema(
        request=ProductCardSerializer,
        responses={201: MessageFrameSerializer},
        summary="Send a product card",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = ProductCardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.product_card_post(
            conversation=conversation,
            moderator=self.moderator(request),
            product_id=data.validated_data["product_id"],
            client_id=data.validated_data["client_id"],
        )
        return Response(selectors.message_frame(result.message), status=status.HTTP_201_CREATED)


class ReportView(ConsoleView):
    @extend_schema(
        request=ReportSerializer,
        responses={201: ReportSerializer},
        summary="Report a chat message to the moderation queue",
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = get_object_or_404(Message, pk=message_id)
        self.conversation(request, message.conversation_id)
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if message.kind == Message.Kind.NOTE or message.role != Message.Role.SHOPPER:
            raise PermissionDenied(_("Only shoppers' messages can be reported."))
        services.message_report(
            message=message,
            reporter=self.moderator(request),
            reason=data.validated_data["reason"],
            note=data.validated_data["note"],
        )
        return Response(data.validated_data, status=status.HTTP_201_CREATED)
