"""What the social API modules share: how a person is shown (author, follower), the `{"detail": ...}` error
body for the schema, request validation, and the one rate limiter turned into a 429."""

from __future__ import annotations

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated, Throttled
from rest_framework.request import Request

from common.fields import StrictBooleanField
from common.ratelimit import RateLimited, rate_limit_hit
from shop.models import User
from social.models import Profile

__all__ = [
    "AuthorSerializer",
    "DetailSerializer",
    "PersonSerializer",
    "rate_limit",
    "StrictBooleanField",
    "signed_in",
    "valid_data",
    "valid_query",
]


class AuthorSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()
    avatar = serializers.SerializerMethodField()

    def _profile(self, user) -> Profile | None:
        try:
            return user.profile
        except Profile.DoesNotExist:
            return None

    def get_display_name(self, user) -> str:
        profile = self._profile(user)
        return (profile.display_name if profile else "") or user.get_username()

    def get_avatar(self, user) -> str:
        profile = self._profile(user)
        return profile.avatar.url if profile and profile.avatar else ""


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return AuthorSerializer().get_display_name(user)


DetailSerializer = inline_serializer("Detail", {"detail": serializers.CharField()})


def signed_in(request: Request) -> User:
    """The signed-in shopper behind a request that passed `IsAuthenticated`."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def rate_limit(request: Request, scope: str) -> None:
    try:
        rate_limit_hit(scope=scope, key=signed_in(request).pk)
    except RateLimited as error:
        raise Throttled(wait=error.retry_after, detail=error.message) from None


def valid_data(serializer_class, request: Request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def valid_query(serializer_class, request: Request, **kwargs):
    """The query parameters validated by `serializer_class` (a bad value is a 400 naming the parameter); an
    empty value counts as not given."""
    params = {name: value for name, value in request.query_params.items() if value != ""}
    serializer = serializer_class(data=params, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
