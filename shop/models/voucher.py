"""Vouchers and automatic promotions.

A `Voucher` is a code a shopper types (percentage, fixed amount or free shipping) with a window, a minimum spend,
a scope (products, categories, variants such as "M / Navy") and usage limits. The total limit holds under concurrency because redeeming is one
conditional `UPDATE ... SET used_count = used_count + 1 WHERE used_count < max_uses` backed by a check constraint;
the per-shopper limit because each redemption takes the next `sequence` number of (voucher, shopper) under a
unique constraint. A `CartVoucher` remembers the code a cart carries until checkout. A `Promotion` is a sale the
shop runs on products or categories for a window; the price rules are in `shop.selectors.pricing`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models.catalog import Category, Product
from shop.models.commerce import Cart, Order
from shop.models.variants import ProductVariant


class Voucher(models.Model):
    class Kind(models.TextChoices):
        PERCENT = "percent", _("percentage off")
        FIXED = "fixed", _("fixed amount off")
        FREE_SHIPPING = "free_shipping", _("free shipping")

    code = models.CharField(
        _("code"), max_length=32, unique=True, help_text=_("Stored upper-case.")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PERCENT)
    value = models.DecimalField(
        _("value"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_(
            "Percent (1-100) or an amount in the shop currency; ignored for free shipping."
        ),
    )
    starts_at = models.DateTimeField(_("valid from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    min_spend = models.DecimalField(
        _("minimum spend"), max_digits=10, decimal_places=2, default=Decimal("0.00")
    )
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    # One size/colour of a product ("M / Navy"): applied by each cart line's variant.
    variants = models.ManyToManyField(ProductVariant, blank=True, related_name="+")
    max_uses = models.PositiveIntegerField(_("total uses"), null=True, blank=True)
    max_uses_per_user = models.PositiveIntegerField(_("uses per shopper"), default=1)
    used_count = models.PositiveIntegerField(_("used"), default=0)
    # A voucher for one shopper only ("not yours" for everybody else).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="vouchers",
        on_delete=models.CASCADE,
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True)
                | models.Q(used_count__lte=models.F("max_uses")),
                name="voucher_used_within_limit",
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="voucher_value_positive"),
            models.CheckConstraint(
                condition=~models.Q(kind="percent") | models.Q(value__lte=100),
                name="voucher_percent_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses_per_user__gte=1), name="voucher_per_user_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        self.code = (self.code or "").strip().upper()
        super().save(*args, **kwargs)


class VoucherRedemption(models.Model):
    """One use of a voucher by one order. `sequence` numbers a shopper's uses of the code: (voucher, user,
    sequence) is unique, so two parallel checkouts of one shopper cannot both take the last allowed use."""

    voucher = models.ForeignKey(Voucher, related_name="redemptions", on_delete=models.PROTECT)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    order = models.OneToOneField(Order, related_name="voucher_redemption", on_delete=models.CASCADE)
    sequence = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["voucher", "user", "sequence"], name="voucher_redemption_user_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.voucher_id} on {self.order_id}"


class CartVoucher(models.Model):
    """The code a cart carries (one per cart), checked again at every look and at checkout."""

    cart = models.OneToOneField(Cart, related_name="voucher_entry", on_delete=models.CASCADE)
    voucher = models.ForeignKey(Voucher, related_name="+", on_delete=models.CASCADE)
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.voucher_id} in cart {self.cart_id}"


class Promotion(models.Model):
    """An automatic sale: a percentage off listed products and categories (with their subcategories)."""

    name = models.CharField(_("name"), max_length=120)
    badge = models.CharField(
        _("badge"), max_length=24, blank=True, help_text=_("Shown on cards; empty: '-20%'.")
    )
    percent_off = models.DecimalField(_("percent off"), max_digits=5, decimal_places=2)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    is_active = models.BooleanField(_("active"), default=True)
    products = models.ManyToManyField(Product, blank=True, related_name="+")
    categories = models.ManyToManyField(Category, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent_off__gt=0) & models.Q(percent_off__lt=100),
                name="promotion_percent_range",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="promotion_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name
