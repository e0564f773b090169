"""Handing conversations to people over HTTP: "talk to a person", the moderators' queue, claiming and
assigning."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from support import selectors, services
from support.api.base import (
    AvatarSourcesSerializer,
    ChatView,
    ConsoleView,
    ConversationFrameSerializer,
    status_response,
)

__all__ = ["AssignView", "ClaimView", "HandoffView", "QueueView"]


class AssignSerializer(serializers.Serializer):
    moderator_id = serializers.IntegerField()


class ConsoleItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    customer = serializers.CharField()
    order = serializers.CharField(allow_null=True)
    waiting_seconds = serializers.IntegerField(allow_null=True)
    assigned_to = serializers.CharField(allow_null=True)
    assigned_to_id = serializers.IntegerField(allow_null=True)
    unread = serializers.IntegerField()
    last_body = serializers.CharField(allow_blank=True)
    customer_avatar = AvatarSourcesSerializer(allow_null=True)


class QueueSerializer(serializers.Serializer):
    waiting = ConsoleItemSerializer(many=True)
    mine = ConsoleItemSerializer(many=True)
    presence = serializers.CharField()
    capacity = serializers.IntegerField()


class HandoffView(ChatView):
    @extend_schema(
        request=None, responses={200: ConversationFrameSerializer}, summary="Talk to a person"
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        return status_response(services.conversation_request_human(conversation=conversation))


class QueueView(ConsoleView):
    @extend_schema(
        responses={200: QueueSerializer}, summary="The waiting queue and my conversations"
    )
    def get(self, request: Request) -> Response:
        presence = selectors.presence_for(user=self.moderator(request))
        return Response(
            QueueSerializer(
                {
                    "waiting": selectors.queue_waiting(),
                    "mine": selectors.console_items_for(moderator=self.moderator(request)),
                    "presence": presence.status,
                    "capacity": presence.capacity,
                }
            ).data
        )


class ClaimView(ConsoleView):
    @extend_schema(request=None, responses={200: ConversationFrameSerializer}, summary="Claim")
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        return status_response(
            services.conversation_claim(
                conversation=conversation, moderator=self.moderator(request)
            )
        )


class AssignView(ConsoleView):
    @extend_schema(
        request=AssignSerializer,
        responses={200: ConversationFrameSerializer},
        summary="Assign or transfer to a moderator",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moderator = get_object_or_404(get_user_model(), pk=data.validated_data["moderator_id"])
        return status_response(
            services.conversation_assign(
                conversation=conversation, moderator=moderator, actor=self.moderator(request)
            )
        )
