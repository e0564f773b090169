"""Admin for group buys and moderation (social-community). The audit log is read-only."""

from __future__ import annotations

from django.contrib import admin

from social.models import GroupBuy, GroupBuyMember, ModerationAction, Report


class GroupBuyMemberInline(admin.TabularInline):
    model = GroupBuyMember
    extra = 0
    can_delete = False
    fields = [
        "user",
        "quantity",
        "status",
        "payment_provider",
        "payment_reference",
        "order",
        "joined_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GroupBuy)
class GroupBuyAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "product",
        "creator",
        "group_price",
        "member_count",
        "target_size",
        "status",
        "deadline",
    ]
    list_filter = ["status"]
    search_fields = ["product__name", "creator__username"]
    raw_id_fields = ["product", "creator"]
    # Seats and status move only through the services (guarded UPDATEs); the admin shows them.
    readonly_fields = ["group_price", "member_count", "status", "created_at", "closed_at"]
    inlines = [GroupBuyMemberInline]
    date_hierarchy = "created_at"


@admin.register(GroupBuyMember)
class GroupBuyMemberAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "group",
        "user",
        "quantity",
        "status",
        "payment_provider",
        "order",
        "joined_at",
    ]
    list_filter = ["status", "payment_provider"]
    search_fields = ["user__username", "payment_reference"]
    raw_id_fields = ["group", "user", "order"]
    readonly_fields = [
        "group",
        "user",
        "quantity",
        "status",
        "payment_provider",
        "payment_reference",
        "order",
        "address",
        "joined_at",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False


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
