"""Explore API: the ranked grid of posts with photos, page by page (the same selector as the page)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import validation_errors
from social import selectors
from social.api.posts import PostSerializer


class ExplorePageSerializer(serializers.Serializer):
    results = PostSerializer(many=True, source="items")
    next_page = serializers.IntegerField(allow_null=True)


class ExploreQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, max_value=10000, required=False, default=1)


class ExploreView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int, description="From 1; next_page of the previous answer.")
        ],
        responses={200: ExplorePageSerializer, 400: validation_errors(ExploreQuerySerializer)},
    )
    def get(self, request: Request) -> Response:
        """Posts with photos ranked for the caller (fresh, liked, from people they follow, tagging products
        the recommender expects them to like), under the feed's privacy and block rules."""
        query = ExploreQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = selectors.explore_page(viewer=request.user, page=query.validated_data["page"])
        return Response(ExplorePageSerializer(page).data)
