"""Returns over the API: a shopper lists and asks for returns of their own delivered orders; staff approve
(and refund) or refuse. Every answer comes from `shop.services` (the same rules as the pages and admin).

Refusals: 400 per field (no reason, no lines, a line of another order), 404 another shopper's order, 409 `{"detail",
"code"}` (not delivered, window closed, more than bought or already asked back, already decided).
"""

from __future__ import annotations

from django.conf import settings
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.openapi import error, validation_errors
from shop import selectors, services
from shop.api import SignedInRequest
from shop.api.accounts import PlainCharField, StrictJSONParser
from shop.api.commerce import ErrorSerializer
from shop.models import Refund, ReturnRequest


class ReturnLineInSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(min_value=1, max_value=2**62)
    quantity = serializers.IntegerField(min_value=1, max_value=10_000)


class ReturnCreateSerializer(serializers.Serializer):
    lines = ReturnLineInSerializer(many=True, allow_empty=False)
    reason = PlainCharField(max_length=1000)


class ReturnLineSerializer(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    product_name = serializers.CharField(source="order_line.product_name")
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class RefundSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    manual = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class ReturnSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.CharField(source="order.number")
    status = serializers.CharField()
    reason = serializers.CharField()
    staff_note = serializers.CharField()
    lines = ReturnLineSerializer(many=True)
    refund = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(RefundSerializer(allow_null=True))
    def get_refund(self, obj: ReturnRequest) -> dict | None:
        refund = Refund.objects.filter(return_request_id=obj.id).first()
        return RefundSerializer(refund).data if refund else None


class ReturnDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "refuse"])
    note = PlainCharField(max_length=300, required=False, allow_blank=True, default="")
    refund_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    restock = serializers.BooleanField(required=False, default=True)


class OrderReturnsView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(responses={200: ReturnSerializer(many=True), 404: ErrorSerializer})
    def get(self, request: SignedInRequest, number: str) -> Response:
        order = selectors.order_access(user=request.user, number=number)
        returns = selectors.return_list_for_order(order=order)
        return Response(ReturnSerializer(returns, many=True).data)

    @extend_schema(
        request=ReturnCreateSerializer,
        responses={
            201: ReturnSerializer,
            400: validation_errors(ReturnCreateSerializer, description="Bad lines or reason."),
            404: error("No such order of yours."),
            409: OpenApiResponse(ErrorSerializer, description="Not returnable now."),
        },
    )
    def post(self, request: SignedInRequest, number: str) -> Response:
        data = ReturnCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = selectors.order_access(user=request.user, number=number)
        created = services.return_request_create(
            user=request.user,
            order=order,
            lines=data.validated_data["lines"],
            reason=data.validated_data["reason"],
        )
        found = selectors.return_list_for_order(order=order).get(id=created.id)
        return Response(ReturnSerializer(found).data, status=status.HTTP_201_CREATED)


class ReturnDecisionView(APIView):
    """Staff only: approve (refunds at once; `refund_amount` for a partial refund) or refuse with a note."""

    permission_classes = [permissions.IsAdminUser]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=ReturnDecisionSerializer,
        responses={
            200: ReturnSerializer,
            400: validation_errors(ReturnDecisionSerializer, description="Bad amount or note."),
            409: OpenApiResponse(ErrorSerializer, description="Already decided."),
        },
    )
    def post(self, request: SignedInRequest, return_id: int) -> Response:
        data = ReturnDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        found = ReturnRequest.objects.filter(id=return_id).first()
        if found is None:
            return Response({"detail": "No such return."}, status=status.HTTP_404_NOT_FOUND)
        if values["decision"] == "approve":
            services.return_approve(
                return_request=found,
                actor=request.user,
                note=values["note"],
                refund_amount=values["refund_amount"],
                restock=values["restock"],
            )
        else:
            services.return_refuse(return_request=found, actor=request.user, note=values["note"])
        fresh = ReturnRequest.objects.select_related("order", "refund").get(id=found.id)
        return Response(ReturnSerializer(fresh).data)


class InvoiceSerializer(serializers.Serializer):
    number = serializers.CharField()
    order = serializers.CharField()
    issued_at = serializers.DateTimeField()
    seller = serializers.DictField(child=serializers.CharField())
    goods = serializers.DecimalField(max_digits=12, decimal_places=2)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    voucher_code = serializers.CharField()
    shipping = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat = serializers.DecimalField(max_digits=12, decimal_places=2)
    net = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunded = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    html_url = serializers.CharField(help_text="The printable page.")


class OrderInvoiceView(APIView):
    """The invoice figures of your order (the printable page is `html_url`)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(responses={200: InvoiceSerializer, 404: ErrorSerializer})
    def get(self, request: SignedInRequest, number: str) -> Response:
        order = selectors.order_access(user=request.user, number=number)
        figures = selectors.invoice_for(order=order, lines=list(order.lines.all()))
        return Response(
            InvoiceSerializer(
                {
                    "number": figures.number,
                    "order": order.number,
                    "issued_at": order.created_at,
                    "seller": {
                        "name": settings.SHOP_LEGAL_NAME,
                        "address": settings.SHOP_LEGAL_ADDRESS,
                        "vat_id": settings.SHOP_VAT_ID,
                        "registration": settings.SHOP_REGISTRATION,
                        "email": settings.SHOP_LEGAL_EMAIL,
                    },
                    "goods": figures.goods,
                    "discount": figures.discount,
                    "voucher_code": order.voucher_code,
                    "shipping": figures.shipping,
                    "total": figures.total,
                    "vat_rate": figures.vat_rate,
                    "vat": figures.vat,
                    "net": figures.net,
                    "refunded": figures.refunded,
                    "currency": settings.SHOP_CURRENCY,
                    "html_url": reverse("shop:order_invoice", args=[order.number]),
                }
            ).data
        )


urlpatterns = [
    path("orders/<str:number>/invoice/", OrderInvoiceView.as_view(), name="api-order-invoice"),
    path("orders/<str:number>/returns/", OrderReturnsView.as_view(), name="api-order-returns"),
    path(
        "returns/<int:return_id>/decision/",
        ReturnDecisionView.as_view(),
        name="api-return-decision",
    ),
]
