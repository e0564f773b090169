"""Group buying ("shop together"): a group at a snapshotted group price, with the shoppers who committed to it.

`member_count` is the number of active members; it only moves through conditional UPDATEs in
`social.services.groupbuy`, and the check constraints below back those up, so a group can never hold more members
than its target size whatever the concurrency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["GroupBuy", "GroupBuyMember"]

GROUP_BUY_MIN_SIZE = 2
GROUP_BUY_MAX_SIZE = 10


class GroupBuy(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        # Target reached; the orders are being placed (by the completion task).
        FULL = "full", _("full")
        COMPLETED = "completed", _("completed")
        EXPIRED = "expired", _("expired")

    product = models.ForeignKey("shop.Product", related_name="group_buys", on_delete=models.PROTECT)
    # Null once the host deleted their account: the group carries on for the others.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        related_name="group_buys_created",
        on_delete=models.SET_NULL,
    )
    # Snapshot of Product.group_price when the group was opened: later price changes do not touch it.
    group_price = models.DecimalField(max_digits=10, decimal_places=2)
    target_size = models.PositiveSmallIntegerField()
    member_count = models.PositiveSmallIntegerField(default=0)
    deadline = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("group buy")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    target_size__gte=GROUP_BUY_MIN_SIZE, target_size__lte=GROUP_BUY_MAX_SIZE
                ),
                name="group_buy_target_size_range",
            ),
            models.CheckConstraint(
                condition=models.Q(member_count__lte=models.F("target_size")),
                name="group_buy_not_overfilled",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return (
            f"Group buy #{self.pk} for {self.product_id} ({self.member_count}/{self.target_size})"
        )

    def get_absolute_url(self) -> str:
        return reverse("social:groupbuy_detail", kwargs={"pk": self.pk})

    @property
    def places_left(self) -> int:
        return max(self.target_size - self.member_count, 0)

    @property
    def progress_percent(self) -> int:
        return round(100 * self.member_count / self.target_size) if self.target_size else 0


class GroupBuyMember(models.Model):
    """A shopper's commitment: address and authorised payment, stock reserved, order placed when the group fills."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("committed")
        LEFT = "left", _("left")
        ORDERED = "ordered", _("ordered")
        RELEASED = "released", _("released (group expired)")

    group = models.ForeignKey(GroupBuy, related_name="members", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, related_name="group_buy_memberships", on_delete=models.CASCADE
    )
    # The size/colour this member committed to: its stock is reserved and its order line uses it. Null on
    # rows from before the choice existed (they reserved the product's default variant).
    variant = models.ForeignKey(
        "shop.ProductVariant",
        null=True,
        blank=True,
        related_name="+",
        on_delete=models.PROTECT,
    )
    quantity = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    address = models.JSONField(default=dict)
    payment_provider = models.CharField(max_length=20)
    payment_reference = models.CharField(max_length=64, blank=True)
    order = models.ForeignKey(
        "shop.Order", null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("group buy member")
        constraints = [
            # One live commitment per shopper and group (a shopper who left may join again).
            models.UniqueConstraint(
                fields=["group", "user"],
                condition=models.Q(status__in=["active", "ordered"]),
                name="group_buy_member_once",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="group_buy_member_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in group buy {self.group_id} ({self.status})"
