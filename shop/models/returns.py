"""Returns and refunds: a shopper's request to send delivered lines back, staff's decision, and the refund.

A line can be asked back at most for the quantity bought, summed over every return of the order that was not
refused. A `Refund` is one per return (unique), so approving or retrying twice never pays twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shop.models.commerce import Order, OrderLine


class ReturnRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        REFUNDED = "refunded", _("refunded")

    order = models.ForeignKey(Order, related_name="returns", on_delete=models.CASCADE)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.REQUESTED, db_index=True
    )
    reason = models.TextField(_("reason"), max_length=1000)
    staff_note = models.CharField(_("note"), max_length=300, blank=True)
    restock = models.BooleanField(_("restock"), default=True)
    # Set at approval: the lines' value, or less (a partial refund staff chose).
    refund_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"R{self.pk} ({self.order_id})"


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, related_name="lines", on_delete=models.CASCADE
    )
    order_line = models.ForeignKey(OrderLine, related_name="return_lines", on_delete=models.CASCADE)
    quantity = models.PositiveIntegerField()
    # What the shopper paid for these units (their share of the line after discounts), rounded once.
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="return_line_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="return_line_unique_order_line"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.order_line_id}"


class Refund(models.Model):
    order = models.ForeignKey(Order, related_name="refunds", on_delete=models.CASCADE)
    return_request = models.OneToOneField(
        ReturnRequest, related_name="refund", on_delete=models.CASCADE
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    provider = models.CharField(max_length=20)
    reference = models.CharField(max_length=64, blank=True)
    # Pay on delivery: no gateway to call; the money goes back by hand and this row records it.
    manual = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.order_id}"
