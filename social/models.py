"""Social data: profiles with privacy settings, the follow graph, blocks and mutes, posts with tagged products,
likes, comments and in-site notifications."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
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


class Mute(models.Model):
    """Hide someone from my feed without telling them (unlike a block, nothing else changes)."""

    muter = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="mutes_made", on_delete=models.CASCADE
    )
    muted = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="muted_by", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["muter", "muted"], name="mute_unique_pair")]

    def __str__(self) -> str:
        return f"{self.muter_id} mutes {self.muted_id}"


class Post(models.Model):
    """One feed item: a written post, a shared purchase (an order) or a shared review.

    All three live in one table so the feed is one indexed query ordered by (created_at, id).
    Visibility follows the author's profile: a private profile's posts reach approved followers only.
    """

    class Kind(models.TextChoices):
        POST = "post", _("post")
        PURCHASE = "purchase", _("shared purchase")
        REVIEW = "review", _("shared review")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="posts", on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POST)
    body = models.TextField(max_length=2000, blank=True)
    order = models.ForeignKey(
        "shop.Order", null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    review = models.ForeignKey(
        "shop.Review", null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    products = models.ManyToManyField(
        "shop.Product", through="PostProduct", related_name="social_posts", blank=True
    )
    # Denormalised counters, kept by the like and comment services with F() updates.
    like_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The feed: followees' newest posts first, keyset-paginated on (created_at, id).
            models.Index(fields=["author", "-created_at", "-id"], name="post_author_feed_idx"),
            models.Index(fields=["-created_at", "-id"], name="post_recent_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=models.Q(order__isnull=False), name="post_one_per_order"
            ),
            models.UniqueConstraint(
                fields=["review"],
                condition=models.Q(review__isnull=False),
                name="post_one_per_review",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} by {self.author_id}"

    def get_absolute_url(self) -> str:
        return reverse("social:post", kwargs={"pk": self.pk})


class PostImage(models.Model):
    post = models.ForeignKey(Post, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(upload_to="posts/%Y/%m/")
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"image {self.position} of post {self.post_id}"


class PostProduct(models.Model):
    """A product tagged in a post (shop the look)."""

    post = models.ForeignKey(Post, related_name="product_tags", on_delete=models.CASCADE)
    product = models.ForeignKey("shop.Product", related_name="+", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    # Taken from order history when the tag is saved (shop.selectors.purchased_product_ids).
    verified_purchase = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "product"], name="post_product_unique")
        ]
        indexes = [models.Index(fields=["product", "post"])]

    def __str__(self) -> str:
        return f"post {self.post_id} tags {self.product_id}"


class Like(models.Model):
    post = models.ForeignKey(Post, related_name="likes", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="post_likes", on_delete=models.CASCADE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="like_unique_pair")]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} likes {self.post_id}"


class Comment(models.Model):
    """A comment on a post, or a reply to a top-level comment (one level only)."""

    post = models.ForeignKey(Post, related_name="comments", on_delete=models.CASCADE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="post_comments", on_delete=models.CASCADE
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="replies", on_delete=models.CASCADE
    )
    body = models.TextField(max_length=1000)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.post_id}"


# Group buying and moderation keep their models in their own modules; Django discovers them through here.
from social.models_groupbuy import *  # noqa: E402, F403
from social.models_moderation import *  # noqa: E402, F403
