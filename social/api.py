"""Social REST API (/api/v1/social/): profiles, the follow graph, posts, likes, comments, the feed,
notifications, suggestions, privacy, export and account deletion.

Thin: parse, call one selector or service, serialize. Visibility comes from `social.selectors` (so a private
profile's posts are invisible to non-followers here exactly as on the pages); rate limits from
`common.ratelimit` become 429 with a message.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import StrictJSONParser
from common.ratelimit import RateLimited, rate_limit_hit
from social import selectors, services
from social.models import Comment, Notification, Post, Profile

# --- serializers ------------------------------------------------------------------------------------------


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


class TaggedProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk")
    name = serializers.CharField(source="product.name")
    url = serializers.CharField(source="product.get_absolute_url")
    price = serializers.DecimalField(source="product.price", max_digits=10, decimal_places=2)
    verified_purchase = serializers.BooleanField()


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    author = AuthorSerializer()
    body = serializers.CharField()
    images = serializers.SerializerMethodField()
    products = TaggedProductSerializer(source="product_tags.all", many=True)
    review = serializers.SerializerMethodField()
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    liked_by_me = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    url = serializers.CharField(source="get_absolute_url")

    def get_images(self, post) -> list[dict]:
        return [{"url": i.image.url, "alt": i.alt_text} for i in post.images.all()]

    def get_review(self, post) -> dict | None:
        if post.kind != Post.Kind.REVIEW or post.review is None:
            return None
        return {"rating": post.review.rating, "title": post.review.title, "body": post.review.body}

    def get_liked_by_me(self, post) -> bool:
        return bool(getattr(post, "liked_by_me", False))


class PostWriteSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    product_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, max_length=5
    )
    images = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=6
    )


class PostUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    product_ids = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=5
    )


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    author = AuthorSerializer()
    body = serializers.CharField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    created_at = serializers.DateTimeField()


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=1000)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)


class ThreadSerializer(CommentSerializer):
    replies = CommentSerializer(source="reply_list", many=True)


class FeedSerializer(serializers.Serializer):
    results = PostSerializer(many=True, source="items")
    next_cursor = serializers.CharField(allow_null=True)


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


class ProfileWriteSerializer(serializers.Serializer):
    display_name = serializers.CharField(required=False, allow_blank=True, max_length=80)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    avatar = serializers.FileField(required=False)


class PersonSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()

    def get_display_name(self, user) -> str:
        return AuthorSerializer().get_display_name(user)


class FollowRequestSerializer(serializers.Serializer):
    follower = PersonSerializer()
    created_at = serializers.DateTimeField()


class FollowStateSerializer(serializers.Serializer):
    status = serializers.CharField()


class SuggestionSerializer(serializers.Serializer):
    user = PersonSerializer()
    reasons = serializers.ListField(child=serializers.CharField())


class NotificationSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "message", "url", "actor", "read", "created_at"]

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class PrivacySerializer(serializers.Serializer):
    is_private = serializers.BooleanField(required=False)
    share_purchases_default = serializers.BooleanField(required=False)
    personalise_recommendations = serializers.BooleanField(required=False)
    show_in_suggestions = serializers.BooleanField(required=False)
    show_wishlist = serializers.BooleanField(required=False)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField()


DetailSerializer = inline_serializer("Detail", {"detail": serializers.CharField()})


def _limit(request: Request, scope: str) -> None:
    try:
        rate_limit_hit(scope=scope, key=request.user.pk)
    except RateLimited as error:
        raise Throttled(wait=error.retry_after, detail=error.message) from None


def _valid(serializer_class, request: Request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- profiles and graph -----------------------------------------------------------------------------------


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

    @extend_schema(request=ProfileWriteSerializer, responses=ProfileSerializer)
    def patch(self, request: Request) -> Response:
        data = _valid(ProfileWriteSerializer, request)
        services.profile_update(
            user=request.user,
            display_name=data.get("display_name"),
            bio=data.get("bio"),
            avatar=data.get("avatar"),
        )
        page = selectors.profile_page(viewer=request.user, username=request.user.get_username())
        return Response(ProfileSerializer(page).data)


class FollowView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: FollowStateSerializer, 429: DetailSerializer})
    def post(self, request: Request, username: str) -> Response:
        target = selectors.user_by_username(username=username)
        _limit(request, "follow")
        follow = services.follow_create(follower=request.user, followee=target)
        return Response({"status": follow.status}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, username: str) -> Response:
        target = selectors.user_by_username(username=username)
        services.follow_delete(follower=request.user, followee=target)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PeopleView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    which = "followers"

    @extend_schema(responses=PersonSerializer(many=True))
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
        rows = selectors.follow_requests_for_user(user=request.user)
        return Response(FollowRequestSerializer(rows, many=True).data)


class FollowRequestAnswerView(APIView):
    permission_classes = [IsAuthenticated]
    answer = "approve"

    @extend_schema(request=None, responses={204: None, 400: DetailSerializer})
    def post(self, request: Request, follower_id: int) -> Response:
        if self.answer == "approve":
            services.follow_request_approve(followee=request.user, follower_id=follower_id)
        else:
            services.follow_request_decline(followee=request.user, follower_id=follower_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _UserRelationView(APIView):
    """POST creates, DELETE removes one relation from the signed-in user to `username` (block, mute)."""

    permission_classes = [IsAuthenticated]

    def relation_create(self, actor, target) -> None:
        raise NotImplementedError  # each subclass names its service

    def relation_delete(self, actor, target) -> None:
        raise NotImplementedError

    @extend_schema(request=None, responses={204: None})
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
        data = selectors.export_for_user(user=request.user)
        return Response({"blocked": data["blocked"], "muted": data["muted"]})


class SuggestionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request: Request) -> Response:
        items = selectors.people_you_may_know(user=request.user, limit=20)
        return Response(SuggestionSerializer(items, many=True).data)


# --- posts, likes, comments, feed -------------------------------------------------------------------------

CURSOR = OpenApiParameter(
    "cursor", OpenApiTypes.STR, description="next_cursor of the previous page"
)


class FeedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(parameters=[CURSOR], responses=FeedSerializer)
    def get(self, request: Request) -> Response:
        page = selectors.feed_for_user(user=request.user, cursor=request.query_params.get("cursor"))
        return Response(FeedSerializer(page, context={"request": request}).data)


class ProfilePostsView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(parameters=[CURSOR], responses=FeedSerializer)
    def get(self, request: Request, username: str) -> Response:
        page = selectors.profile_page(viewer=request.user, username=username)
        if not page.can_see_content:
            return Response({"results": [], "next_cursor": None})
        posts = selectors.posts_for_profile(
            viewer=request.user, author=page.user, cursor=request.query_params.get("cursor")
        )
        return Response(FeedSerializer(posts).data)


class PostListCreateView(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [StrictJSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request={
            "application/json": PostWriteSerializer,
            "multipart/form-data": PostWriteSerializer,
        },
        responses={201: PostSerializer, 400: DetailSerializer, 429: DetailSerializer},
    )
    def post(self, request: Request) -> Response:
        data = _valid(PostWriteSerializer, request)
        _limit(request, "post_create")
        post = services.post_create(
            author=request.user,
            body=data["body"],
            images=data["images"],
            product_ids=data["product_ids"],
        )
        post = selectors.post_access(user=request.user, post_id=post.pk)
        return Response(PostSerializer(post).data, status=status.HTTP_201_CREATED)


class PostDetailView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: PostSerializer, 404: DetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(PostSerializer(selectors.post_access(user=request.user, post_id=pk)).data)

    @extend_schema(request=PostUpdateSerializer, responses=PostSerializer)
    def patch(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        data = _valid(PostUpdateSerializer, request)
        services.post_update(
            post=post,
            actor=request.user,
            body=data.get("body"),
            product_ids=data.get("product_ids"),
        )
        return Response(PostSerializer(selectors.post_access(user=request.user, post_id=pk)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        services.post_delete(post=post, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LikeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses=inline_serializer(
            "LikeState",
            {"liked": serializers.BooleanField(), "like_count": serializers.IntegerField()},
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        services.like_create(user=request.user, post=post)
        post.refresh_from_db(fields=["like_count"])
        return Response({"liked": True, "like_count": post.like_count})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        services.like_delete(user=request.user, post=post)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentListCreateView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses=ThreadSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        threads = selectors.comments_for_post(viewer=request.user, post=post)
        return Response(ThreadSerializer(threads, many=True).data)

    @extend_schema(
        request=CommentWriteSerializer,
        responses={201: CommentSerializer, 403: DetailSerializer, 429: DetailSerializer},
    )
    def post(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        data = _valid(CommentWriteSerializer, request)
        _limit(request, "comment_create")
        comment = services.comment_create(
            author=request.user, post=post, body=data["body"], parent_id=data["parent"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        comment: Comment = selectors.comment_access(user=request.user, comment_id=pk)
        services.comment_delete(comment=comment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- notifications, privacy, export, deletion -------------------------------------------------------------


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
        items = selectors.notification_list(user=request.user, unread_only=unread_only)[:100]
        return Response(
            {
                "unread": selectors.notification_unread_count(user=request.user),
                "results": NotificationSerializer(items, many=True).data,
            }
        )


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request: Request, pk: int) -> Response:
        marked = services.notification_mark_read(user=request.user, notification_id=pk)
        if not marked and not selectors.notification_list(user=request.user).filter(pk=pk).exists():
            raise Http404("Notification not found.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None, responses=inline_serializer("Marked", {"marked": serializers.IntegerField()})
    )
    def post(self, request: Request) -> Response:
        return Response({"marked": services.notification_mark_all_read(user=request.user)})


class PrivacyView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PrivacySerializer)
    def get(self, request: Request) -> Response:
        profile = services.profile_get_or_create(user=request.user)
        return Response({name: getattr(profile, name) for name in services.PRIVACY_FIELDS})

    @extend_schema(request=PrivacySerializer, responses=PrivacySerializer)
    def patch(self, request: Request) -> Response:
        data = _valid(PrivacySerializer, request)
        profile = services.privacy_update(user=request.user, **data)
        return Response({name: getattr(profile, name) for name in services.PRIVACY_FIELDS})


class ExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Everything stored about me (JSON)")
    def get(self, request: Request) -> Response:
        return Response(selectors.export_for_user(user=request.user))


class AccountDeleteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordSerializer, responses={204: None, 400: DetailSerializer})
    def post(self, request: Request) -> Response:
        data = _valid(PasswordSerializer, request)
        services.account_delete_with_password(user=request.user, password=data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("feed/", FeedView.as_view(), name="social-api-feed"),
    path("suggestions/", SuggestionsView.as_view(), name="social-api-suggestions"),
    path("profiles/me/", MyProfileView.as_view(), name="social-api-my-profile"),
    path("profiles/<str:username>/", ProfileView.as_view(), name="social-api-profile"),
    path(
        "profiles/<str:username>/posts/",
        ProfilePostsView.as_view(),
        name="social-api-profile-posts",
    ),
    path("profiles/<str:username>/follow/", FollowView.as_view(), name="social-api-follow"),
    path(
        "profiles/<str:username>/followers/",
        PeopleView.as_view(which="followers"),
        name="social-api-followers",
    ),
    path(
        "profiles/<str:username>/following/",
        PeopleView.as_view(which="following"),
        name="social-api-following",
    ),
    path("profiles/<str:username>/block/", BlockView.as_view(), name="social-api-block"),
    path("profiles/<str:username>/mute/", MuteView.as_view(), name="social-api-mute"),
    path("blocks/", BlockListView.as_view(), name="social-api-blocks"),
    path("follow-requests/", FollowRequestListView.as_view(), name="social-api-follow-requests"),
    path(
        "follow-requests/<int:follower_id>/approve/",
        FollowRequestAnswerView.as_view(answer="approve"),
        name="social-api-follow-approve",
    ),
    path(
        "follow-requests/<int:follower_id>/decline/",
        FollowRequestAnswerView.as_view(answer="decline"),
        name="social-api-follow-decline",
    ),
    path("posts/", PostListCreateView.as_view(), name="social-api-posts"),
    path("posts/<int:pk>/", PostDetailView.as_view(), name="social-api-post"),
    path("posts/<int:pk>/like/", LikeView.as_view(), name="social-api-like"),
    path("posts/<int:pk>/comments/", CommentListCreateView.as_view(), name="social-api-comments"),
    path("comments/<int:pk>/", CommentDetailView.as_view(), name="social-api-comment"),
    path("notifications/", NotificationListView.as_view(), name="social-api-notifications"),
    path(
        "notifications/<int:pk>/read/",
        NotificationReadView.as_view(),
        name="social-api-notification-read",
    ),
    path(
        "notifications/read-all/",
        NotificationReadAllView.as_view(),
        name="social-api-notifications-read-all",
    ),
    path("privacy/", PrivacyView.as_view(), name="social-api-privacy"),
    path("export/", ExportView.as_view(), name="social-api-export"),
    path("account/delete/", AccountDeleteView.as_view(), name="social-api-account-delete"),
]
