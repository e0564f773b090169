"""Sales (automatic promotions) for staff under `staff/promotions/`: list, create, update and deactivate, with
their usage figures (`shop.selectors.promotion_usage`), guarded by the model permissions. The rules are
`shop.services.promotion_validate`; the public list of running sales is `promotions/` (shop.api.voucher)."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import PAGE_PARAMETER, validation_errors
from common.pagination import PageNumberPagination
from shop import selectors, services
from shop.api import StaffChangePermissions, StaffModelPermissions, field_errors
from shop.api.accounts import PlainCharField
from shop.api.voucher import UsageSerializer, id_list
from shop.models import Promotion


class StaffPromotionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = PlainCharField(max_length=120)
    badge = PlainCharField(
        max_length=24, required=False, allow_blank=True, help_text="Empty: '-20%' on cards."
    )
    percent_off = serializers.DecimalField(
        max_digits=5, decimal_places=2, help_text="Above 0 and below 100."
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(help_text="Later than starts_at.")
    is_active = serializers.BooleanField(required=False)
    product_ids = id_list("These products are on sale (at least one product or category).")
    category_ids = id_list("These categories and their subcategories are on sale.")
    usage = UsageSerializer(
        read_only=True,
        help_text="Order lines sold at this sale's price, what it took off them, and their orders.",
    )
    created_at = serializers.DateTimeField(read_only=True)


def _rows(promotions: list[Promotion]) -> list[dict]:
    usage = selectors.promotion_usage(promotions=promotions)
    return [
        {
            **dataclasses.asdict(services.PromotionData.of(promotion)),
            "id": promotion.id,
            "usage": usage[promotion.id],
            "created_at": promotion.created_at,
        }
        for promotion in promotions
    ]


def _staff_promotions():
    return Promotion.objects.prefetch_related("products", "categories").order_by(
        "-starts_at", "-id"
    )


def _data(validated: dict, base: services.PromotionData | None) -> services.PromotionData:
    values: dict[str, Any] = {
        name: tuple(value) if name.endswith("_ids") else value for name, value in validated.items()
    }
    if base is None:
        return services.PromotionData(**values)
    return dataclasses.replace(base, **values)


ERRORS = validation_errors(
    StaffPromotionSerializer, description="A field breaks a rule; nothing is stored."
)


class StaffPromotionListView(APIView):
    """Sales for staff (latest start first, 24 a page) with their usage; `add_promotion` creates one."""

    permission_classes = [StaffModelPermissions]
    queryset = Promotion.objects.all()

    @extend_schema(
        parameters=[PAGE_PARAMETER], responses={200: StaffPromotionSerializer(many=True)}
    )
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(_staff_promotions(), request, view=self) or []
        return paginator.get_paginated_response(
            StaffPromotionSerializer(_rows(list(page)), many=True).data
        )

    @extend_schema(
        request=StaffPromotionSerializer, responses={201: StaffPromotionSerializer, 400: ERRORS}
    )
    def post(self, request: Request) -> Response:
        data = StaffPromotionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            promotion = services.promotion_save(data=_data(data.validated_data, None))
        except ValidationError as exc:
            raise field_errors(exc) from None
        promotion = _staff_promotions().get(pk=promotion.pk)
        return Response(
            StaffPromotionSerializer(_rows([promotion])[0]).data, status=status.HTTP_201_CREATED
        )


class StaffPromotionDetailView(APIView):
    """One sale with its usage; `change_promotion` changes any of its fields (PATCH)."""

    permission_classes = [StaffModelPermissions]
    queryset = Promotion.objects.all()

    @extend_schema(responses={200: StaffPromotionSerializer})
    def get(self, request: Request, promotion_id: int) -> Response:
        promotion = get_object_or_404(_staff_promotions(), pk=promotion_id)
        return Response(StaffPromotionSerializer(_rows([promotion])[0]).data)

    @extend_schema(
        request=StaffPromotionSerializer, responses={200: StaffPromotionSerializer, 400: ERRORS}
    )
    def patch(self, request: Request, promotion_id: int) -> Response:
        promotion = get_object_or_404(_staff_promotions(), pk=promotion_id)
        data = StaffPromotionSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        base = services.PromotionData.of(promotion)
        try:
            services.promotion_save(data=_data(data.validated_data, base), promotion=promotion)
        except ValidationError as exc:
            raise field_errors(exc) from None
        promotion = _staff_promotions().get(pk=promotion.pk)
        return Response(StaffPromotionSerializer(_rows([promotion])[0]).data)


class StaffPromotionDeactivateView(APIView):
    """End a sale now (idempotent; kept with its usage). Needs `change_promotion`."""

    permission_classes = [StaffChangePermissions]
    queryset = Promotion.objects.all()

    @extend_schema(request=None, responses={200: StaffPromotionSerializer})
    def post(self, request: Request, promotion_id: int) -> Response:
        promotion = get_object_or_404(_staff_promotions(), pk=promotion_id)
        services.promotion_deactivate(promotion=promotion)
        return Response(StaffPromotionSerializer(_rows([promotion])[0]).data)


urlpatterns = [
    path("staff/promotions/", StaffPromotionListView.as_view(), name="api-staff-promotions"),
    path(
        "staff/promotions/<int:promotion_id>/",
        StaffPromotionDetailView.as_view(),
        name="api-staff-promotion",
    ),
    path(
        "staff/promotions/<int:promotion_id>/deactivate/",
        StaffPromotionDeactivateView.as_view(),
        name="api-staff-promotion-deactivate",
    ),
]
