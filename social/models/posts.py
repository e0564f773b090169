"""Posts with pictures and tagged products, likes and comments (the feed's rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.pictures import Picture

if TYPE_CHECKING:
    from shop.models import Product

__all__ = ["Post", "PostImage", "PostProduct", "Like", "Comment"]


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
    products: models.ManyToManyField[Product, PostProduct] = models.ManyToManyField(
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
    """One photo of a post (up to `social.services.posts.MAX_POST_IMAGES`), shown in `position` order.

    Width and height are stored by the post service with the file, so pages can reserve the box (no layout
    shift) without opening it. (Not `width_field`/`height_field`: those re-read the file on every load of a row
    without them, a network fetch per photo with object storage.)
    """

    post = models.ForeignKey(Post, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(upload_to="posts/%Y/%m/")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # The rendition widths stored for the photo (common.pictures); filled by the renditions task that
    # social.services.pictures queues on commit, empty until then (pages show the original).
    renditions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"image {self.position} of post {self.post_id}"

    @property
    def picture(self) -> Picture:
        return Picture(
            name=self.image.name or "",
            width=self.width or 0,
            height=self.height or 0,
            renditions=tuple(self.renditions or ()),
            alt=self.alt_text,
        )


class PostProduct(models.Model):
    """A product tagged in a post (shop the look), optionally placed on one of its photos.

    A placed tag names the photo and the point on it as fractions of its width and height (0..1 from the
    top-left corner), so the dot stays on the product at every rendition size.
    """

    post = models.ForeignKey(Post, related_name="product_tags", on_delete=models.CASCADE)
    product = models.ForeignKey("shop.Product", related_name="+", on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)
    # Taken from order history when the tag is saved (shop.selectors.purchased_product_ids).
    verified_purchase = models.BooleanField(default=False)
    image = models.ForeignKey(
        PostImage, null=True, blank=True, related_name="tags", on_delete=models.SET_NULL
    )
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "product"], name="post_product_unique"),
            # A placed tag's point lies inside its photo. (Not tied to `image` in the database: deleting a
            # photo sets `image` to NULL before the service clears the point.)
            models.CheckConstraint(
                condition=(
                    models.Q(x__isnull=True, y__isnull=True)
                    | models.Q(x__gte=0, x__lte=1, y__gte=0, y__lte=1)
                ),
                name="post_product_tag_inside_photo",
            ),
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

    # Set by `comments_for_post` on top-level comments: their visible replies, oldest first.
    reply_list: list[Comment]

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.post_id}"
