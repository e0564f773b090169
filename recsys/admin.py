"""Django admin for every recommender model, and the dashboard linked from the model version list."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from recsys.models import (
    Click,
    Conversion,
    Experiment,
    Impression,
    ModelVersion,
    ProductRecommendations,
    ScoringRun,
    ServingPointer,
    UserRecommendations,
)
from recsys.models_import import ExternalId


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "status",
        "created_at",
        "promoted_at",
        "precision",
        "popularity",
        "decision",
    )
    list_filter = ("status",)
    readonly_fields = (
        "dashboard_link",
        "params",
        "data_counts",
        "metrics",
        "validation_curve",
        "timings",
        "artifact_path",
        "task_id",
        "created_at",
        "trained_at",
        "promoted_at",
        "retired_at",
    )
    fields = ("dashboard_link", "status", "decision", "error", *readonly_fields[1:])

    @admin.display(description=_("P@k"))
    def precision(self, obj: ModelVersion) -> str:
        value = (obj.metrics or {}).get("model", {}).get("overall", {}).get("precision")
        return f"{value:.3f}" if value is not None else "–"

    @admin.display(description=_("Popularity P@k"))
    def popularity(self, obj: ModelVersion) -> str:
        value = (obj.metrics or {}).get("popularity", {}).get("overall", {}).get("precision")
        return f"{value:.3f}" if value is not None else "–"

    @admin.display(description=_("Dashboard"))
    def dashboard_link(self, obj: ModelVersion | None = None) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("recsys:dashboard"), _("Recommender dashboard")
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        extra_context["title"] = _("Model versions (see the recommender dashboard at %(url)s)") % {
            "url": reverse("recsys:dashboard")
        }
        return super().changelist_view(request, extra_context)


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


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "challenger", "weights", "created_at", "ended_at")
    raw_id_fields = ("challenger",)


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


@admin.register(ExternalId)
class ExternalIdAdmin(admin.ModelAdmin):
    list_display = ("source", "kind", "external_id", "object_id", "created_at")
    list_filter = ("source", "kind")
    search_fields = ("external_id",)
