"""Imported datasets' external ids in the admin."""

from __future__ import annotations

from django.contrib import admin

from recsys.models import ExternalId


@admin.register(ExternalId)
class ExternalIdAdmin(admin.ModelAdmin):
    list_display = ("source", "kind", "external_id", "object_id", "created_at")
    list_filter = ("source", "kind")
    search_fields = ("external_id",)
