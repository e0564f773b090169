"""Admin for reports and the moderation audit log (read-only: the log is never edited)."""

from __future__ import annotations

from django.contrib import admin

from social.models import ModerationAction, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["id", "reporter", "content_type", "object_id", "reason", "status", "created_at"]
    list_filter = ["status", "reason", "content_type"]
    search_fields = ["reporter__username", "note"]
    raw_id_fields = ["reporter", "action"]
    readonly_fields = [
        "reporter",
        "content_type",
        "object_id",
        "reason",
        "note",
        "action",
        "created_at",
        "updated_at",
        "resolved_at",
    ]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    """The audit log: visible, never added, changed or deleted by hand."""

    list_display = ["created_at", "moderator_name", "kind", "target_repr", "reports_resolved"]
    list_filter = ["kind", "content_type"]
    search_fields = ["moderator_name", "target_repr", "note"]
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
