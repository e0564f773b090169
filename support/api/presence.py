"""A moderator's presence over HTTP (online, away, offline; capacity)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from support import services
from support.api.base import ConsoleView

__all__ = ["PresenceView"]


class PresenceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["online", "away", "offline"])
    capacity = serializers.IntegerField(min_value=0, max_value=50, required=False)


class PresenceView(ConsoleView):
    @extend_schema(
        request=PresenceSerializer, responses={200: PresenceSerializer}, summary="Set presence"
    )
    def post(self, request: Request) -> Response:
        data = PresenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        presence = services.presence_set(
            user=request.user,
            status=data.validated_data["status"],
            capacity=data.validated_data.get("capacity"),
        )
        return Response({"status": presence.status, "capacity": presence.capacity})
