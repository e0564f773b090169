"""Vouchers and sales over the API: put a code on the signed-in shopper's cart (answers the priced cart:
discount, the lines the code applies to, shipping waived, total), take it off, and list the sales running now.

Refusals: 400 `{"code": [message]}` (unknown, expired, not yet valid, minimum not met, not applicable), 403
`{"detail"}` (another shopper's personal code), 409 `{"detail", "code"}` (used up, already used by you).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error, validation_errors
from shop import selectors, services
from shop.api import SignedInRequest
from shop.api.accounts import PlainCharField, StrictJSONParser
from shop.api.commerce import ErrorSerializer


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


urlpatterns = [
    path("cart/voucher/", CartVoucherView.as_view(), name="api-cart-voucher"),
    path("promotions/", PromotionListView.as_view(), name="api-promotions"),
]
