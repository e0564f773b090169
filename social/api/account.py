"""Account API: privacy settings, the data export and deleting the account."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import validation_errors
from social import selectors, services
from social.api.helpers import (
    DetailSerializer,
    StrictBooleanField,
    signed_in,
    valid_data,
)


class PrivacySerializer(serializers.Serializer):
    is_private = StrictBooleanField(required=False)
    share_purchases_default = StrictBooleanField(required=False)
    personalise_recommendations = StrictBooleanField(required=False)
    show_in_suggestions = StrictBooleanField(required=False)
    show_wishlist = StrictBooleanField(required=False)
    email_optional = StrictBooleanField(required=False)
    answer_questions = StrictBooleanField(required=False)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField()


class PrivacyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PrivacySerializer)
    def get(self, request: Request) -> Response:
        profile = services.profile_get_or_create(user=signed_in(request))
        return Response({name: getattr(profile, name) for name in services.PRIVACY_FIELDS})

    @extend_schema(
        request=PrivacySerializer,
        responses={200: PrivacySerializer, 400: validation_errors(PrivacySerializer)},
    )
    def patch(self, request: Request) -> Response:
        data = valid_data(PrivacySerializer, request)
        profile = services.privacy_update(user=signed_in(request), **data)
        return Response({name: getattr(profile, name) for name in services.PRIVACY_FIELDS})


class ExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Everything stored about me (JSON)")
    def get(self, request: Request) -> Response:
        return Response(selectors.export_for_user(user=signed_in(request)))


class AccountDeleteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordSerializer, responses={204: None, 400: DetailSerializer})
    def post(self, request: Request) -> Response:
        data = valid_data(PasswordSerializer, request)
        services.account_delete_with_password(user=signed_in(request), password=data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
