"""Recommendations over the API: `/api/v1/recs/<widget>/` with the same lists and reasons as the widgets."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from recsys.models import Widget
from recsys.services.clicks import impressions_record
from recsys.views.widgets import click_url, parse_product_param, widget_items


class RecommendedProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    url = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    product = RecommendedProductSerializer()
    score = serializers.FloatField()
    reason = serializers.CharField()
    reason_kind = serializers.CharField()
    click_url = serializers.CharField(
        help_text="Follow this link to open the product and log the click."
    )


class RecommendationListSerializer(serializers.Serializer):
    widget = serializers.ChoiceField(choices=Widget.choices)
    model_version = serializers.IntegerField(allow_null=True)
    variant = serializers.CharField(allow_blank=True)
    results = RecommendationSerializer(many=True)


class RecommendationQuerySerializer(serializers.Serializer):
    k = serializers.IntegerField(min_value=1, max_value=50, required=False, default=10)
    product = serializers.IntegerField(min_value=1, required=False)


API_WIDGETS = {
    "for_you": Widget.FOR_YOU,
    "trending": Widget.TRENDING,
    "similar": Widget.SIMILAR,
    "bought_together": Widget.BOUGHT_TOGETHER,
    "friends": Widget.FRIENDS,
}


PERSONAL_WIDGETS = ("for_you", "trending", "friends")
PRODUCT_WIDGETS = ("similar", "bought_together")


class RecommendationListView(APIView):
    """A widget's list. `similar` and `bought_together` have routes of their own (their `product` is required);
    the others share `recs/{widget}/`."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="recs_list",
        parameters=[
            OpenApiParameter(
                "widget",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=list(PERSONAL_WIDGETS),
                description="for_you and friends are personal (anonymous callers get non-personal lists).",
            ),
            OpenApiParameter(
                "k", OpenApiTypes.INT, description="How many items (1-50, default 10)."
            ),
        ],
        responses=RecommendationListSerializer,
    )
    def get(self, request: Request, widget: str) -> Response:
        if widget not in API_WIDGETS:
            raise Http404(_("No such widget."))
        query = RecommendationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        product = None
        if API_WIDGETS[widget] in (Widget.SIMILAR, Widget.BOUGHT_TOGETHER):
            if "product" not in query.validated_data:
                raise ValidationError({"product": [_("This widget needs ?product=<id>.")]})
            try:
                product = parse_product_param(str(query.validated_data["product"]))
            except ValueError as error:
                raise ValidationError({"product": [str(error)]}) from error
        items = widget_items(
            request=request,
            widget=API_WIDGETS[widget],
            product=product,
            k=query.validated_data["k"],
        )
        user_id = request.user.pk if request.user.is_authenticated else None
        impressions_record(user_id=user_id, recommendations=items)
        payload = {
            "widget": API_WIDGETS[widget],
            "model_version": items[0].model_version_id if items else None,
            "variant": items[0].variant if items else "",
            "results": [
                {
                    "position": item.position,
                    "product": {
                        "id": item.product.pk,
                        "name": item.product.name,
                        "slug": item.product.slug,
                        "price": item.product.price,
                        "url": item.product.get_absolute_url(),
                    },
                    "score": item.score,
                    "reason": item.reason,
                    "reason_kind": item.reason_kind,
                    "click_url": click_url(item),
                }
                for item in items
            ],
        }
        return Response(RecommendationListSerializer(payload).data)


class ProductRecommendationListView(RecommendationListView):
    """`recs/similar/` and `recs/bought_together/`: lists around one product, named by `?product=`."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "k", OpenApiTypes.INT, description="How many items (1-50, default 10)."
            ),
            OpenApiParameter(
                "product",
                OpenApiTypes.INT,
                required=True,
                description="The product the list is about (an active product's id).",
            ),
        ],
        responses=RecommendationListSerializer,
    )
    def get(self, request: Request, widget: str) -> Response:
        return super().get(request, widget)
