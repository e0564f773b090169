"""Profiles and follow-graph API: profiles, follows and follow requests, blocks, mutes and suggestions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import StrictJSONParser
from common.fields import UploadField
from common.openapi import error, validation_errors
from social import selectors, services
from social.api.helpers import (
    DetailSerializer,
    PersonSerializer,
    rate_limit,
    signed_in,
    valid_data,
)


class RelationshipSerializer(serializers.Serializer):
    is_self = serializers.BooleanField()
    following = serializers.BooleanField()
    requested = serializers.BooleanField()
    follows_me = serializers.BooleanField()
    i_blocked = serializers.BooleanField()
    muted = serializers.BooleanField()


class ProfileSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="profile.display_name")
    bio = serializers.CharField(source="profile.bio")
    avatar = serializers.SerializerMethodField()
    is_private = serializers.BooleanField(source="profile.is_private")
    follower_count = serializers.IntegerField()
    following_count = serializers.IntegerField()
    can_see_content = serializers.BooleanField()
    relationship = RelationshipSerializer()
    wishlist = serializers.SerializerMethodField()

    def get_avatar(self, page) -> str:
        return page.profile.avatar.url if page.profile.avatar else ""

    def get_wishlist(self, page) -> list[dict]:
        return [
            {
                "id": item.product_id,
                "name": item.product.name,
                "url": item.product.get_absolute_url(),
            }
            for item in page.wishlist
        ]


class ProfileTextSerializer(serializers.Serializer):
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class ProfileWriteSerializer(ProfileTextSerializer):
    """The avatar is a file, so it comes only in a multipart body."""

    avatar = UploadField(required=False)


class FollowRequestSerializer(serializers.Serializer):
    follower = PersonSerializer()
    created_at = serializers.DateTimeField()


class FollowStateSerializer(serializers.Serializer):
    status = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    user = PersonSerializer()
    reasons = serializers.ListField(child=serializers.CharField())


class ProfileView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses=ProfileSerializer, summary="A profile as the caller may see it")
    def get(self, request: Request, username: str) -> Response:
        page = selectors.profile_page(viewer=request.user, username=username)
        return Response(ProfileSerializer(page).data)


class MyProfileView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    @extend_schema(responses=ProfileSerializer)
    def get(self, request: Request) -> Response:
        page = selectors.profile_page(viewer=request.user, username=request.user.get_username())
        return Response(ProfileSerializer(page).data)

    @extend_schema(
        request={
            "application/json": ProfileTextSerializer,
            "application/x-www-form-urlencoded": ProfileTextSerializer,
            "multipart/form-data": ProfileWriteSerializer,
        },
        responses={200: ProfileSerializer, 400: validation_errors(ProfileWriteSerializer)},
    )
    def patch(self, request: Request) -> Response:
        data = valid_data(ProfileWriteSerializer, request)
        services.profile_update(
            user=signed_in(request),
            display_name=data.get("display_name"),
            bio=data.get("bio"),
            avatar=data.get("avatar"),
        )
        page = selectors.profile_page(viewer=request.user, username=request.user.get_username())
        return Response(ProfileSerializer(page).data)


class FollowView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            201: FollowStateSerializer,
            400: error("You cannot follow yourself, or one of you blocked the other."),
            429: DetailSerializer,
        },
    )
    def post(self, request: Request, username: str) -> Response:
        target = selectors.user_by_username(username=username)
        rate_limit(request, "follow")
        follow = services.follow_create(follower=signed_in(request), followee=target)
        return Response({"status": follow.status}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        target = selectors.user_by_username(username=username)
        services.follow_delete(follower=signed_in(request), followee=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PeopleView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    which = "followers"

    @extend_schema(
        responses={
            200: PersonSerializer(many=True),
            403: error("This profile is private."),
            404: error("No such person."),
        }
    )
    def get(self, request: Request, username: str) -> Response:
        page = selectors.profile_page(viewer=request.user, username=username)
        if not page.can_see_content:
            raise DjangoPermissionDenied("This profile is private.")
        lister = selectors.followers_of if self.which == "followers" else selectors.following_of
        return Response(
            PersonSerializer(lister(viewer=request.user, user=page.user), many=True).data
        )


class FollowRequestListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=FollowRequestSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.follow_requests_for_user(user=signed_in(request))
        return Response(FollowRequestSerializer(rows, many=True).data)


class FollowRequestAnswerView(APIView):
    permission_classes = [IsAuthenticated]
    answer = "approve"

    @extend_schema(request=None, responses={204: None, 400: DetailSerializer})
    def post(self, request: Request, follower_id: int) -> Response:
        if self.answer == "approve":
            services.follow_request_approve(followee=signed_in(request), follower_id=follower_id)
        else:
            services.follow_request_decline(followee=signed_in(request), follower_id=follower_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _UserRelationView(APIView):
    """POST creates, DELETE removes one relation from the signed-in user to `username` (block, mute)."""

    permission_classes = [IsAuthenticated]

    def relation_create(self, actor, target) -> None:
        raise NotImplementedError  # each subclass names its service

    def relation_delete(self, actor, target) -> None:
        raise NotImplementedError

    @extend_schema(request=None, responses={204: None, 400: error("Not yourself.")})
    def post(self, request: Request, username: str) -> Response:
        self.relation_create(request.user, selectors.user_by_username(username=username))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        self.relation_delete(request.user, selectors.user_by_username(username=username))
        return Response(status=status.HTTP_204_NO_CONTENT)


class BlockView(_UserRelationView):
    def relation_create(self, actor, target) -> None:
        services.block_create(blocker=actor, blocked=target)

    def relation_delete(self, actor, target) -> None:
        services.block_delete(blocker=actor, blocked=target)


class MuteView(_UserRelationView):
    def relation_create(self, actor, target) -> None:
        services.mute_create(muter=actor, muted=target)

    def relation_delete(self, actor, target) -> None:
        services.mute_delete(muter=actor, muted=target)


class BlockListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "BlocksAndMutes",
            {
                "blocked": serializers.ListField(child=serializers.CharField()),
                "muted": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request: Request) -> Response:
        data = selectors.export_for_user(user=signed_in(request))
        return Response({"blocked": data["blocked"], "muted": data["muted"]})


class SuggestionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request: Request) -> Response:
        items = selectors.people_you_may_know(user=signed_in(request), limit=20)
        return Response(SuggestionSerializer(items, many=True).data)
