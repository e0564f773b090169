"""Catalogue REST API: categories, products (same filters, search and sorting as the pages), reviews, wishlist
and back-in-stock alerts. Thin views over `shop.selectors` and `shop.services`; bad input answers 400 with a
message per field, unknown ids 404."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.fields import StrictBooleanField
from common.openapi import PAGE_PARAMETER, error, validation_errors
from common.pictures import Picture, picture_formats, srcset
from shop import selectors, services
from shop.api import SignedInRequest
from shop.selectors.catalog import MAX_PAGE_SIZE

# --- serializers ----------------------------------------------------------------------------------------


class ProductImageSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="The original picture.")
    alt = serializers.CharField()
    width = serializers.IntegerField(help_text="The original's width in pixels (0 until measured).")
    height = serializers.IntegerField()
    srcset = serializers.DictField(
        child=serializers.CharField(),
        help_text='Per format ("webp", "avif"): an HTML srcset of the renditions; empty until they are made.',
    )


def picture_payload(picture: Picture, *, alt: str) -> dict:
    """A picture as the API gives it: the original plus the renditions' srcset per format."""
    return {
        "url": picture.url,
        "alt": alt,
        "width": picture.width,
        "height": picture.height,
        "srcset": {fmt: srcset(picture, fmt) for fmt in picture_formats()}
        if picture.renditions
        else {},
    }


class CatalogCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    url = serializers.CharField(source="get_absolute_url")


class CatalogCategoryBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class CatalogProductCardSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    url = serializers.CharField(source="get_absolute_url")
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    group_price = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    stock = serializers.IntegerField()
    in_stock = serializers.BooleanField()
    rating_avg = serializers.DecimalField(max_digits=3, decimal_places=2)
    rating_count = serializers.IntegerField()
    sold_count = serializers.IntegerField()
    category = CatalogCategoryBriefSerializer()
    image = serializers.SerializerMethodField()
    image_alt = serializers.SerializerMethodField()

    def get_image(self, product) -> str:
        return getattr(product, "card_image_url", "")

    def get_image_alt(self, product) -> str:
        return getattr(product, "card_image_alt", "") or product.name


class CatalogProductPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CatalogProductCardSerializer(many=True)


class RatingSummarySerializer(serializers.Serializer):
    average = serializers.DecimalField(max_digits=3, decimal_places=2)
    count = serializers.IntegerField()
    distribution = serializers.SerializerMethodField()

    def get_distribution(self, rating) -> dict[str, int]:
        return {str(stars): count for stars, count, _percent in rating.distribution}


class ProductReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    author = serializers.SerializerMethodField()
    verified_purchase = serializers.BooleanField()
    photo = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_author(self, review) -> str:
        profile = getattr(review.user, "profile", None)
        return (profile.display_name if profile else "") or review.user.get_username()

    def get_photo(self, review) -> str:
        return review.photo.url if review.photo else ""


class CatalogVariantSerializer(serializers.Serializer):
    """One option of a product: send its `id` as `variant_id` when adding to the cart."""

    id = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    stock = serializers.IntegerField()
    available = serializers.BooleanField()


class CatalogProductDetailSerializer(serializers.Serializer):
    product = CatalogProductCardSerializer()
    variants = serializers.SerializerMethodField()
    description = serializers.CharField(source="product.description")
    attributes = serializers.JSONField(source="product.attributes")
    tags = serializers.SerializerMethodField()
    images = serializers.SerializerMethodField()
    rating = RatingSummarySerializer()

    def get_tags(self, detail) -> list[str]:
        return [tag.name for tag in detail.tags]

    @extend_schema_field(CatalogVariantSerializer(many=True))
    def get_variants(self, detail) -> list[dict]:
        return list(CatalogVariantSerializer(self.context.get("variants", []), many=True).data)

    @extend_schema_field(ProductImageSerializer(many=True))
    def get_images(self, detail) -> list[dict]:
        return [
            picture_payload(image.picture, alt=image.alt_text or detail.product.name)
            for image in detail.images
        ]


class ProductReviewPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField(source="number")
    num_pages = serializers.IntegerField()
    results = ProductReviewSerializer(many=True, source="items")


class ProductReviewInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    body = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    share = StrictBooleanField(required=False, default=False)


class StockAlertInputSerializer(serializers.Serializer):
    variant_id = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        help_text="The sold-out option awaited; needed when the product has several.",
    )


class WishlistProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(min_value=1, max_value=2**62)


# --- helpers --------------------------------------------------------------------------------------------

_FILTER_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Search text (full-text on PostgreSQL)."),
    OpenApiParameter(
        "category", OpenApiTypes.STR, description="Category slug (includes sub-categories)."
    ),
    OpenApiParameter("price_min", {"type": "number", "minimum": 0, "maximum": 99999999}),
    OpenApiParameter(
        "price_max",
        {"type": "number", "minimum": 0, "maximum": 99999999},
        description="Not below price_min.",
    ),
    OpenApiParameter("tag", OpenApiTypes.STR, description="Tag slug or name."),
    OpenApiParameter(
        "min_rating", {"type": "number", "minimum": 0, "maximum": 5}, description="0 to 5."
    ),
    OpenApiParameter(
        "in_stock", OpenApiTypes.BOOL, description="Only products in stock (true/1 or false/0)."
    ),
    OpenApiParameter(
        "option",
        OpenApiTypes.STR,
        description="Variant options in stock, attribute:value, comma-separated (size:m,colour:navy): "
        "products with an active variant in stock that has them all (values of one attribute are "
        "alternatives).",
    ),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=list(selectors.PRODUCT_SORTS)),
    PAGE_PARAMETER,
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"1 to {MAX_PAGE_SIZE} (default 24).",
    ),
]


def _page_params(request: Request, *, default_size: int = 24) -> tuple[int, int]:
    page = selectors.page_number_parse(request.query_params.get("page"))
    raw_size = request.query_params.get("page_size")
    size = default_size
    if raw_size not in (None, ""):
        try:
            size = selectors.page_number_parse(raw_size)
        except DjangoValidationError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise DjangoValidationError(
                {"page_size": _("Page size must be from 1 to %(max)d.") % {"max": MAX_PAGE_SIZE}}
            )
    return page, size


def _check_page(requested: int, served: int, count: int) -> None:
    if requested != served and count:
        raise NotFound(
            _("Page %(page)d does not exist; the last page is %(last)d.")
            % {"page": min(requested, 10**12), "last": served}
        )


def _page_link(request: Request, number: int | None) -> str | None:
    if number is None:
        return None
    params = request.query_params.copy()
    params["page"] = str(number)
    return request.build_absolute_uri(request.path + "?" + params.urlencode())


def _product(product_id: int):
    return selectors.product_get_active(product_id=product_id)


# --- views ----------------------------------------------------------------------------------------------


class CategoryListApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=CatalogCategorySerializer(many=True),
        summary="All categories (two-level tree)",
        operation_id="catalog_categories_list",
    )
    def get(self, request: Request) -> Response:
        flat = []
        for root in selectors.category_list():
            flat.append(root)
            flat.extend(root.children_list)
        return Response(CatalogCategorySerializer(flat, many=True).data)


class ProductListApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=_FILTER_PARAMETERS,
        responses={
            200: CatalogProductPageSerializer,
            400: validation_errors(
                name="ProductListValidationError",
                fields=[parameter.name for parameter in _FILTER_PARAMETERS],
                description="A query parameter is wrong: messages under its name.",
            ),
            404: error("The page is past the last one."),
        },
        summary="Products with filters, search and sorting",
        operation_id="catalog_products_list",
    )
    def get(self, request: Request) -> Response:
        filters = selectors.product_filters_parse(request.query_params)
        page_number, page_size = _page_params(request)
        page = selectors.product_page(filters=filters, page=page_number, per_page=page_size)
        _check_page(page_number, page.number, page.count)
        data = {
            "count": page.count,
            "page": page.number,
            "num_pages": page.num_pages,
            "next": _page_link(request, page.number + 1 if page.has_next else None),
            "previous": _page_link(request, page.number - 1 if page.has_previous else None),
            "results": CatalogProductCardSerializer(page.items, many=True).data,
        }
        return Response(data)


class ProductDetailApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses={200: CatalogProductDetailSerializer, 404: error("No such product on sale.")},
        summary="One product",
        operation_id="catalog_product_retrieve",
    )
    def get(self, request: Request, product_id: int) -> Response:
        detail = selectors.product_detail(product_id=product_id)
        first = detail.images[0] if detail.images else None
        detail.product.card_image_url = first.image.url if first else ""
        detail.product.card_image_alt = (first.alt_text if first else "") or detail.product.name
        choice = selectors.variant_choice(product=detail.product)
        return Response(
            CatalogProductDetailSerializer(detail, context={"variants": choice.options}).data
        )


class ProductReviewsApi(APIView):
    permission_classes = [permissions.IsAuthenticatedOrReadOnly]

    @extend_schema(
        parameters=[PAGE_PARAMETER],
        responses={
            200: ProductReviewPageSerializer,
            400: validation_errors(name="PageValidationError", fields=["page"]),
            404: error("No such product on sale, or the page is past the last one."),
        },
        summary="A product's reviews, newest first",
        operation_id="catalog_product_reviews_list",
    )
    def get(self, request: Request, product_id: int) -> Response:
        product = _product(product_id)
        page_number, _size = _page_params(request)
        page = selectors.review_page(product_id=product.id, page=page_number)
        _check_page(page_number, page.number, page.count)
        return Response(ProductReviewPageSerializer(page).data)

    @extend_schema(
        request=ProductReviewInputSerializer,
        responses={
            200: ProductReviewSerializer,
            201: ProductReviewSerializer,
            400: validation_errors(ProductReviewInputSerializer),
            404: error("No such product on sale."),
        },
        summary="Write your review of the product, or update it",
        operation_id="catalog_product_review_save",
    )
    def post(self, request: SignedInRequest, product_id: int) -> Response:
        product = _product(product_id)
        serializer = ProductReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existed = product.reviews.filter(user=request.user).exists()
        review = services.review_save(
            user=request.user, product=product, **serializer.validated_data
        )
        return Response(
            ProductReviewSerializer(review).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class WishlistApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses=CatalogProductCardSerializer(many=True),
        summary="Your wishlist",
        operation_id="catalog_wishlist_list",
    )
    def get(self, request: SignedInRequest) -> Response:
        return Response(
            CatalogProductCardSerializer(
                selectors.wishlist_for_user(user=request.user), many=True
            ).data
        )

    @extend_schema(
        request=WishlistProductSerializer,
        responses={
            201: WishlistProductSerializer,
            200: WishlistProductSerializer,
            400: validation_errors(WishlistProductSerializer),
            404: error("No such product on sale."),
        },
        summary="Add a product to your wishlist",
        operation_id="catalog_wishlist_add",
    )
    def post(self, request: SignedInRequest) -> Response:
        serializer = WishlistProductSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        product = _product(serializer.validated_data["product_id"])
        existed = selectors.wishlist_product_ids(
            user_id=cast(int, request.user.pk), product_ids=[product.id]
        )
        services.wishlist_add(user=request.user, product=product)
        return Response(
            {"product_id": product.id},
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )


class WishlistItemApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={204: None, 404: error("The product is not in your wishlist.")},
        summary="Remove from your wishlist",
        operation_id="catalog_wishlist_remove",
    )
    def delete(self, request: SignedInRequest, product_id: int) -> Response:
        if not services.wishlist_remove(user=request.user, product_id=product_id):
            raise NotFound(_("This product is not in your wishlist."))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StockAlertApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=StockAlertInputSerializer,
        responses={
            201: inline_serializer(
                "StockAlertCreated",
                {
                    "product_id": serializers.IntegerField(),
                    "variant_id": serializers.IntegerField(allow_null=True),
                },
            ),
            400: validation_errors(
                name="StockAlertError",
                description="The option is in stock, unknown, or one must be chosen (a detail "
                "with a code).",
            ),
            404: error("No such product on sale."),
        },
        summary="Tell me when this sold-out product (or option) is back",
        operation_id="catalog_stock_alert_create",
    )
    def post(self, request: SignedInRequest, product_id: int) -> Response:
        product = _product(product_id)
        data = StockAlertInputSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        alert = services.stock_alert_create(
            user=request.user, product=product, variant_id=data.validated_data.get("variant_id")
        )
        return Response(
            {"product_id": product.id, "variant_id": alert.variant_id},
            status=status.HTTP_201_CREATED,
        )


urlpatterns = [
    path("categories/", CategoryListApi.as_view(), name="api-categories"),
    path("products/", ProductListApi.as_view(), name="api-products"),
    path("products/<int:product_id>/", ProductDetailApi.as_view(), name="api-product"),
    path(
        "products/<int:product_id>/reviews/",
        ProductReviewsApi.as_view(),
        name="api-product-reviews",
    ),
    path("products/<int:product_id>/stock-alert/", StockAlertApi.as_view(), name="api-stock-alert"),
    path("wishlist/", WishlistApi.as_view(), name="api-wishlist"),
    path("wishlist/<int:product_id>/", WishlistItemApi.as_view(), name="api-wishlist-item"),
]
