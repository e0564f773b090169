"""Variants: typed attributes (size, colour, material...) with ordered values, and the product variants built
from them. A variant is what a shopper buys: it has its own SKU, stock, optional price and pictures.

Stock lives on the variant and can never go below zero (a database constraint backs the conditional decrement in
`shop.services.stock`). `Product.stock` is kept as the sum over the product's active variants by the same
services, so list pages, filters and the recommender keep reading one number per product.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.translation import TranslatedManager
from shop.models.catalog import Product, ProductImage


class Attribute(models.Model):
    # Per-language columns (`shop/translation.py`); `objects` is `common.translation`'s manager.
    name_en: str | None
    name_zh_hans: str | None

    class Kind(models.TextChoices):
        SIZE = "size", _("size")
        COLOUR = "colour", _("colour")
        MATERIAL = "material", _("material")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveIntegerField(default=0)

    objects = TranslatedManager()  # Meta.ordering stays out of GROUP BY (common.translation)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("attribute")
        verbose_name_plural = _("attributes")

    def __str__(self) -> str:
        return self.name


class AttributeValue(models.Model):
    value_en: str | None
    value_zh_hans: str | None
    attribute = models.ForeignKey(Attribute, related_name="values", on_delete=models.CASCADE)
    value = models.CharField(_("value"), max_length=60)
    slug = models.SlugField(max_length=80)
    # Sizes sort S < M < L, not alphabetically: the merchant orders the values.
    position = models.PositiveIntegerField(default=0)

    objects = TranslatedManager()  # Meta.ordering stays out of GROUP BY (common.translation)

    class Meta:
        ordering = ["attribute__position", "attribute_id", "position", "id"]
        verbose_name = _("attribute value")
        verbose_name_plural = _("attribute values")
        constraints = [
            models.UniqueConstraint(
                fields=["attribute", "slug"], name="attribute_value_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute.name}: {self.value}"


class ProductVariant(models.Model):
    name_en: str | None
    name_zh_hans: str | None
    product = models.ForeignKey(Product, related_name="variants", on_delete=models.CASCADE)
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    # "M / Navy": the values' labels in attribute order, written by the variant services (no query to show it).
    name = models.CharField(_("name"), max_length=200, blank=True)
    values = models.ManyToManyField(AttributeValue, related_name="variants", blank=True)
    stock = models.IntegerField(_("stock"), default=0)
    # Null: the product's price applies.
    price = models.DecimalField(
        _("price override"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    images = models.ManyToManyField(ProductImage, related_name="variants", blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)

    objects = TranslatedManager()  # Meta.ordering stays out of GROUP BY (common.translation)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stock__gte=0), name="variant_stock_non_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="variant_price_non_negative",
            ),
        ]
        indexes = [models.Index(fields=["product", "is_active", "position"])]

    def __str__(self) -> str:
        return f"{self.product_id} {self.sku}"

    def effective_price(self, product: Product | None = None) -> Decimal:
        """The override, else the product's price (pass the product when it is already loaded)."""
        if self.price is not None:
            return self.price
        return (product or self.product).price

    @property
    def in_stock(self) -> bool:
        return self.stock > 0
