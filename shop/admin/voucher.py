"""Admin for vouchers and promotions. Their forms check the rules through `shop.services.voucher_validate` and
`promotion_validate` (the same rules as the staff API). A promotion's save, delete or scope change goes through
`shop.services.promotion_changed`, so cached catalogue pages show the new prices at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shop import services
from shop.models import Promotion, Voucher, VoucherRedemption

# The service names scope fields by ids; the admin form by relation.
_FORM_FIELD = {
    "product_ids": "products",
    "category_ids": "categories",
    "variant_ids": "variants",
    "user_id": "user",
}


def _ids(cleaned: dict[str, Any], name: str) -> tuple[int, ...]:
    return tuple(row.pk for row in cleaned.get(name) or ())


def _add_errors(form: forms.ModelForm, error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        field = _FORM_FIELD.get(name, name)
        form.add_error(field if field in form.fields else None, messages)


class VoucherAdminForm(forms.ModelForm):
    class Meta:
        model = Voucher
        fields = [
            "code",
            "description",
            "kind",
            "value",
            "is_active",
            "starts_at",
            "ends_at",
            "min_spend",
            "products",
            "categories",
            "variants",
            "max_uses",
            "max_uses_per_user",
            "user",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:  # a field is already wrong: the rules need every value
            return cleaned
        user = cleaned.get("user")
        data = services.VoucherData(
            code=cleaned.get("code") or "",
            kind=cleaned.get("kind") or "",
            value=cleaned["value"],
            description=cleaned.get("description") or "",
            starts_at=cleaned.get("starts_at"),
            ends_at=cleaned.get("ends_at"),
            min_spend=cleaned["min_spend"],
            max_uses=cleaned.get("max_uses"),
            max_uses_per_user=cleaned["max_uses_per_user"],
            user_id=user.pk if user else None,
            is_active=bool(cleaned.get("is_active")),
            product_ids=_ids(cleaned, "products"),
            category_ids=_ids(cleaned, "categories"),
            variant_ids=_ids(cleaned, "variants"),
        )
        try:
            services.voucher_validate(
                data=data, voucher=self.instance if self.instance.pk else None
            )
        except ValidationError as error:
            _add_errors(self, error)
        return cleaned


class PromotionAdminForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = [
            "name",
            "badge",
            "percent_off",
            "starts_at",
            "ends_at",
            "is_active",
            "products",
            "categories",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        data = services.PromotionData(
            name=cleaned.get("name") or "",
            percent_off=cleaned["percent_off"],
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            badge=cleaned.get("badge") or "",
            is_active=bool(cleaned.get("is_active")),
            product_ids=_ids(cleaned, "products"),
            category_ids=_ids(cleaned, "categories"),
        )
        try:
            services.promotion_validate(data=data)
        except ValidationError as error:
            _add_errors(self, error)
        return cleaned


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
    form = VoucherAdminForm
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
    form = PromotionAdminForm
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
