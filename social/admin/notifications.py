"""Admin for in-site notifications."""

from __future__ import annotations

from django.contrib import admin

from social.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "message", "read_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "message"]
    raw_id_fields = ["recipient", "actor"]
