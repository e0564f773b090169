"""Group-buy REST API: list open groups, open one, see one, join, leave. Rules live in the services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.fields import StrictBooleanField
from common.openapi import error, validation_errors
from common.pagination import PageNumberPagination
from shop.selectors import product_get_active
from social.api.helpers import signed_in
from social.models import GroupBuy, GroupBuyMember
from social.selectors import (
    group_buy_get,
    group_buy_list_open,
    group_buy_members,
    group_buy_membership,
)
from social.services import (
    ShippingAddress,
    group_buy_join,
    group_buy_leave,
    group_buy_open,
)


class GroupBuyAddressSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=120)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    postal_code = serializers.CharField(max_length=20)
    country = serializers.CharField(max_length=2)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class GroupBuyCommitSerializer(serializers.Serializer):
    variant = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**62,
        help_text="Id of the active variant (size/colour) of the group's product to commit to; "
        "may be left out when the product has only one.",
    )
    quantity = serializers.IntegerField(default=1)
    address = GroupBuyAddressSerializer()
    payment_provider = serializers.CharField(max_length=20)
    card_number = serializers.CharField(max_length=25, required=False, allow_blank=True, default="")

    def shipping_address(self) -> ShippingAddress:
        data = self.validated_data["address"]
        return ShippingAddress(**{**data, "country": data["country"].upper()})


class GroupBuyOpenSerializer(GroupBuyCommitSerializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**62)
    target_size = serializers.IntegerField()
    deadline = serializers.DateTimeField()
    notify_followers = StrictBooleanField(default=False)


class GroupBuySerializer(serializers.ModelSerializer):
    product_name = serializers.CharField(source="product.name", read_only=True)
    creator = serializers.CharField(source="creator.username", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = GroupBuy
        fields = [
            "id",
            "product",
            "product_name",
            "creator",
            "group_price",
            "target_size",
            "member_count",
            "deadline",
            "status",
            "created_at",
            "closed_at",
            "url",
        ]
        read_only_fields = fields


class GroupBuyMembershipSerializer(serializers.ModelSerializer):
    # Null until the group completes and the member's order is placed.
    order_number = serializers.CharField(
        source="order.number", read_only=True, default=None, allow_null=True
    )
    # "M / Navy" ("" for a product without choices); null on commitments from before variants were chosen.
    variant_name = serializers.CharField(
        source="variant.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = GroupBuyMember
        fields = [
            "id",
            "group",
            "variant",
            "variant_name",
            "quantity",
            "status",
            "payment_provider",
            "order_number",
            "joined_at",
        ]
        read_only_fields = fields


class GroupBuyDetailSerializer(GroupBuySerializer):
    members = serializers.SerializerMethodField()
    my_membership = serializers.SerializerMethodField()

    class Meta(GroupBuySerializer.Meta):
        fields = [*GroupBuySerializer.Meta.fields, "members", "my_membership"]
        read_only_fields = fields

    def get_members(self, group: GroupBuy) -> list[str]:
        return [member.user.username for member in group_buy_members(group=group)]

    def get_my_membership(self, group: GroupBuy) -> dict | None:
        membership = group_buy_membership(group=group, user=self.context["request"].user)
        return GroupBuyMembershipSerializer(membership).data if membership else None


class GroupBuyListCreate(generics.ListAPIView):
    serializer_class = GroupBuySerializer
    pagination_class = PageNumberPagination

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    def get_queryset(self):
        return group_buy_list_open()

    @extend_schema(summary="Open group buys, soonest deadline first")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Open a group buy (the opener commits as its first member)",
        request=GroupBuyOpenSerializer,
        responses={
            201: GroupBuyDetailSerializer,
            400: validation_errors(GroupBuyOpenSerializer),
            403: error("Not signed in, or the account is suspended."),
            404: error("No such product on sale."),
            409: error("The product cannot be reserved (a detail with a code)."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = GroupBuyOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = product_get_active(product_id=data["product_id"])
        group = group_buy_open(
            creator=signed_in(request),
            product=product,
            target_size=data["target_size"],
            deadline=data["deadline"],
            address=serializer.shipping_address(),
            payment_provider=data["payment_provider"],
            card_number=data["card_number"],
            quantity=data["quantity"],
            variant_id=data["variant"],
            notify_followers=data["notify_followers"],
        )
        body = GroupBuyDetailSerializer(group, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class GroupBuyDetail(APIView):
    permission_classes = [AllowAny]

    @extend_schema(summary="One group buy with its members", responses=GroupBuyDetailSerializer)
    def get(self, request: Request, pk: int) -> Response:
        group = group_buy_get(group_id=pk)
        return Response(GroupBuyDetailSerializer(group, context={"request": request}).data)


class GroupBuyJoin(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Join: authorise payment and reserve stock; the order is placed when the group fills",
        request=GroupBuyCommitSerializer,
        responses={
            201: GroupBuyMembershipSerializer,
            400: validation_errors(GroupBuyCommitSerializer),
            403: error("Not signed in, or the account is suspended."),
            409: error("Already joined, full, expired or sold out (a detail with a code)."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        group = group_buy_get(group_id=pk)
        serializer = GroupBuyCommitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = group_buy_join(
            group_id=group.id,
            user=signed_in(request),
            address=serializer.shipping_address(),
            payment_provider=data["payment_provider"],
            card_number=data["card_number"],
            quantity=data["quantity"],
            variant_id=data["variant"],
        )
        return Response(GroupBuyMembershipSerializer(member).data, status=status.HTTP_201_CREATED)


class GroupBuyLeave(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Leave an open group: reservation released, authorisation voided",
        request=None,
        responses={
            200: inline_serializer("GroupBuyLeft", {"status": serializers.CharField()}),
            409: error("Not a member, or the group can no longer be left (a detail with a code)."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        group = group_buy_get(group_id=pk)
        member = group_buy_leave(group_id=group.id, user=request.user)
        return Response({"status": member.status})
