"""Admin for in-site notifications."""

from __future__ import annotations

from django.contrib import admin

from common.generations import generation_bump_on_commit
from social.models import Notification
from social.selectors.notifications import notification_unread_scope


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "message", "read_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__username", "message"]
    raw_id_fields = ["recipient", "actor"]

    # The recipient's nav badge is cached (social.selectors.notification_unread_count): recount after an edit.
    def save_model(self, request, obj: Notification, form, change) -> None:
        super().save_model(request, obj, form, change)
        generation_bump_on_commit(notification_unread_scope(obj.recipient_id))

    def delete_model(self, request, obj: Notification) -> None:
        generation_bump_on_commit(notification_unread_scope(obj.recipient_id))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        recipients = set(queryset.values_list("recipient_id", flat=True))
        super().delete_queryset(request, queryset)
        generation_bump_on_commit(*(notification_unread_scope(pk) for pk in recipients))
