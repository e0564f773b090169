"""Experiments in the admin."""

from __future__ import annotations

from django.contrib import admin

from recsys.models import Experiment


@admin.register(Experiment)
class ExperimentAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "challenger", "weights", "created_at", "ended_at")
    raw_id_fields = ("challenger",)
