"""Admin for the catalogue. Every write (save, delete, bulk actions, inlines) goes through `shop.services`, the
same as the site's own writes: restock notifies waiting shoppers, saves refresh the search vector, and every
change bumps the catalogue version so cached pages refresh on every node. Events are read-only.
tests/shop/admin/test_catalogue_version.py walks every registered admin and action to keep it so."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationAdmin

from shop import services
from shop.admin.variants import ProductVariantInline, variant_stock_page
from shop.forms.catalog import ProductImageForm
from shop.models import (
    Category,
    Product,
    ProductEvent,
    ProductImage,
    ProductVariant,
    Review,
    StockAlert,
    Tag,
    WishlistItem,
)


@admin.register(Category)
class CategoryAdmin(TranslationAdmin):
    list_display = ("name", "parent", "slug", "position")
    list_filter = ("parent",)
    search_fields = ("name_en", "name_zh_hans", "slug")
    prepopulated_fields = {"slug": ("name",)}
    list_editable = ("position",)
    list_select_related = ("parent",)

    def save_model(self, request, obj, form, change):
        services.category_save(category=obj)

    def delete_model(self, request, obj):
        services.category_delete(categories=Category.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.category_delete(categories=queryset)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        services.tag_save(tag=obj)

    def delete_model(self, request, obj):
        services.tag_delete(tags=Tag.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.tag_delete(tags=queryset)


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 1
    fields = ("image", "alt_text", "position")


class StockFilter(admin.SimpleListFilter):
    title = _("stock")
    parameter_name = "stock_state"

    def lookups(self, request, model_admin):
        return [("out", _("Sold out")), ("low", _("5 or fewer")), ("in", _("In stock"))]

    def queryset(self, request, queryset):
        if self.value() == "out":
            return queryset.filter(stock=0)
        if self.value() == "low":
            return queryset.filter(stock__gt=0, stock__lte=5)
        if self.value() == "in":
            return queryset.filter(stock__gt=0)
        return queryset


class RestockForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("Add units"), min_value=1, max_value=1_000_000, initial=10
    )


@admin.register(Product)
class ProductAdmin(TranslationAdmin):
    list_display = (
        "name",
        "category",
        "price",
        "group_price",
        "stock",
        "is_active",
        "rating_avg",
        "rating_count",
        "sold_count",
        "created_at",
    )
    list_filter = ("is_active", StockFilter, "category", "tags")
    search_fields = ("name_en", "name_zh_hans", "slug", "description_en", "description_zh_hans")
    list_select_related = ("category",)
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("tags",)
    # Stock is the sum of the variants' (shop.services.stock): edited per variant, never here.
    readonly_fields = (
        "stock",
        "rating_avg",
        "rating_count",
        "sold_count",
        "created_at",
        "updated_at",
    )
    inlines = [ProductImageInline, ProductVariantInline]
    actions = ["restock", "restock_ten", "edit_variant_stock", "activate", "deactivate"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        services.product_save(product=obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProductImage:
            super().save_formset(request, form, formset, change)
            return
        # Pictures go through their service, which queues their renditions.
        for image in formset.save(commit=False):
            services.product_image_save(image=image)
        if formset.deleted_objects:
            services.product_image_delete(
                images=ProductImage.objects.filter(
                    pk__in=[obj.pk for obj in formset.deleted_objects]
                )
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Tags, pictures and variants (the inlines) are saved after the product: refresh once they are all
        # there (variant names and the product's stock follow the variants).
        services.variants_refresh(product_ids=[form.instance.id])
        services.product_related_saved(product=form.instance)

    def delete_model(self, request, obj):
        services.product_delete(products=Product.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.product_delete(products=queryset)

    def _restock(self, request: HttpRequest, queryset, quantity: int) -> None:
        with transaction.atomic():
            for product in queryset:
                services.product_restock(product=product, quantity=quantity, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "Restocked %(count)d product by %(quantity)d.",
                "Restocked %(count)d products by %(quantity)d.",
                queryset.count(),
            )
            % {"count": queryset.count(), "quantity": quantity},
            messages.SUCCESS,
        )

    @admin.action(description=_("Restock selected products by N units…"))
    def restock(self, request: HttpRequest, queryset) -> HttpResponse | None:
        if "apply" in request.POST:
            form = RestockForm(request.POST)
            if form.is_valid():
                try:
                    self._restock(request, queryset, form.cleaned_data["quantity"])
                except ValidationError as exc:
                    self.message_user(request, exc.messages[0], messages.ERROR)
                return None
        else:
            form = RestockForm()
        return render(
            request,
            "shop/admin/restock.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Restock products"),
                "form": form,
                "products": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Edit stock of the selected products' variants…"))
    def edit_variant_stock(self, request: HttpRequest, queryset) -> HttpResponse | None:
        variants = list(
            ProductVariant.objects.filter(product__in=queryset)
            .select_related("product")
            .order_by("product_id", "position", "id")
        )
        return variant_stock_page(self, request, variants, "edit_variant_stock")

    @admin.action(description=_("Restock selected products by 10"))
    def restock_ten(self, request: HttpRequest, queryset) -> None:
        self._restock(request, queryset, 10)

    @admin.action(description=_("Activate selected products"))
    def activate(self, request: HttpRequest, queryset) -> None:
        count = services.product_set_active(
            product_ids=list(queryset.values_list("id", flat=True)), active=True
        )
        self.message_user(request, _("%(count)d products activated.") % {"count": count})

    @admin.action(description=_("Deactivate selected products (hide from the shop)"))
    def deactivate(self, request: HttpRequest, queryset) -> None:
        count = services.product_set_active(
            product_ids=list(queryset.values_list("id", flat=True)), active=False
        )
        self.message_user(request, _("%(count)d products deactivated.") % {"count": count})


@admin.register(ProductImage)
class ProductImageAdmin(admin.ModelAdmin):
    form = ProductImageForm
    fields = ("product", "image", "alt_text", "position")
    list_display = ("product", "position", "alt_text", "preview")
    search_fields = ("product__name", "alt_text")
    list_select_related = ("product",)
    raw_id_fields = ("product",)

    def save_model(self, request, obj, form, change):
        services.product_image_save(image=obj)

    def delete_model(self, request, obj):
        services.product_image_delete(images=ProductImage.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.product_image_delete(images=queryset)

    @admin.display(description=_("picture"))
    def preview(self, obj: ProductImage) -> str:
        if not obj.image:
            return ""
        return format_html(
            '<img src="{}" alt="{}" width="48" height="48">', obj.image.url, obj.alt_text
        )


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("product", "user", "rating", "verified_purchase", "is_hidden", "created_at")
    list_filter = ("rating", "verified_purchase", "is_hidden")
    search_fields = ("product__name", "user__username", "title", "body")
    list_select_related = ("product", "user")
    raw_id_fields = ("product", "user")
    readonly_fields = ("verified_purchase", "created_at", "updated_at")
    actions = ["hide", "unhide"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.product_rating_refresh(product_id=obj.product_id)

    def delete_model(self, request, obj):
        product_id = obj.product_id
        super().delete_model(request, obj)
        services.product_rating_refresh(product_id=product_id)

    def delete_queryset(self, request, queryset):
        product_ids = set(queryset.values_list("product_id", flat=True))
        super().delete_queryset(request, queryset)
        for product_id in product_ids:
            services.product_rating_refresh(product_id=product_id)

    def _set_hidden(self, queryset, hidden: bool) -> None:
        product_ids = set(queryset.values_list("product_id", flat=True))
        queryset.update(is_hidden=hidden)
        for product_id in product_ids:
            services.product_rating_refresh(product_id=product_id)

    @admin.action(description=_("Hide selected reviews"))
    def hide(self, request, queryset) -> None:
        self._set_hidden(queryset, True)

    @admin.action(description=_("Show selected reviews again"))
    def unhide(self, request, queryset) -> None:
        self._set_hidden(queryset, False)


@admin.register(WishlistItem)
class WishlistItemAdmin(admin.ModelAdmin):
    list_display = ("user", "product", "created_at")
    search_fields = ("user__username", "product__name")
    list_select_related = ("user", "product")
    raw_id_fields = ("user", "product")


@admin.register(StockAlert)
class StockAlertAdmin(admin.ModelAdmin):
    list_display = ("user", "product", "created_at", "notified_at")
    list_filter = (("notified_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username", "product__name")
    list_select_related = ("user", "product")
    raw_id_fields = ("user", "product")


@admin.register(ProductEvent)
class ProductEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "product", "user", "session_key")
    list_filter = ("kind",)
    search_fields = ("product__name", "user__username")
    list_select_related = ("product", "user")
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
