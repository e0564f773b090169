"""Social data: profiles with privacy settings, the follow graph, blocks and in-site notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    # Categories picked at onboarding; a cold-start signal for the recommender.
    favourite_categories = models.ManyToManyField("shop.Category", blank=True, related_name="+")
    suspended_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


class Follow(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("following")
        PENDING = "pending", _("requested")

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="following_set", on_delete=models.CASCADE
    )
    followee = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="follower_set", on_delete=models.CASCADE
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["follower", "followee"], name="follow_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followee")), name="follow_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["followee", "status"]),
            models.Index(fields=["follower", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.follower_id} -> {self.followee_id} ({self.status})"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="blocks_made", on_delete=models.CASCADE
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="blocked_by", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocks {self.blocked_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        FOLLOW = "follow", _("new follower")
        FOLLOW_REQUEST = "follow_request", _("follow request")
        LIKE = "like", _("like")
        COMMENT = "comment", _("comment")
        REPLY = "reply", _("reply")
        MENTION = "mention", _("mention")
        BACK_IN_STOCK = "back_in_stock", _("back in stock")
        ORDER_STATUS = "order_status", _("order status")
        GROUP_BUY = "group_buy", _("group buy")
        MODERATION = "moderation", _("moderation")
        SUPPORT = "support", _("support")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="notifications", on_delete=models.CASCADE
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


# Group buying and moderation keep their models in their own modules; Django discovers them through here.
from social.models_groupbuy import *  # noqa: E402, F403
from social.models_moderation import *  # noqa: E402, F403
