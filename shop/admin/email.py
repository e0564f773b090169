"""Admin for transactional email: a read-only log of what was sent, skipped or is still pending (and why)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from shop.models import EmailLog


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    list_display = ["key", "kind", "recipient", "language", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status", "language"]
    search_fields = ["key", "recipient__username"]
    readonly_fields = [field.name for field in EmailLog._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: EmailLog | None = None) -> bool:
        return False
