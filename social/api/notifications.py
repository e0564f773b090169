"""Notifications API: the list (with the unread count), marking one or all read."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error, validation_errors
from social import selectors, services
from social.api.helpers import signed_in, valid_query
from social.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "actor", "read", "created_at"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, default=False, help_text="Only unread notifications (true or false)."
    )


class NotificationListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[NotificationQuerySerializer],
        responses={
            200: inline_serializer(
                "NotificationList",
                {
                    "unread": serializers.IntegerField(),
                    "results": NotificationSerializer(many=True),
                },
            ),
            400: validation_errors(NotificationQuerySerializer),
        },
    )
    def get(self, request: Request) -> Response:
        unread_only = valid_query(NotificationQuerySerializer, request)["unread"]
        items = selectors.notification_list(user=signed_in(request), unread_only=unread_only)[:100]
        return Response(
            {
                "unread": selectors.notification_unread_count(user=signed_in(request)),
                "results": NotificationSerializer(items, many=True).data,
            }
        )


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses={204: None, 404: error("No such notification of yours.")}
    )
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
