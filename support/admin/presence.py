"""Django admin for moderators' presence and capacity."""

from __future__ import annotations

from django.contrib import admin

from support.models import ModeratorPresence


@admin.register(ModeratorPresence)
class ModeratorPresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "capacity", "last_seen_at", "last_assigned_at"]
    list_editable = ["status", "capacity"]
    raw_id_fields = ["user"]
