"""Accounts REST API: a token for username + password (throttled like the login page) and saved addresses.

Addresses are always filtered by owner, so another shopper's address answers 404.
"""

from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common import api as api_config
from shop import selectors, services
from shop.api import SignedInRequest
from shop.models import Address

# Moved to common.api so every API view refuses such JSON; kept importable from here for this app.
StrictJSONParser = api_config.StrictJSONParser


class PlainCharField(serializers.CharField):
    """A CharField that refuses control characters and lone surrogates (which PostgreSQL cannot store)."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        problem = services.text_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class TokenRequestSerializer(serializers.Serializer):
    username = PlainCharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class AuthTokenView(APIView):
    """Exchange username and password for an API token (send it as `Authorization: Token <key>`)."""

    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    parser_classes = [StrictJSONParser]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponseSerializer})
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Over the failure limit, LoginThrottled (a ServiceError) answers 429 {"detail": ...} (common.api).
        user = services.login_authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise AuthenticationFailed(_("Wrong username or password."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class AddressSerializer(serializers.ModelSerializer):
    full_name = PlainCharField(max_length=120)
    line1 = PlainCharField(max_length=200)
    line2 = PlainCharField(max_length=200, required=False, allow_blank=True, default="")
    city = PlainCharField(max_length=100)
    postal_code = PlainCharField(max_length=20)
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        default="DE",
        error_messages={"invalid": _("Enter a two-letter country code, for example DE.")},
    )
    phone = PlainCharField(max_length=30, required=False, allow_blank=True, default="")
    is_default = serializers.BooleanField(required=False, default=False)

    class Meta:
        model = Address
        fields = [
            "id",
            "full_name",
            "line1",
            "line2",
            "city",
            "postal_code",
            "country",
            "phone",
            "is_default",
        ]


class AddressListView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(responses={200: AddressSerializer(many=True)})
    def get(self, request: SignedInRequest) -> Response:
        addresses = selectors.address_list_for_user(user=request.user)
        return Response(AddressSerializer(addresses, many=True).data)

    @extend_schema(request=AddressSerializer, responses={201: AddressSerializer})
    def post(self, request: SignedInRequest) -> Response:
        data = AddressSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        address = services.address_create(
            user=request.user,
            data=data.validated_data,
            is_default=data.validated_data.get("is_default", False),
        )
        address.refresh_from_db()
        return Response(AddressSerializer(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(responses={200: AddressSerializer})
    def get(self, request: SignedInRequest, address_id: int) -> Response:
        address = selectors.address_access(user=request.user, address_id=address_id)
        return Response(AddressSerializer(address).data)

    @extend_schema(request=AddressSerializer, responses={200: AddressSerializer})
    def patch(self, request: SignedInRequest, address_id: int) -> Response:
        return self._update(request, address_id, partial=True)

    @extend_schema(request=AddressSerializer, responses={200: AddressSerializer})
    def put(self, request: SignedInRequest, address_id: int) -> Response:
        return self._update(request, address_id, partial=False)

    def _update(self, request: SignedInRequest, address_id: int, *, partial: bool) -> Response:
        address = selectors.address_access(user=request.user, address_id=address_id)
        data = AddressSerializer(address, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        merged = {field: getattr(address, field) for field in services.ADDRESS_FIELDS}
        merged.update({k: v for k, v in data.validated_data.items() if k != "is_default"})
        services.address_update(address=address, data=merged)
        if data.validated_data.get("is_default"):
            services.address_set_default(address=address)
        address.refresh_from_db()
        return Response(AddressSerializer(address).data)

    @extend_schema(responses={204: None})
    def delete(self, request: SignedInRequest, address_id: int) -> Response:
        address = selectors.address_access(user=request.user, address_id=address_id)
        services.address_delete(address=address)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("auth/token/", AuthTokenView.as_view(), name="api-auth-token"),
    path("addresses/", AddressListView.as_view(), name="api-addresses"),
    path("addresses/<int:address_id>/", AddressDetailView.as_view(), name="api-address"),
]
