"""Notifications API: the list (with the unread count), marking one or all read."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from social import selectors, services
from social.api.helpers import signed_in
from social.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "actor", "read", "created_at"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL)],
        responses=inline_serializer(
            "NotificationList",
            {
                "unread": serializers.IntegerField(),
                "results": NotificationSerializer(many=True),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        unread_only = request.query_params.get("unread") in {"1", "true", "yes"}
        items = selectors.notification_list(user=signed_in(request), unread_only=unread_only)[:100]
        return Response(
            {
                "unread": selectors.notification_unread_count(user=signed_in(request)),
                "results": NotificationSerializer(items, many=True).data,
            }
        )


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        marked = services.notification_mark_read(user=signed_in(request), notification_id=pk)
        if (
            not marked
            and not selectors.notification_list(user=signed_in(request)).filter(pk=pk).exists()
        ):
            raise Http404("Notification not found.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=inline_serializer("Marked", {"marked": serializers.IntegerField()})
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_all_read(user=signed_in(request))})
