"""Admin for vouchers and promotions. A promotion's save, delete or scope change goes through
`shop.services.promotion_changed`, so cached catalogue pages show the new prices at once."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shop import services
from shop.models import Promotion, Voucher, VoucherRedemption


class VoucherRedemptionInline(admin.TabularInline):
    model = VoucherRedemption
    extra = 0
    can_delete = False
    fields = ("order", "user", "amount", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "kind",
        "value",
        "min_spend",
        "starts_at",
        "ends_at",
        "used_count",
        "max_uses",
        "user",
        "is_active",
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "description", "user__username"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["products", "categories", "variants"]
    readonly_fields = ["used_count", "created_at"]
    inlines = [VoucherRedemptionInline]
    fieldsets = [
        (None, {"fields": ["code", "description", "kind", "value", "is_active"]}),
        (_("Validity"), {"fields": ["starts_at", "ends_at", "min_spend"]}),
        (
            _("Scope (empty: the whole cart)"),
            {
                "fields": ["products", "categories", "variants"],
                "description": _(
                    "A line is covered when its product, its category or its variant is listed."
                ),
            },
        ),
        (_("Limits"), {"fields": ["max_uses", "max_uses_per_user", "used_count", "user"]}),
    ]


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "percent_off", "badge", "starts_at", "ends_at", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["products", "categories"]

    def save_model(self, request, obj: Promotion, form, change) -> None:
        super().save_model(request, obj, form, change)
        services.promotion_changed(promotion=obj)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        services.promotion_changed(promotion=form.instance)

    def delete_model(self, request, obj: Promotion) -> None:
        services.promotion_delete(promotion=obj)

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        services.promotion_changed()
