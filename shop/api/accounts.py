"""Accounts REST API: API tokens (a token for username + password, throttled like the login page; signing out;
changing the password) and saved addresses. The token check itself is `shop.api.authentication`.

Addresses are always filtered by owner, so another shopper's address answers 404.
"""

from __future__ import annotations

from django.contrib.auth import password_validation, update_session_auth_hash
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common import api as api_config
from common.fields import StrictBooleanField
from common.openapi import error, validation_errors
from shop import selectors, services
from shop.api import SignedInRequest
from shop.api.authentication import ApiTokenAuthentication
from shop.models import Address, ApiToken

# Moved to common.api so every API view refuses such JSON; kept importable from here for this app.
StrictJSONParser = api_config.StrictJSONParser


class PlainCharField(serializers.CharField):
    """A CharField that refuses control characters and lone surrogates (which PostgreSQL cannot store)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):  # DRF would turn 5 into "5"; the schema says string
            self.fail("invalid")
        value = super().to_internal_value(data)
        problem = services.text_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class PlainCharFieldSchema(OpenApiSerializerFieldExtension):
    """The schema names the refused control characters (tab, line feed and carriage return are allowed). The
    pattern needs one character: drf-spectacular offers a blank field's empty string as its own `oneOf` branch."""

    target_class = PlainCharField

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        return {**schema, "pattern": "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F]+$"}


class TokenRequestSerializer(serializers.Serializer):
    username = PlainCharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`.")
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When the token stops working; null when tokens do not expire."
    )


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=4096, trim_whitespace=False)
    new_password = serializers.CharField(max_length=4096, trim_whitespace=False)


def _issued(token: services.IssuedApiToken) -> dict[str, object]:
    return TokenResponseSerializer({"token": token.key, "expires_at": token.expires_at}).data


class AuthTokenView(APIView):
    """Exchange username and password for a new API token (send it as `Authorization: Token <key>`); every
    call gives a new token. DELETE signs the calling client out: its token stops working."""

    permission_classes = [permissions.AllowAny]
    parser_classes = [StrictJSONParser]

    def get_authenticators(self):
        # Asking for a token needs no credentials (a stale token must not stop a fresh sign-in); revoking one
        # needs exactly the token to revoke.
        if self.request is not None and self.request.method == "DELETE":
            return [ApiTokenAuthentication()]
        return []

    def get_permissions(self):
        if self.request is not None and self.request.method == "DELETE":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: validation_errors(TokenRequestSerializer),
            401: error("Wrong username or password."),
            429: error("Too many failed attempts."),
        },
        description="Exchange username and password for a new API token (send it as "
        "`Authorization: Token <token>`); every call gives a new token.",
    )
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
        return Response(_issued(services.api_token_issue(user=user)))

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The token is revoked."),
            401: error("No token was sent, or it is unknown, revoked or expired."),
        },
        summary="Sign out: revoke the token this request is made with",
        description="The token sent in `Authorization` stops working at once; other clients of the "
        "account stay signed in.",
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, ApiToken):  # IsAuthenticated with token authentication only
            raise AuthenticationFailed(_("Send the token to revoke as Authorization: Token <key>."))
        services.api_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    """Change the password. Every API token of the account stops working (other clients must sign in again);
    the answer carries a new token for this client."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={
            200: TokenResponseSerializer,
            400: validation_errors(
                PasswordChangeSerializer,
                description="The old password is wrong or the new one is too weak "
                "(messages under old_password or new_password).",
            ),
            403: error("Not signed in."),
            429: error("Too many wrong old passwords."),
        },
    )
    def post(self, request: SignedInRequest) -> Response:
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user
        # The old password is checked through the login throttle, so this is no way round it.
        if (
            services.login_authenticate(
                request=request._request,
                username=user.get_username(),
                password=data.validated_data["old_password"],
            )
            is None
        ):
            raise serializers.ValidationError(
                {"old_password": [_("Your old password was entered incorrectly.")]}
            )
        new_password = data.validated_data["new_password"]
        try:
            password_validation.validate_password(new_password, user)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"new_password": exc.messages}) from None
        services.user_password_change(user=user, password=new_password)
        if request.auth is None:  # a browser session: keep it signed in, as the page does
            update_session_auth_hash(request._request, user)
        return Response(_issued(services.api_token_issue(user=user)))


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
    is_default = StrictBooleanField(required=False, default=False)

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
    path("auth/password/", PasswordChangeView.as_view(), name="api-auth-password"),
    path("addresses/", AddressListView.as_view(), name="api-addresses"),
    path("addresses/<int:address_id>/", AddressDetailView.as_view(), name="api-address"),
]
