"""Admin for profiles (privacy settings, suspensions). User text is shown escaped (Django's default)."""

from __future__ import annotations

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from social.models import Profile
from social.services.profiles import profile_save


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "is_private", "show_in_suggestions", "suspended_until"]
    list_filter = ["is_private", "personalise_recommendations", "show_in_suggestions"]
    search_fields = ["user__username", "display_name"]
    raw_id_fields = ["user"]
    filter_horizontal = ["favourite_categories"]

    def save_model(self, request: HttpRequest, obj: Profile, form: ModelForm, change: bool) -> None:
        # A new or cleared avatar here takes the same path as on the edit page (renditions, old files).
        profile_save(profile=obj)
