"""Admin for profiles (privacy settings, suspensions). User text is shown escaped (Django's default)."""

from __future__ import annotations

from django.contrib import admin

from social.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "is_private", "show_in_suggestions", "suspended_until"]
    list_filter = ["is_private", "personalise_recommendations", "show_in_suggestions"]
    search_fields = ["user__username", "display_name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["favourite_categories"]
