"""Catalogue CSV over the API (staff with the product permissions): import a file (multipart) and get the row
report, or download the catalogue as CSV. The same services as the admin pages and the management commands."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.fields import StrictBooleanField
from common.openapi import error
from shop import selectors, services

MAX_IMPORT_BYTES = 50 * 1024 * 1024


class CatalogStaff(permissions.BasePermission):
    """Staff who may add and change products."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.is_staff
            and user.has_perms(["shop.add_product", "shop.change_product"])
        )


class CatalogImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="The catalogue CSV (UTF-8, or UTF-16 with a BOM), 50 MB at most."
    )
    # Declared fields shadow the serializer attributes of the same name only on the class (DRF's metaclass
    # pops them), so `partial` and `errors` below are safe; mypy sees the class attributes.
    partial = StrictBooleanField(  # type: ignore[assignment]
        required=False, default=False, help_text="Store the products whose rows are all good."
    )
    dry_run = StrictBooleanField(required=False, default=False, help_text="Only check the file.")


class RowErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class CatalogImportReportSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    products_created = serializers.IntegerField()
    products_updated = serializers.IntegerField()
    variants_created = serializers.IntegerField()
    variants_updated = serializers.IntegerField()
    images_added = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]
    errors_truncated = serializers.BooleanField()


class CatalogImportApi(APIView):
    permission_classes = [CatalogStaff]
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": CatalogImportInputSerializer},
        responses={
            200: CatalogImportReportSerializer,
            400: OpenApiResponse(
                CatalogImportReportSerializer,
                description="Rows refused (each with its line): nothing was stored, unless partial.",
            ),
            403: error("Not staff with the product permissions."),
        },
        summary="Import the catalogue from CSV (all-or-nothing by default)",
        operation_id="catalog_csv_import",
    )
    def post(self, request: Request) -> Response:
        data = CatalogImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise serializers.ValidationError({"file": ["The file is larger than 50 MB."]})
        report = services.catalog_import(
            data=upload.read(),
            partial=data.validated_data["partial"],
            dry_run=data.validated_data["dry_run"],
        )
        return Response(
            CatalogImportReportSerializer(report).data,
            status=status.HTTP_200_OK if report.ok else status.HTTP_400_BAD_REQUEST,
        )


class CatalogExportApi(APIView):
    permission_classes = [CatalogStaff]

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            403: error("Not staff with the product permissions."),
        },
        summary="The catalogue as CSV, one row per variant (the columns the import reads)",
        operation_id="catalog_csv_export",
    )
    def get(self, request: Request) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="catalogue.csv"'
        selectors.catalog_export_csv(response)
        return response


urlpatterns = [
    path("catalog/import/", CatalogImportApi.as_view(), name="api-catalog-import"),
    path("catalog/export/", CatalogExportApi.as_view(), name="api-catalog-export"),
]
