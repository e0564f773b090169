"""Vouchers and sales over the API: put a code on the signed-in shopper's cart (answers the priced cart:
discount, the lines the code applies to, shipping waived, total), take it off, and list the sales running now.
Staff manage vouchers under `staff/vouchers/` (list, create, update, deactivate, with usage figures), guarded by
the model permissions; the rules are `shop.services.voucher_validate`.

Refusals: 400 `{"code": [message]}` (unknown, expired, not yet valid, minimum not met, not applicable), 403
`{"detail"}` (another shopper's personal code), 409 `{"detail", "code"}` (used up, already used by you).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import PAGE_PARAMETER, error, validation_errors
from common.pagination import PageNumberPagination
from shop import selectors, services
from shop.api import SignedInRequest, StaffChangePermissions, StaffModelPermissions, field_errors
from shop.api.accounts import PlainCharField, StrictJSONParser
from shop.api.commerce import ErrorSerializer
from shop.models import Voucher


def id_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        max_length=1000,
        required=False,
        help_text=help_text,
    )


class VoucherApplySerializer(serializers.Serializer):
    code = PlainCharField(max_length=32)


class VoucherLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    variant_id = serializers.IntegerField()
    discount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="This line's share of the discount."
    )


class CartPricingSerializer(serializers.Serializer):
    voucher_code = serializers.CharField(help_text="The code on the cart; empty without one.")
    voucher_problem = serializers.CharField(
        help_text="Why the code on the cart no longer applies; empty when it does."
    )
    applies_to_lines = VoucherLineSerializer(
        many=True,
        help_text="The cart lines (by product and variant) the code's scope covers (its products, "
        "categories and variants; every line for a code without a scope); empty when it does not apply.",
    )
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_cost = serializers.DecimalField(max_digits=10, decimal_places=2)
    free_shipping = serializers.BooleanField()
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()


class PromotionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    badge = serializers.CharField(source="label")
    percent_off = serializers.DecimalField(max_digits=5, decimal_places=2)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    product_ids = serializers.ListField(child=serializers.IntegerField())
    category_ids = serializers.ListField(child=serializers.IntegerField())


def _pricing(user) -> Response:
    cart = selectors.cart_view(cart=selectors.cart_for(user=user))
    summary = selectors.checkout_summary(cart=cart, shipping_method="standard")
    return Response(
        CartPricingSerializer(
            {
                "voucher_code": summary.voucher_code,
                "voucher_problem": summary.voucher_refusal.message
                if summary.voucher_refusal
                else "",
                "applies_to_lines": summary.voucher_lines,
                "subtotal": summary.subtotal,
                "discount": summary.discount,
                "shipping_cost": summary.shipping.cost,
                "free_shipping": summary.shipping.free,
                "total": summary.total,
                "currency": settings.SHOP_CURRENCY,
            }
        ).data
    )


class CartVoucherView(APIView):
    """The voucher on your cart, priced with standard shipping."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(responses={200: CartPricingSerializer})
    def get(self, request: SignedInRequest) -> Response:
        return _pricing(request.user)

    @extend_schema(
        request=VoucherApplySerializer,
        responses={
            200: CartPricingSerializer,
            400: validation_errors(VoucherApplySerializer, description="A refused code."),
            403: error("A personal code of another shopper."),
            409: OpenApiResponse(ErrorSerializer, description="Used up, or already used by you."),
        },
    )
    def post(self, request: SignedInRequest) -> Response:
        data = VoucherApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = services.cart_get_or_create(user=request.user)
        services.voucher_apply(cart=cart, code=data.validated_data["code"])
        return _pricing(request.user)

    @extend_schema(request=None, responses={200: CartPricingSerializer})
    def delete(self, request: SignedInRequest) -> Response:
        cart = selectors.cart_for(user=request.user)
        if cart is not None:
            services.voucher_remove(cart=cart)
        return _pricing(request.user)


class PromotionListView(APIView):
    """Sales running now (anyone may read them)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: PromotionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = [
            {
                "id": promotion.id,
                "name": promotion.name,
                "label": promotion.label,
                "percent_off": promotion.percent_off,
                "starts_at": promotion.starts_at,
                "ends_at": promotion.ends_at,
                "product_ids": sorted(promotion.product_ids),
                "category_ids": sorted(promotion.category_ids),
            }
            for promotion in selectors.promotions_running()
        ]
        return Response(PromotionSerializer(rows, many=True).data)


class UsageSerializer(serializers.Serializer):
    times_used = serializers.IntegerField()
    discount_given = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="Goods discount plus shipping waived."
    )
    orders = serializers.IntegerField()


class StaffVoucherSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    code = PlainCharField(max_length=32, help_text="Stored upper-case: letters, digits, - and _.")
    kind = serializers.ChoiceField(choices=Voucher.Kind.choices, required=False)
    value = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text="Percent (above 0, at most 100) or an amount (above 0); 0 for free shipping.",
    )
    description = PlainCharField(max_length=200, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Later than starts_at."
    )
    min_spend = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    max_uses = serializers.IntegerField(
        required=False,
        allow_null=True,
        max_value=2**31 - 1,
        help_text="Total uses; null: no limit. Never below the uses so far.",
    )
    max_uses_per_user = serializers.IntegerField(required=False, max_value=2**31 - 1)
    user_id = serializers.IntegerField(
        required=False, allow_null=True, help_text="A personal code for this shopper only."
    )
    is_active = serializers.BooleanField(required=False)
    product_ids = id_list("Scope: these products (empty lists together: the whole cart).")
    category_ids = id_list("Scope: these categories and their subcategories.")
    variant_ids = id_list("Scope: these variants (one size/colour of a product).")
    used_count = serializers.IntegerField(read_only=True)
    usage = UsageSerializer(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


def _voucher_rows(vouchers: list[Voucher]) -> list[dict]:
    usage = selectors.voucher_usage(voucher_ids=[voucher.id for voucher in vouchers])
    rows = []
    for voucher in vouchers:
        data = services.VoucherData.of(voucher)
        rows.append(
            {
                **dataclasses.asdict(data),
                "id": voucher.id,
                "used_count": voucher.used_count,
                "usage": usage[voucher.id],
                "created_at": voucher.created_at,
            }
        )
    return rows


def _staff_vouchers():
    return Voucher.objects.prefetch_related("products", "categories", "variants").order_by(
        "-created_at", "-id"
    )


def _voucher_data(validated: dict, base: services.VoucherData | None) -> services.VoucherData:
    values: dict[str, Any] = {
        name: tuple(value) if name.endswith("_ids") and name != "user_id" else value
        for name, value in validated.items()
    }
    if base is None:
        return services.VoucherData(**values)
    return dataclasses.replace(base, **values)


VOUCHER_ERRORS = validation_errors(
    StaffVoucherSerializer, description="A field breaks a rule; nothing is stored."
)


class StaffVoucherListView(APIView):
    """Vouchers for staff (newest first, 24 a page) with their usage; staff with `add_voucher` create one."""

    permission_classes = [StaffModelPermissions]
    queryset = Voucher.objects.all()

    @extend_schema(parameters=[PAGE_PARAMETER], responses={200: StaffVoucherSerializer(many=True)})
    def get(self, request: Request) -> Response:
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(_staff_vouchers(), request, view=self) or []
        return paginator.get_paginated_response(
            StaffVoucherSerializer(_voucher_rows(list(page)), many=True).data
        )

    @extend_schema(
        request=StaffVoucherSerializer,
        responses={201: StaffVoucherSerializer, 400: VOUCHER_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = StaffVoucherSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            voucher = services.voucher_save(data=_voucher_data(data.validated_data, None))
        except ValidationError as exc:
            raise field_errors(exc) from None
        voucher = _staff_vouchers().get(pk=voucher.pk)
        return Response(
            StaffVoucherSerializer(_voucher_rows([voucher])[0]).data,
            status=status.HTTP_201_CREATED,
        )


class StaffVoucherDetailView(APIView):
    """One voucher with its usage; staff with `change_voucher` change any of its fields (PATCH)."""

    permission_classes = [StaffModelPermissions]
    queryset = Voucher.objects.all()

    @extend_schema(responses={200: StaffVoucherSerializer})
    def get(self, request: Request, voucher_id: int) -> Response:
        voucher = get_object_or_404(_staff_vouchers(), pk=voucher_id)
        return Response(StaffVoucherSerializer(_voucher_rows([voucher])[0]).data)

    @extend_schema(
        request=StaffVoucherSerializer,
        responses={200: StaffVoucherSerializer, 400: VOUCHER_ERRORS},
    )
    def patch(self, request: Request, voucher_id: int) -> Response:
        voucher = get_object_or_404(_staff_vouchers(), pk=voucher_id)
        data = StaffVoucherSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        base = services.VoucherData.of(voucher)
        try:
            services.voucher_save(data=_voucher_data(data.validated_data, base), voucher=voucher)
        except ValidationError as exc:
            raise field_errors(exc) from None
        voucher = _staff_vouchers().get(pk=voucher.pk)
        return Response(StaffVoucherSerializer(_voucher_rows([voucher])[0]).data)


class StaffVoucherDeactivateView(APIView):
    """Stop a code now (idempotent; kept with its usage). Needs `change_voucher`."""

    permission_classes = [StaffChangePermissions]
    queryset = Voucher.objects.all()

    @extend_schema(request=None, responses={200: StaffVoucherSerializer})
    def post(self, request: Request, voucher_id: int) -> Response:
        voucher = get_object_or_404(_staff_vouchers(), pk=voucher_id)
        services.voucher_deactivate(voucher=voucher)
        return Response(StaffVoucherSerializer(_voucher_rows([voucher])[0]).data)


urlpatterns = [
    path("staff/vouchers/", StaffVoucherListView.as_view(), name="api-staff-vouchers"),
    path(
        "staff/vouchers/<int:voucher_id>/",
        StaffVoucherDetailView.as_view(),
        name="api-staff-voucher",
    ),
    path(
        "staff/vouchers/<int:voucher_id>/deactivate/",
        StaffVoucherDeactivateView.as_view(),
        name="api-staff-voucher-deactivate",
    ),
    path("cart/voucher/", CartVoucherView.as_view(), name="api-cart-voucher"),
    path("promotions/", PromotionListView.as_view(), name="api-promotions"),
]
