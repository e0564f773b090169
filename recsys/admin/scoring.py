"""Scoring runs, the serving pointer and the stored lists in the admin."""

from __future__ import annotations

from django.contrib import admin

from recsys.models import ProductRecommendations, ScoringRun, ServingPointer, UserRecommendations


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "model_version",
        "status",
        "chunks_total",
        "users_scored",
        "created_at",
        "finished_at",
    )
    list_filter = ("status",)


@admin.register(ServingPointer)
class ServingPointerAdmin(admin.ModelAdmin):
    list_display = ("key", "run", "updated_at")


@admin.register(UserRecommendations)
class UserRecommendationsAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "widget", "run")
    list_filter = ("widget",)
    raw_id_fields = ("user", "run")
    search_fields = ("user__username",)


@admin.register(ProductRecommendations)
class ProductRecommendationsAdmin(admin.ModelAdmin):
    list_display = ("id", "product", "widget", "run")
    list_filter = ("widget",)
    raw_id_fields = ("product", "run")
