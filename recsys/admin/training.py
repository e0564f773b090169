"""Model versions in the admin, linked to the recommender dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from recsys.models import ModelVersion


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
        "artifact_name",
        "pairs_name",
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

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = extra_context or {}
        extra_context["title"] = _("Model versions (see the recommender dashboard at %(url)s)") % {
            "url": reverse("recsys:dashboard")
        }
        return super().changelist_view(request, extra_context)
