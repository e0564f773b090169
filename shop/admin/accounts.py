"""Admin for accounts, saved addresses and failed-login records."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from shop.models import Address, LoginFailure, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "is_staff", "is_active", "date_joined", "last_login"]
    fieldsets = (*(DjangoUserAdmin.fieldsets or ()), (None, {"fields": ["language"]}))
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "email", "first_name", "last_name"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["full_name", "user", "city", "postal_code", "country", "is_default"]
    list_filter = ["country", "is_default"]
    search_fields = ["full_name", "line1", "city", "postal_code", "user__username"]
    raw_id_fields = ["user"]


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    list_display = ["username", "ip_address", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["username", "ip_address"]
    readonly_fields = ["username", "ip_address", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False
