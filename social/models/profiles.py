"""Profiles: a shopper's public face and privacy settings (one row per user)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from common.pictures import Picture

__all__ = ["AVATAR_SIDES", "Profile"]

# Square renditions of an avatar (common.pictures.square_renditions_store): a 32-40 px circle takes the 64 px
# one on a 1x screen and the 128 px one at 2x-3x; the 96 px profile picture takes 128 or 256.
AVATAR_SIDES: tuple[int, ...] = (64, 128, 256)


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, related_name="profile", on_delete=models.CASCADE
    )
    display_name = models.CharField(max_length=80, blank=True)
    bio = models.TextField(max_length=1000, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)
    # The square sides stored for the avatar (AVATAR_SIDES that fit it); filled by the renditions task that
    # social.services.pictures queues on commit, emptied when the avatar changes (pages show the original).
    avatar_renditions = models.JSONField(default=list, blank=True, editable=False)
    # The formats those sides were stored in, best first (common.pictures.picture_formats() when they were
    # made): `{% avatar %}` offers an AVIF source only when AVIF files exist; `manage.py avatar_renditions`
    # makes the formats a row lacks (rows made before AVIF avatars record ["webp"]).
    avatar_formats = models.JSONField(default=list, blank=True, editable=False)
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

    @property
    def avatar_picture(self) -> Picture | None:
        """The avatar as `{% avatar %}` renders it (square renditions once made), None without one."""
        if not self.avatar:
            return None
        sides = tuple(self.avatar_renditions or ())
        top = sides[-1] if sides else 0
        formats = tuple(self.avatar_formats or ()) if sides else ()
        return Picture(
            name=self.avatar.name, width=top, height=top, renditions=sides, formats=formats
        )
