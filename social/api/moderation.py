"""Moderation REST API: anyone signed in reports (rate scope `report` through `common.ratelimit`, 429 beyond
it); moderators read the queue and the audit log and act (403 for everyone else). Refused rules are
`ServiceError`s that `common.api` turns into JSON 4xx."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.fields import StrictBooleanField
from social.api.helpers import signed_in
from social.models import ModerationAction, Report
from social.selectors import (
    moderation_log,
    moderation_queue,
    report_target_get,
    reportable_model_get,
    user_is_moderator,
)
from social.services import moderation_act, report_create


class IsModerator(BasePermission):
    message = "Only moderators can do this."

    def has_permission(self, request, view) -> bool:
        return user_is_moderator(request.user)


def split_target_type(value: str) -> tuple[str, str]:
    app_label, _, model_name = value.partition(".")
    if not app_label or not model_name:
        raise serializers.ValidationError(
            {"target_type": ["Use app_label.model, e.g. social.post."]}
        )
    return app_label, model_name


class ModerationReportCreateSerializer(serializers.Serializer):
    target_type = serializers.CharField(
        max_length=100, help_text="app_label.model, e.g. social.post"
    )
    target_id = serializers.IntegerField(min_value=1, max_value=2**62)
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ModerationReportSerializer(serializers.ModelSerializer):
    target_type = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "target_type", "object_id", "reason", "note", "status", "created_at"]
        read_only_fields = fields

    def get_target_type(self, report: Report) -> str:
        content_type = ContentType.objects.get_for_id(report.content_type_id)
        return f"{content_type.app_label}.{content_type.model}"


class ModerationQueueItemSerializer(serializers.Serializer):
    content_type_id = serializers.IntegerField()
    object_id = serializers.IntegerField()
    target_type = serializers.CharField(source="target_key")
    # The API's field names; they shadow Field.label in the DRF stubs, not at run time.
    label = serializers.CharField()  # type: ignore[assignment]
    preview = serializers.CharField()
    owner = serializers.SerializerMethodField()
    is_hidden = StrictBooleanField(allow_null=True)
    report_count = serializers.IntegerField()
    oldest_at = serializers.DateTimeField()
    reasons = serializers.SerializerMethodField()
    notes = serializers.ListField(child=serializers.CharField())

    def get_owner(self, item) -> str | None:
        return item.owner.get_username() if item.owner is not None else None

    def get_reasons(self, item) -> dict[str, int]:
        return {reason.code: reason.report_count for reason in item.reasons}


class ModerationActionCreateSerializer(serializers.Serializer):
    target_type = serializers.CharField(
        max_length=100, help_text="app_label.model, e.g. shop.review"
    )
    target_id = serializers.IntegerField(min_value=1, max_value=2**62)
    kind = serializers.ChoiceField(choices=ModerationAction.Kind.choices)
    note = serializers.CharField(max_length=2000)
    suspended_until = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ModerationActionSerializer(serializers.ModelSerializer):
    moderator = serializers.CharField(source="moderator_name", read_only=True)

    class Meta:
        model = ModerationAction
        fields = [
            "id",
            "moderator",
            "kind",
            "target_repr",
            "object_id",
            "note",
            "suspended_until",
            "reports_resolved",
            "created_at",
        ]
        read_only_fields = fields


class ReportCreate(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Report a post, comment, review, user or support message",
        request=ModerationReportCreateSerializer,
        responses={201: ModerationReportSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ModerationReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        app_label, model_name = split_target_type(data["target_type"])
        target = report_target_get(
            app_label=app_label,
            model_name=model_name,
            object_id=data["target_id"],
            viewer=request.user,
        )
        report = report_create(
            reporter=request.user, target=target, reason=data["reason"], note=data["note"]
        )
        return Response(ModerationReportSerializer(report).data, status=status.HTTP_201_CREATED)


class ModerationQueue(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="Open reports grouped by target, oldest first (moderators only)",
        responses=ModerationQueueItemSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(ModerationQueueItemSerializer(moderation_queue(), many=True).data)


class ModerationActions(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        summary="The audit log of moderator actions, newest first (moderators only)",
        responses=ModerationActionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(ModerationActionSerializer(moderation_log(), many=True).data)

    @extend_schema(
        summary="Hide, restore, warn, suspend, unsuspend or dismiss (moderators only)",
        request=ModerationActionCreateSerializer,
        responses={201: ModerationActionSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = ModerationActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        app_label, model_name = split_target_type(data["target_type"])
        model = reportable_model_get(app_label=app_label, model_name=model_name)
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        action = moderation_act(
            moderator=signed_in(request),
            content_type_id=content_type.id,
            object_id=data["target_id"],
            kind=data["kind"],
            note=data["note"],
            suspended_until=data["suspended_until"],
        )
        return Response(ModerationActionSerializer(action).data, status=status.HTTP_201_CREATED)
