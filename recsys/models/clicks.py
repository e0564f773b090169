"""What shoppers were shown and clicked, and the cart adds and purchases attributed to a click."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recsys.models.experiments import Experiment
from recsys.models.scoring import Widget
from recsys.models.training import ModelVersion

__all__ = ["Click", "Conversion", "Impression"]


class Impression(models.Model):
    """A product shown in a widget. Anonymous visitors are logged with no user."""

    widget = models.CharField(max_length=20, choices=Widget.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    product = models.ForeignKey("shop.Product", related_name="+", on_delete=models.CASCADE)
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    variant = models.CharField(max_length=12, blank=True)
    position = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["experiment", "variant"])]

    def __str__(self) -> str:
        return f"{self.widget}#{self.position} {self.product_id}"


class Click(models.Model):
    widget = models.CharField(max_length=20, choices=Widget.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    product = models.ForeignKey("shop.Product", related_name="+", on_delete=models.CASCADE)
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    variant = models.CharField(max_length=12, blank=True)
    position = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "product", "-created_at"]),
            models.Index(fields=["experiment", "variant"]),
        ]

    def __str__(self) -> str:
        return f"click {self.widget}#{self.position} {self.product_id}"


class Conversion(models.Model):
    """An add-to-cart or a purchase of the clicked product by the clicking shopper within the window."""

    class Kind(models.TextChoices):
        CART = "cart", _("added to cart")
        PURCHASE = "purchase", _("purchased")

    click = models.ForeignKey(Click, related_name="conversions", on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The shop record that converted: a ProductEvent id for cart adds, an OrderLine id for purchases.
    source_id = models.BigIntegerField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            # Idempotent attribution: one shop record converts at most once.
            models.UniqueConstraint(fields=["kind", "source_id"], name="recsys_conversion_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} after click {self.click_id}"
