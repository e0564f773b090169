"""Commerce: carts and orders with their lines and status timeline. Money is Decimal with two places."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shop.models.catalog import Product
from shop.models.variants import ProductVariant


class Cart(models.Model):
    """A session cart before login, an account cart after; merged at login by shop.services.cart_merge."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="cart",
        on_delete=models.CASCADE,
    )
    session_key = models.CharField(max_length=40, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Cart {self.pk} ({self.user_id or self.session_key})"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, related_name="items", on_delete=models.CASCADE)
    # The product is kept next to the variant for recommendations and reporting (always the variant's product).
    product = models.ForeignKey(Product, related_name="cart_items", on_delete=models.CASCADE)
    variant = models.ForeignKey(ProductVariant, related_name="cart_items", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_item_unique_variant"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="cart_item_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_id}"


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", _("placed")
        PAID = "paid", _("paid")
        SHIPPED = "shipped", _("shipped")
        DELIVERED = "delivered", _("delivered")
        CANCELLED = "cancelled", _("cancelled")

    # Null once the shopper deleted the account: the order stays, anonymised, for accounting.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="orders",
        on_delete=models.SET_NULL,
    )
    number = models.CharField(max_length=20, unique=True)
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.PLACED, db_index=True
    )
    # A client-chosen token per checkout attempt: a double submit finds the order it already placed.
    idempotency_key = models.CharField(max_length=64, unique=True)
    ship_name = models.CharField(max_length=120)
    ship_line1 = models.CharField(max_length=200)
    ship_line2 = models.CharField(max_length=200, blank=True)
    ship_city = models.CharField(max_length=100)
    ship_postal_code = models.CharField(max_length=20)
    ship_country = models.CharField(max_length=2)
    shipping_method = models.CharField(max_length=20)
    shipping_cost = models.DecimalField(max_digits=10, decimal_places=2)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    payment_provider = models.CharField(max_length=20)
    payment_reference = models.CharField(max_length=64, blank=True)
    share_to_followers = models.BooleanField(default=False)
    # The voucher used (code as typed then) and what it took off; 0 without one (shop.services.voucher).
    voucher_code = models.CharField(max_length=32, blank=True)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("shop:order", kwargs={"number": self.number})


class OrderLine(models.Model):
    order = models.ForeignKey(Order, related_name="lines", on_delete=models.CASCADE)
    product = models.ForeignKey(
        Product, null=True, blank=True, related_name="order_lines", on_delete=models.SET_NULL
    )
    variant = models.ForeignKey(
        ProductVariant,
        null=True,
        blank=True,
        related_name="order_lines",
        on_delete=models.SET_NULL,
    )
    product_name = models.CharField(max_length=200)
    # What was bought, as it read then ("M / Navy", its SKU): kept when the variant changes or goes.
    variant_name = models.CharField(max_length=200, blank=True)
    sku = models.CharField(max_length=64, blank=True)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)
    # The price before a promotion (null when none applied) and this line's share of the voucher discount.
    list_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    discount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="order_line_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_name}"


class OrderStatusEvent(models.Model):
    """One step of an order's timeline."""

    order = models.ForeignKey(Order, related_name="events", on_delete=models.CASCADE)
    status = models.CharField(max_length=12, choices=Order.Status.choices)
    note = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} -> {self.status}"
