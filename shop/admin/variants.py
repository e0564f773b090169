"""Admin for variants and attributes, the bulk stock edit, and the catalogue CSV import and export pages.

Every write goes through `shop.services` (variant names and product stock follow, cached pages refresh, waiting
shoppers hear about a restock). Stock is never a plain form field: it moves through the bulk stock page (an
optimistic all-or-nothing edit, or "add N to each") so a concurrent order is never overwritten.
"""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from shop import selectors, services
from shop.models import Attribute, AttributeValue, ProductImage, ProductVariant

__all__ = ["ProductVariantInline", "variant_stock_page"]

MAX_IMPORT_BYTES = 50 * 1024 * 1024


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0
    fields = ("sku", "name", "values", "price", "stock", "is_active", "position")
    readonly_fields = ("name", "stock")
    show_change_link = True


class AttributeValueInline(TranslationTabularInline):
    model = AttributeValue
    extra = 1
    fields = ("value", "slug", "position")


@admin.register(Attribute)
class AttributeAdmin(TranslationAdmin):
    list_display = ("name", "kind", "position")
    list_editable = ("position",)
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name_en", "name_zh_hans")
    inlines = [AttributeValueInline]

    def save_model(self, request, obj, form, change):
        services.attribute_save(attribute=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.attribute_values_saved(attribute=form.instance)

    def delete_model(self, request, obj):
        services.attribute_delete(attributes=Attribute.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.attribute_delete(attributes=queryset)


class StockEditForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Or add this many units to each"),
        min_value=1,
        max_value=services.MAX_STOCK,
        required=False,
    )


def variant_stock_page(
    model_admin: admin.ModelAdmin, request: HttpRequest, variants: list[ProductVariant], action: str
) -> HttpResponse | None:
    """The bulk stock edit: a new stock per variant (refused as a whole when one moved meanwhile), or the same
    number added to each. Returns None (back to the list) once saved."""
    status = 200
    form = StockEditForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        try:
            if form.cleaned_data["quantity"]:
                count = services.variant_restock(
                    variants=variants, quantity=form.cleaned_data["quantity"], actor=request.user
                )
            else:
                count = services.variant_stock_set(
                    changes=_stock_changes(request, variants), actor=request.user
                )
        except ValidationError as exc:
            model_admin.message_user(request, exc.messages[0], messages.ERROR)
            status = 400
        else:
            model_admin.message_user(
                request, _("Stock saved for %(count)d variants.") % {"count": count}
            )
            return None
    return render(
        request,
        "shop/admin/variant_stock.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": _("Edit stock"),
            "form": form,
            "variants": variants,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": model_admin.model._meta,
        },
        status=status,
    )


def _stock_changes(
    request: HttpRequest, variants: list[ProductVariant]
) -> list[services.VariantStockChange]:
    changes = []
    for variant in variants:
        raw = request.POST.get(f"stock-{variant.id}", "").strip()
        expected = request.POST.get(f"expected-{variant.id}", "").strip()
        if not raw:
            continue
        try:
            stock, seen = int(raw), int(expected)
        except ValueError:
            raise ValidationError(
                _("%(sku)s: enter a whole number of units.") % {"sku": variant.sku}
            ) from None
        changes.append(services.VariantStockChange(variant.id, expected=seen, stock=stock))
    return changes


class CatalogImportForm(forms.Form):
    file = forms.FileField(label=_("Catalogue CSV"))
    partial = forms.BooleanField(
        label=_("Store the good products even if some rows are refused"), required=False
    )
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False)


@admin.register(ProductVariant)
class ProductVariantAdmin(admin.ModelAdmin):
    list_display = ("sku", "product", "name", "stock", "price", "is_active")
    list_filter = ("is_active", "values__attribute")
    search_fields = ("sku", "name", "product__name")
    list_select_related = ("product",)
    raw_id_fields = ("product",)
    readonly_fields = ("name", "stock")
    filter_horizontal = ("values",)
    actions = ["edit_stock"]
    change_list_template = "shop/admin/variant_change_list.html"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "images":
            # Only the variant's own product's pictures (never every picture of the shop).
            object_id = request.resolver_match.kwargs.get("object_id")
            product_id = (
                ProductVariant.objects.filter(pk=object_id)
                .values_list("product_id", flat=True)
                .first()
                if object_id
                else None
            )
            kwargs["queryset"] = ProductImage.objects.filter(product_id=product_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.variant_save(variant=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.variants_refresh(product_ids=[form.instance.product_id])

    def delete_model(self, request, obj):
        services.variant_delete(variants=ProductVariant.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.variant_delete(variants=queryset)

    @admin.action(description=_("Edit stock of the selected variants…"))
    def edit_stock(self, request: HttpRequest, queryset) -> HttpResponse | None:
        variants = list(queryset.select_related("product").order_by("product_id", "position", "id"))
        return variant_stock_page(self, request, variants, "edit_stock")

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="shop_catalog_import",
            ),
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="shop_catalog_export",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("shop.add_product"):
            return HttpResponse(status=403)
        report, status = None, 200
        if request.method == "POST":
            form = CatalogImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                if upload.size > MAX_IMPORT_BYTES:
                    form.add_error("file", _("The file is larger than 50 MB."))
                    status = 400
                else:
                    report = services.catalog_import(
                        data=upload.read(),
                        partial=form.cleaned_data["partial"],
                        dry_run=form.cleaned_data["dry_run"],
                    )
                    status = 200 if report.ok else 400
            else:
                status = 400
        else:
            form = CatalogImportForm()
        return render(
            request,
            "shop/admin/catalog_import.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Import the catalogue from CSV"),
                "form": form,
                "report": report,
                "columns": services.CSV_COLUMNS,
                "image_folder": Path(services.IMPORT_IMAGE_FOLDER),
                "opts": self.model._meta,
            },
            status=status,
        )

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("shop.view_product"):
            return HttpResponse(status=403)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="catalogue.csv"'
        selectors.catalog_export_csv(response)
        return response
