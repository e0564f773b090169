"""Catalogue: categories, tags, products and their pictures, shopper events, reviews, wishlists and
back-in-stock alerts.

Stock can never go below zero: a database constraint backs the conditional decrement in `shop.services`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.pictures import Picture
from common.translation import TranslatedManager


class Category(models.Model):
    # Columns per language added by modeltranslation (`shop/translation.py`); `name` reads the active one.
    name_en: str | None
    name_zh_hans: str | None
    description_en: str | None
    description_zh_hans: str | None
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    # Filled by shop.selectors.categories on the rows of the category tree (not a column).
    children_list: list[Category]

    objects = TranslatedManager()  # Meta.ordering stays out of GROUP BY (common.translation)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    # Columns per language added by modeltranslation (`shop/translation.py`); `name` reads the active one.
    name_en: str | None
    name_zh_hans: str | None
    description_en: str | None
    description_zh_hans: str | None
    category = models.ForeignKey(Category, related_name="products", on_delete=models.PROTECT)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))]
    )
    # The price a full "shop together" group pays; null when the product has no group offer.
    group_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # The sum over the active variants, kept by shop.services.stock (variants hold the real stock).
    stock = models.IntegerField(default=0)
    attributes = models.JSONField(default=dict, blank=True)
    tags = models.ManyToManyField(Tag, related_name="products", blank=True)
    is_active = models.BooleanField(default=True)
    # Denormalised for sorting and list pages; kept correct by the review and order services.
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"))
    rating_count = models.PositiveIntegerField(default=0)
    sold_count = models.PositiveIntegerField(default=0)
    # Filled on PostgreSQL by shop.services.product_refresh_search_vector; unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The card's first picture, filled by shop.selectors.catalog on list rows (not columns).
    card_image_name: str | None
    card_image_alt: str | None
    card_image_url: str
    card_image_width: int
    card_image_height: int
    card_image_renditions: list[int]
    card_picture: Picture | None

    objects = TranslatedManager()  # Meta.ordering stays out of GROUP BY (common.translation)

    class Meta:
        ordering = ["-created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="product_stock_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="product_price_non_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["category", "is_active"]),
            models.Index(fields=["price"]),
            models.Index(fields=["-rating_avg"]),
            models.Index(fields=["-sold_count"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("shop:product", kwargs={"slug": self.slug})

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


class ProductImage(models.Model):
    product = models.ForeignKey(Product, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(upload_to="products/%Y/%m/")
    alt_text = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    # The original's size and the rendition widths stored for it (common.pictures); filled by
    # shop.services.product_image_save and its renditions task, empty until then (pages show the original).
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    renditions = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.product} #{self.position}"

    @property
    def picture(self) -> Picture:
        return Picture(
            name=self.image.name or "",
            width=self.width,
            height=self.height,
            renditions=tuple(self.renditions or ()),
            alt=self.alt_text,
        )


class ProductEvent(models.Model):
    """Shopper activity on a product that has no record of its own (views, cart adds, imported likes).

    The recommender reads these through `shop.selectors`; purchases, reviews and wishlists are read from their
    own tables.
    """

    class Kind(models.TextChoices):
        VIEW = "view", _("viewed")
        CART = "cart", _("added to cart")
        WISHLIST = "wishlist", _("added to wishlist")
        LIKE = "like", _("liked")
        CLICK = "click", _("clicked a recommendation")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="product_events",
        on_delete=models.CASCADE,
    )
    session_key = models.CharField(max_length=40, blank=True)
    product = models.ForeignKey(Product, related_name="events", on_delete=models.CASCADE)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["product", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.product_id}"


class Review(models.Model):
    product = models.ForeignKey(Product, related_name="reviews", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="reviews", on_delete=models.CASCADE
    )
    rating = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    title = models.CharField(max_length=120, blank=True)
    body = models.TextField(blank=True, max_length=5000)
    photo = models.ImageField(upload_to="reviews/", blank=True)
    verified_purchase = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "user"], name="review_one_per_user_product"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}* {self.product_id} by {self.user_id}"


class WishlistItem(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="wishlist", on_delete=models.CASCADE
    )
    product = models.ForeignKey(Product, related_name="wishlisted_by", on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="wishlist_unique_product")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} wants {self.product_id}"


class StockAlert(models.Model):
    """'Tell me when it is back': notified (and closed) when the variant is restocked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="stock_alerts", on_delete=models.CASCADE
    )
    product = models.ForeignKey(Product, related_name="stock_alerts", on_delete=models.CASCADE)
    # The size/colour awaited; null only on alerts older than variants (any variant then answers them).
    variant = models.ForeignKey(
        "shop.ProductVariant",
        null=True,
        blank=True,
        related_name="stock_alerts",
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "variant"],
                condition=models.Q(notified_at__isnull=True),
                name="stock_alert_one_open_per_user_variant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} awaits {self.product_id}"
