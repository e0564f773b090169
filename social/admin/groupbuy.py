"""Admin for group buys and their members: seats and status are shown, never edited by hand."""

from __future__ import annotations

from django.contrib import admin

from social.models import GroupBuy, GroupBuyMember


class GroupBuyMemberInline(admin.TabularInline):
    model = GroupBuyMember
    extra = 0
    can_delete = False
    fields = (
        "user",
        "variant",
        "quantity",
        "status",
        "payment_provider",
        "payment_reference",
        "order",
        "joined_at",
    )
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
        "variant",
        "quantity",
        "status",
        "payment_provider",
        "order",
        "joined_at",
    ]
    list_filter = ["status", "payment_provider"]
    search_fields = ["user__username", "payment_reference"]
    raw_id_fields = ["group", "user", "variant", "order"]
    readonly_fields = [
        "group",
        "user",
        "variant",
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
