"""Product questions and answers and review highlights over REST: list and search questions, ask, answer, vote
helpful, read the "what buyers say" aspects. Thin views over `shop.selectors` and `shop.services`; reports go
through social's moderation API (`shop.question`, `shop.answer`)."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.fields import StrictBooleanField
from common.openapi import PAGE_PARAMETER, error, validation_errors
from common.ratelimit import RateLimited, rate_limit_hit
from shop import selectors, services
from shop.api import SignedInRequest
from shop.models.qa import ANSWER_MAX_CHARS, QUESTION_MAX_CHARS


class QaPassageSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=["description", "attribute", "review"])  # type: ignore[assignment]
    text = serializers.CharField()
    review_id = serializers.IntegerField(allow_null=True)
    score = serializers.FloatField()


class QaSuggestionSerializer(serializers.Serializer):
    """The automatic answer, grounded in the product's text: `found` false means nothing relevant was found."""

    found = serializers.BooleanField()
    passages = QaPassageSerializer(many=True)


class QaAnswerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    verified_buyer = serializers.BooleanField()
    helpful_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class QaQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question.id")
    author = serializers.CharField(source="question.author.username")
    body = serializers.CharField(source="question.body")
    created_at = serializers.DateTimeField(source="question.created_at")
    answers = QaAnswerSerializer(many=True)
    suggestion = QaSuggestionSerializer(allow_null=True, help_text="Null while being computed.")
    voted_answer_ids = serializers.ListField(child=serializers.IntegerField())


class QaQuestionPageSerializer(serializers.Serializer):
    page = serializers.IntegerField(source="number")
    has_next = serializers.BooleanField()
    query = serializers.CharField()
    results = QaQuestionSerializer(source="items", many=True)


class QaQuestionInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=QUESTION_MAX_CHARS)


class QaQuestionCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class QaAnswerInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=ANSWER_MAX_CHARS)
    as_buyer = StrictBooleanField(
        required=False, default=False, help_text="Refused unless your orders say you bought it."
    )


class QaHighlightPassageSerializer(serializers.Serializer):
    review_id = serializers.IntegerField()
    text = serializers.CharField()
    polarity = serializers.ChoiceField(choices=["positive", "negative"])


class QaHighlightSerializer(serializers.Serializer):
    aspect = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    positive = serializers.IntegerField()
    negative = serializers.IntegerField()
    passages = QaHighlightPassageSerializer(many=True)


def _limit(scope: str, user_id: int) -> None:
    try:
        rate_limit_hit(scope=scope, key=user_id)
    except RateLimited as exc:
        raise Throttled(wait=exc.retry_after, detail=exc.message) from None


class ProductQuestionsApi(APIView):
    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.IsAuthenticated()]
        return [permissions.AllowAny()]

    @extend_schema(
        parameters=[
            PAGE_PARAMETER,
            OpenApiParameter("q", str, description="Words to find in questions and answers."),
        ],
        responses={200: QaQuestionPageSerializer, 404: error("No such product on sale.")},
        summary="The product's questions with their answers and automatic suggestions",
        operation_id="qa_product_questions_list",
    )
    def get(self, request: Request, product_id: int) -> Response:
        product = selectors.product_get_active(product_id=product_id)
        try:
            page = max(1, int(request.query_params.get("page", "1")))
        except ValueError:
            page = 1
        result = selectors.product_questions(
            product=product, user=request.user, query=request.query_params.get("q", ""), page=page
        )
        return Response(QaQuestionPageSerializer(result).data)

    @extend_schema(
        request=QaQuestionInputSerializer,
        responses={
            201: QaQuestionCreatedSerializer,
            400: validation_errors(QaQuestionInputSerializer),
            404: error("No such product on sale."),
            429: error("Too many questions in a short time."),
        },
        summary="Ask a question about the product (buyers are invited to answer)",
        operation_id="qa_question_ask",
    )
    def post(self, request: SignedInRequest, product_id: int) -> Response:
        product = selectors.product_get_active(product_id=product_id)
        serializer = QaQuestionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _limit("question_create", request.user.pk)
        question = services.question_ask(
            user=request.user, product=product, body=serializer.validated_data["body"]
        )
        return Response(QaQuestionCreatedSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswersApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=QaAnswerInputSerializer,
        responses={
            201: QaAnswerSerializer,
            400: validation_errors(QaAnswerInputSerializer),
            404: error("No such question."),
            409: error("You already answered this question."),
            429: error("Too many answers in a short time."),
        },
        summary="Answer a question (badged 'verified buyer' when your orders say you bought it)",
        operation_id="qa_answer_create",
    )
    def post(self, request: SignedInRequest, question_id: int) -> Response:
        question = selectors.question_get_visible(question_id=question_id)
        serializer = QaAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _limit("answer_create", request.user.pk)
        answer = services.answer_create(
            user=request.user, question=question, **serializer.validated_data
        )
        return Response(QaAnswerSerializer(answer).data, status=status.HTTP_201_CREATED)


class AnswerHelpfulApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: QaAnswerSerializer,
            400: error("Your own answer cannot be voted."),
            404: error("No such answer."),
            409: error("You already found this answer helpful."),
        },
        summary="Vote an answer helpful (once per person; not your own)",
        operation_id="qa_answer_helpful",
    )
    def post(self, request: SignedInRequest, answer_id: int) -> Response:
        answer = selectors.answer_get_visible(answer_id=answer_id)
        answer = services.answer_vote_helpful(user=request.user, answer=answer)
        return Response(QaAnswerSerializer(answer).data)


class ProductHighlightsApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: QaHighlightSerializer(many=True), 404: error("No such product on sale.")},
        summary="What buyers say: aspects of the reviews with their counts and passages",
        operation_id="qa_product_highlights",
    )
    def get(self, request: Request, product_id: int) -> Response:
        product = selectors.product_get_active(product_id=product_id)
        highlights = selectors.product_highlights(product_id=product.pk)
        return Response(QaHighlightSerializer(highlights, many=True).data)


urlpatterns = [
    path("products/<int:product_id>/questions/", ProductQuestionsApi.as_view()),
    path("questions/<int:question_id>/answers/", QuestionAnswersApi.as_view()),
    path("answers/<int:answer_id>/helpful/", AnswerHelpfulApi.as_view()),
    path("products/<int:product_id>/highlights/", ProductHighlightsApi.as_view()),
]
