"""Posts API: the feed, a profile's posts, writing, editing and deleting posts, likes and comments.

Visibility comes from `social.selectors`, so a private profile's posts are invisible to non-followers here exactly
as on the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import StrictJSONParser
from common.fields import UploadField
from common.openapi import validation_errors
from social import selectors, services
from social.api.helpers import (
    AuthorSerializer,
    DetailSerializer,
    rate_limit,
    signed_in,
    valid_data,
)
from social.models import Comment, Post

# Database ids are 64-bit: a larger number names nothing and would overflow the query.
ID_MAX = 2**63 - 1


class TaggedProductSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="product.pk")
    name = serializers.CharField(source="product.name")
    url = serializers.CharField(source="product.get_absolute_url")
    price = serializers.DecimalField(source="product.price", max_digits=10, decimal_places=2)
    verified_purchase = serializers.BooleanField()
    photo_id = serializers.IntegerField(
        source="image_id", allow_null=True, help_text="The photo the tag is placed on, if any."
    )
    x = serializers.FloatField(allow_null=True, help_text="0..1 from the photo's left edge.")
    y = serializers.FloatField(allow_null=True, help_text="0..1 from the photo's top edge.")


class PhotoSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.CharField(source="image.url")
    alt = serializers.CharField(source="alt_text")
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()


class TagWriteSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    photo = serializers.IntegerField(
        required=False, allow_null=True, help_text="The photo's number in the post, from 0."
    )
    x = serializers.FloatField(required=False, allow_null=True, help_text="0..1 from the left.")
    y = serializers.FloatField(required=False, allow_null=True, help_text="0..1 from the top.")


@extend_schema_field(TagWriteSerializer(many=True))
class TagListField(serializers.Field):
    """Product tags: a JSON list, or its JSON text in a multipart body. The post service checks them (on
    the `tags` field): a point outside its photo, a photo the post lacks or a product not on sale is a 400."""

    def to_internal_value(self, data: object) -> list[services.PhotoTag]:
        try:
            return services.photo_tags_parse(data)
        except DjangoValidationError as error:
            # The service names the `tags` field itself; here the messages belong to this field already.
            raise serializers.ValidationError(error.messages) from error

    def to_representation(self, value: object) -> object:
        return value


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    author = AuthorSerializer()
    body = serializers.CharField()
    # A nested field, not a method building a new PhotoSerializer (and deep-copying its fields) per post.
    images = PhotoSerializer(source="images.all", many=True, read_only=True)
    products = TaggedProductSerializer(source="product_tags.all", many=True)
    review = serializers.SerializerMethodField()
    like_count = serializers.IntegerField()
    comment_count = serializers.IntegerField()
    liked_by_me = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    url = serializers.CharField(source="get_absolute_url")

    def get_review(self, post) -> dict | None:
        if post.kind != Post.Kind.REVIEW or post.review is None:
            return None
        return {"rating": post.review.rating, "title": post.review.title, "body": post.review.body}

    def get_liked_by_me(self, post) -> bool:
        return bool(getattr(post, "liked_by_me", False))


class PostWriteSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    product_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        default=list,
        max_length=5,
    )
    images = serializers.ListField(
        child=UploadField(), required=False, default=list, max_length=services.MAX_POST_IMAGES
    )
    alt_texts = serializers.ListField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        required=False,
        default=list,
        max_length=services.MAX_POST_IMAGES,
        help_text="One description per photo, in the order of `images`.",
    )
    tags = TagListField(required=False, default=list)


class TagsWriteSerializer(serializers.Serializer):
    tags = TagListField()


class PostUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    product_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX), required=False, max_length=5
    )


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    author = AuthorSerializer()
    body = serializers.CharField()
    # "parent" is the API's field name; it shadows Field.parent in the DRF stubs, not at run time.
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    created_at = serializers.DateTimeField()


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=1000)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )


class ThreadSerializer(CommentSerializer):
    replies = CommentSerializer(source="reply_list", many=True)


class FeedSerializer(serializers.Serializer):
    results = PostSerializer(many=True, source="items")
    next_cursor = serializers.CharField(allow_null=True)


CURSOR = OpenApiParameter(
    "cursor",
    {"type": "string", "pattern": "^[A-Za-z0-9_-]*$"},
    description="next_cursor of the previous page (opaque; a cursor that was not given out is a 400).",
)

CURSOR_ERRORS = validation_errors(name="CursorError", fields=["cursor"])


class FeedView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[CURSOR],
        responses={
            200: FeedSerializer,
            400: CURSOR_ERRORS,
        },
    )
    def get(self, request: Request) -> Response:
        page = selectors.feed_for_user(
            user=signed_in(request), cursor=request.query_params.get("cursor")
        )
        return Response(FeedSerializer(page, context={"request": request}).data)


class ProfilePostsView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=[CURSOR],
        responses={
            200: FeedSerializer,
            400: CURSOR_ERRORS,
            404: DetailSerializer,
        },
    )
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
        responses={
            201: PostSerializer,
            400: validation_errors(PostWriteSerializer),
            429: DetailSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        data = valid_data(PostWriteSerializer, request)
        rate_limit(request, "post_create")
        post = services.post_create(
            author=signed_in(request),
            body=data["body"],
            images=data["images"],
            product_ids=data["product_ids"],
            image_alt_texts=data["alt_texts"],
            tags=data["tags"],
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
        data = valid_data(PostUpdateSerializer, request)
        services.post_update(
            post=post,
            actor=signed_in(request),
            body=data.get("body"),
            product_ids=data.get("product_ids"),
        )
        return Response(PostSerializer(selectors.post_access(user=request.user, post_id=pk)).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        services.post_delete(post=post, actor=signed_in(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PostPhotosView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: PhotoSerializer(many=True), 404: DetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """The post's photos in order, with their sizes and alt texts."""
        post = selectors.post_access(user=request.user, post_id=pk)
        return Response(PhotoSerializer(post.images.all(), many=True).data)


class PostTagsView(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(responses={200: TaggedProductSerializer(many=True), 404: DetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        """The post's tagged products, with where each sits on which photo."""
        post = selectors.post_access(user=request.user, post_id=pk)
        return Response(TaggedProductSerializer(post.product_tags.all(), many=True).data)

    @extend_schema(
        request=TagsWriteSerializer,
        responses={
            200: TaggedProductSerializer(many=True),
            400: validation_errors(TagsWriteSerializer),
            403: DetailSerializer,
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        """Replace the post's tags (the author only)."""
        post = selectors.post_access(user=request.user, post_id=pk)
        data = valid_data(TagsWriteSerializer, request)
        services.post_tags_set(post=post, actor=signed_in(request), tags=data["tags"])
        post = selectors.post_access(user=request.user, post_id=pk)
        return Response(TaggedProductSerializer(post.product_tags.all(), many=True).data)


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
        services.like_create(user=signed_in(request), post=post)
        post.refresh_from_db(fields=["like_count"])
        return Response({"liked": True, "like_count": post.like_count})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        post = selectors.post_access(user=request.user, post_id=pk)
        services.like_delete(user=signed_in(request), post=post)
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
        data = valid_data(CommentWriteSerializer, request)
        rate_limit(request, "comment_create")
        comment = services.comment_create(
            author=signed_in(request), post=post, body=data["body"], parent_id=data["parent"]
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        comment: Comment = selectors.comment_access(user=request.user, comment_id=pk)
        services.comment_delete(comment=comment, actor=signed_in(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class TagSuggestionProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class TagSuggestionsSerializer(serializers.Serializer):
    products = TagSuggestionProductSerializer(many=True)
    hashtags = serializers.ListField(child=serializers.CharField())


class PostTagSuggestionsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("text", str, description="The post's text so far.")],
        responses=TagSuggestionsSerializer,
        summary="Writing help: products you bought that the text speaks of, and hashtags",
    )
    def get(self, request: Request) -> Response:
        suggestions = selectors.post_tag_suggestions(
            user=signed_in(request), text=request.query_params.get("text", "")
        )
        return Response(TagSuggestionsSerializer(suggestions).data)
