"""Impressions, clicks and conversions in the admin."""

from __future__ import annotations

from django.contrib import admin

from recsys.models import Click, Conversion, Impression


@admin.register(Impression)
class ImpressionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "widget",
        "user",
        "product",
        "model_version",
        "variant",
        "position",
        "created_at",
    )
    list_filter = ("widget", "variant")
    raw_id_fields = ("user", "product", "model_version", "experiment")
    date_hierarchy = "created_at"


@admin.register(Click)
class ClickAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "widget",
        "user",
        "product",
        "model_version",
        "variant",
        "position",
        "created_at",
    )
    list_filter = ("widget", "variant")
    raw_id_fields = ("user", "product", "model_version", "experiment")
    date_hierarchy = "created_at"


@admin.register(Conversion)
class ConversionAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "click", "source_id", "created_at")
    list_filter = ("kind",)
    raw_id_fields = ("click",)
