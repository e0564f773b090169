"""Cart, checkout and orders REST API (signed-in shoppers; session or token auth).

Prices are never read from the request: the checkout computes every amount from the database. Answers:
400 bad input (a message per field), 402 a declined or invalid card, 404 another shopper's order or address,
409 sold out / not enough stock / an order that can no longer be cancelled.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.fields import StrictBooleanField
from common.openapi import error, validation_errors
from common.pagination import PageNumberPagination
from shop import selectors, services
from shop.api import SignedInRequest
from shop.api.accounts import PlainCharField, StrictJSONParser
from shop.services import payments

# --- serializers ----------------------------------------------------------------------------------------


class CartLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    variant_id = serializers.IntegerField()
    name = serializers.CharField()
    variant_name = serializers.CharField()
    sku = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    list_price = serializers.DecimalField(
        max_digits=10,
        decimal_places=2,
        allow_null=True,
        help_text="Before the sale; null without one.",
    )
    badge = serializers.CharField(help_text="The sale's badge; empty without one.")
    stock = serializers.IntegerField()
    available = serializers.BooleanField()
    problem = serializers.CharField()
    url = serializers.CharField()


class CartSerializer(serializers.Serializer):
    items = CartLineSerializer(many=True, source="lines")
    item_count = serializers.IntegerField()
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.SerializerMethodField()

    def get_currency(self, obj) -> str:
        return settings.SHOP_CURRENCY


def _quantity_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1,
        max_value=settings.SHOP_MAX_LINE_QUANTITY,
        error_messages={
            "invalid": _("Enter a whole number for the quantity."),
            "min_value": _("The quantity must be at least 1."),
            "max_value": _("You can buy at most %(limit)d of one product.")
            % {"limit": settings.SHOP_MAX_LINE_QUANTITY},
        },
        **kwargs,
    )


class CartItemAddSerializer(serializers.Serializer):
    """Prices and stock are not accepted: any such field is refused (400), amounts come from the database."""

    product_id = serializers.IntegerField(min_value=1, max_value=2**62)
    variant_id = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        help_text="The option (size, colour...) to buy; may be left out for a product with one option.",
    )
    quantity = serializers.IntegerField()  # replaced per request: the limit comes from settings

    def get_fields(self):
        fields = super().get_fields()
        fields["quantity"] = _quantity_field(required=False, default=1)
        return fields

    def validate(self, attrs):
        tampered = sorted(set(self.initial_data) & {"price", "unit_price", "stock", "line_total"})
        if tampered:
            raise serializers.ValidationError(
                {name: [_("This field cannot be set.")] for name in tampered}
            )
        return attrs


class CartItemQuantitySerializer(serializers.Serializer):
    patch_is_partial = False  # PATCH sets the quantity: the body needs it (common.openapi)

    quantity = serializers.IntegerField()
    variant_id = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        help_text="Which option's line, when the cart holds several options of the product.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["quantity"] = _quantity_field()
        return fields


_NEEDED_WITHOUT_ADDRESS_ID = "Required (not blank) unless address_id names a saved address."


class CheckoutSerializer(serializers.Serializer):
    """Where to ship: either `address_id` (one of your saved addresses) or the address itself, in which case
    full_name, line1, city and postal_code are required and not blank (country defaults to DE)."""

    address_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**62,
        help_text="A saved address of yours; without it, send full_name, line1, city and postal_code.",
    )
    full_name = PlainCharField(
        max_length=120, required=False, allow_blank=True, help_text=_NEEDED_WITHOUT_ADDRESS_ID
    )
    line1 = PlainCharField(
        max_length=200, required=False, allow_blank=True, help_text=_NEEDED_WITHOUT_ADDRESS_ID
    )
    line2 = PlainCharField(max_length=200, required=False, allow_blank=True)
    city = PlainCharField(
        max_length=100, required=False, allow_blank=True, help_text=_NEEDED_WITHOUT_ADDRESS_ID
    )
    postal_code = PlainCharField(
        max_length=20, required=False, allow_blank=True, help_text=_NEEDED_WITHOUT_ADDRESS_ID
    )
    country = PlainCharField(
        max_length=2,
        required=False,
        allow_blank=True,
        help_text="Two-letter country code; empty means DE.",
    )
    phone = PlainCharField(max_length=30, required=False, allow_blank=True)
    save_address = StrictBooleanField(required=False, default=False)
    shipping_method = serializers.ChoiceField(
        choices=list(selectors.SHIPPING_METHODS), default="standard"
    )
    payment_provider = serializers.ChoiceField(
        choices=[code for code, _label in payments.provider_choices()],
        default=payments.DEFAULT_PROVIDER,
    )
    card_number = PlainCharField(max_length=30, required=False, allow_blank=True, default="")
    idempotency_key = serializers.RegexField(
        r"^[A-Za-z0-9_-]{8,64}$",
        error_messages={
            "invalid": _("Send 8 to 64 letters, digits, '-' or '_' as idempotency_key."),
        },
    )
    share_to_followers = StrictBooleanField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if not attrs.get("address_id"):
            missing = [
                field
                for field in ("full_name", "line1", "city", "postal_code")
                if not attrs.get(field)
            ]
            if missing:
                raise serializers.ValidationError(
                    {field: [_("Required unless address_id is given.")] for field in missing}
                )
        return attrs

    def address(self) -> dict | None:
        data = self.validated_data
        if data.get("address_id"):
            return None
        return {field: data.get(field, "") for field in services.ADDRESS_FIELDS}


class OrderLineSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(allow_null=True)
    variant_id = serializers.IntegerField(allow_null=True)
    product_name = serializers.CharField()
    variant_name = serializers.CharField()
    sku = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    quantity = serializers.IntegerField()
    line_total = serializers.DecimalField(max_digits=12, decimal_places=2)
    list_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)


class OrderEventSerializer(serializers.Serializer):
    status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class OrderSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    shipping_method = serializers.CharField()
    shipping_cost = serializers.DecimalField(max_digits=10, decimal_places=2)
    subtotal = serializers.DecimalField(max_digits=12, decimal_places=2)
    total = serializers.DecimalField(max_digits=12, decimal_places=2)
    voucher_code = serializers.CharField()
    discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    payment_provider = serializers.CharField()
    share_to_followers = serializers.BooleanField()
    ship_to = serializers.SerializerMethodField()
    lines = OrderLineSerializer(many=True)
    url = serializers.CharField(source="get_absolute_url")

    @extend_schema_field(
        inline_serializer(
            "ShipTo",
            fields={
                name: serializers.CharField()
                for name in ("name", "line1", "line2", "city", "postal_code", "country")
            },
        )
    )
    def get_ship_to(self, order) -> dict:
        return {
            "name": order.ship_name,
            "line1": order.ship_line1,
            "line2": order.ship_line2,
            "city": order.ship_city,
            "postal_code": order.ship_postal_code,
            "country": order.ship_country,
        }


class OrderDetailSerializer(OrderSerializer):
    events = OrderEventSerializer(many=True)


ErrorSerializer = inline_serializer(
    "CommerceError",
    fields={"detail": serializers.CharField(), "code": serializers.CharField(required=False)},
)


def _error(message: str, code: int, kind: str = "") -> Response:
    body = {"detail": message}
    if kind:
        body["code"] = kind
    return Response(body, status=code)


def _cart_response(user, *, status_code: int = 200) -> Response:
    cart = selectors.cart_view(cart=selectors.cart_for(user=user))
    return Response(CartSerializer(cart).data, status=status_code)


def _validation_response(exc: DjangoValidationError) -> Response:
    code = getattr(exc, "code", "") or ""
    http = (
        status.HTTP_409_CONFLICT if code in {"sold_out", "stock"} else status.HTTP_400_BAD_REQUEST
    )
    return _error(exc.messages[0], http, code)


# --- views ----------------------------------------------------------------------------------------------


class CartView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(responses={200: CartSerializer})
    def get(self, request: Request) -> Response:
        return _cart_response(request.user)


class CartItemsView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=CartItemAddSerializer,
        responses={
            201: CartSerializer,
            400: validation_errors(
                CartItemAddSerializer,
                description="Invalid input: messages per field, or a detail with a code "
                "(unavailable: no such product on sale; max_value: over the line limit; "
                "variant_required: the product has several options and none was chosen; "
                "variant_unavailable: no such option on sale; variant_mismatch: the option "
                "belongs to another product).",
            ),
            409: ErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        data = CartItemAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = services.cart_get_or_create(user=request.user)
        try:
            services.cart_add_item(
                cart=cart,
                product_id=data.validated_data["product_id"],
                variant_id=data.validated_data.get("variant_id"),
                quantity=data.validated_data["quantity"],
                user_id=request.user.id,
            )
        except DjangoValidationError as exc:
            return _validation_response(exc)
        return _cart_response(request.user, status_code=status.HTTP_201_CREATED)


class CartItemView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=CartItemQuantitySerializer,
        responses={
            200: CartSerializer,
            400: validation_errors(CartItemQuantitySerializer),
            404: error("The product is not in your cart."),
            409: ErrorSerializer,
        },
    )
    def patch(self, request: Request, product_id: int) -> Response:
        data = CartItemQuantitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        cart = services.cart_get_or_create(user=request.user)
        try:
            services.cart_set_quantity(
                cart=cart,
                product_id=product_id,
                variant_id=data.validated_data.get("variant_id"),
                quantity=data.validated_data["quantity"],
            )
        except DjangoValidationError as exc:
            return _validation_response(exc)
        return _cart_response(request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "variant_id",
                int,
                required=False,
                description="Which option's line, when the cart holds several options of the product.",
            )
        ],
        responses={200: CartSerializer, 404: ErrorSerializer},
    )
    def delete(self, request: Request, product_id: int) -> Response:
        cart = services.cart_get_or_create(user=request.user)
        services.cart_remove_item(
            cart=cart, product_id=product_id, variant_id=request.query_params.get("variant_id")
        )
        return _cart_response(request.user)


class CheckoutView(APIView):
    """Place an order from the cart (201). Send a fresh `idempotency_key` per attempt: resending with the same
    key answers 200 with the order already placed instead of placing a second one."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=CheckoutSerializer,
        responses={
            201: OpenApiResponse(OrderDetailSerializer, description="The order placed now."),
            200: OpenApiResponse(
                OrderDetailSerializer,
                description="This idempotency_key had already placed the order: the same order, "
                "nothing changed.",
            ),
            400: validation_errors(
                CheckoutSerializer,
                description="Invalid input: messages per field (the address fields when neither "
                "address_id nor a full address is sent), or a detail with a code (an empty cart).",
            ),
            402: ErrorSerializer,
            404: error("address_id names no saved address of yours."),
            409: ErrorSerializer,
        },
    )
    def post(self, request: SignedInRequest) -> Response:
        data = CheckoutSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        share = values.get("share_to_followers")
        if share is None:
            share = selectors.share_purchases_default(user=request.user)
        try:
            placement = services.order_placement(
                user=request.user,
                idempotency_key=values["idempotency_key"],
                shipping_method=values["shipping_method"],
                payment_provider=values["payment_provider"],
                card_number=values.get("card_number", ""),
                address=data.address(),
                address_id=values.get("address_id"),
                share_to_followers=share,
                save_address=values.get("save_address", False),
            )
        except (
            DjangoValidationError
        ) as exc:  # SoldOut (409) and PaymentFailed (402) go to common.api
            if hasattr(exc, "error_dict"):
                return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
            return _error(exc.messages[0], status.HTTP_400_BAD_REQUEST, exc.code or "")
        order = selectors.order_detail(user=request.user, number=placement.order.number)
        return Response(
            OrderDetailSerializer(order).data,
            status=status.HTTP_201_CREATED if placement.created else status.HTTP_200_OK,
        )


class OrderListView(generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]
    serializer_class = OrderSerializer
    pagination_class = PageNumberPagination

    def get_queryset(self):
        return selectors.order_list_for_user(user=self.request.user)


class OrderDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(responses={200: OrderDetailSerializer, 404: ErrorSerializer})
    def get(self, request: SignedInRequest, number: str) -> Response:
        order = selectors.order_detail(user=request.user, number=number)
        return Response(OrderDetailSerializer(order).data)


class OrderCancelView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [StrictJSONParser]

    @extend_schema(
        request=None,
        responses={200: OrderDetailSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
    )
    def post(self, request: SignedInRequest, number: str) -> Response:
        order = selectors.order_access(user=request.user, number=number)
        try:
            services.order_cancel(order=order, actor=request.user)
        except DjangoValidationError as exc:
            return _error(exc.messages[0], status.HTTP_409_CONFLICT, "not_cancellable")
        order = selectors.order_detail(user=request.user, number=number)
        return Response(OrderDetailSerializer(order).data)


urlpatterns = [
    path("cart/", CartView.as_view(), name="api-cart"),
    path("cart/items/", CartItemsView.as_view(), name="api-cart-items"),
    path("cart/items/<int:product_id>/", CartItemView.as_view(), name="api-cart-item"),
    path("checkout/", CheckoutView.as_view(), name="api-checkout"),
    path("orders/", OrderListView.as_view(), name="api-orders"),
    path("orders/<str:number>/", OrderDetailView.as_view(), name="api-order"),
    path("orders/<str:number>/cancel/", OrderCancelView.as_view(), name="api-order-cancel"),
]
