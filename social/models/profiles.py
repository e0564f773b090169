"""Profiles: a shopper's public face and privacy settings (one row per user)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

__all__ = ["Profile"]


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="profile", on_delete=models.CASCADE
    )
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=1000, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    is_private = models.BooleanField(default=False)
    share_purchases_default = models.BooleanField(default=False)
    # Off: the recommender leaves this user's data out of training and serves them non-personalised lists.
    personalise_recommendations = models.BooleanField(default=True)
    show_in_suggestions = models.BooleanField(default=True)
    show_wishlist = models.BooleanField(default=False)
    # Non-essential mail (back in stock, group-buy news); order mails always go.
    email_optional = models.BooleanField(default=True)
    # Invitations to answer shoppers' questions about products this person bought.
    answer_questions = models.BooleanField(default=True)
    # Categories picked at onboarding; a cold-start signal for the recommender.
    favourite_categories = models.ManyToManyField("shop.Category", blank=True, related_name="+")
    suspended_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()
