"""Stored lists: scoring runs, the serving pointer, per-user and per-product lists.

Lists are written by a scoring run and become visible all at once: every row carries its `ScoringRun`, and pages
read only the run that the single `ServingPointer` row names. A scoring run writes all its rows first and then
flips the pointer in one UPDATE, so a page sees either the old lists or the new ones, never a half-written mix.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from recsys.models.training import ModelVersion

__all__ = [
    "ProductRecommendations",
    "ScoringRun",
    "ServingPointer",
    "UserRecommendations",
    "Widget",
]


class ScoringRun(models.Model):
    """One complete set of lists (per user, per product, trending) computed from one model version."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        COMPLETE = "complete", _("complete")
        FAILED = "failed", _("failed")
        SUPERSEDED = "superseded", _("superseded")

    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, related_name="scoring_runs", on_delete=models.CASCADE
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    chunks_total = models.PositiveIntegerField(default=0)
    users_scored = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} of {self.model_version_id} ({self.status})"


class ServingPointer(models.Model):
    """A single row naming the scoring run pages read. Flipping it is one UPDATE statement."""

    key = models.CharField(max_length=20, unique=True, default="lists")
    run = models.ForeignKey(
        ScoringRun, null=True, blank=True, related_name="+", on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key} -> {self.run_id}"


class Widget(models.TextChoices):
    FOR_YOU = "for_you", _("For you")
    FRIENDS = "friends", _("Popular with people you follow")
    TRENDING = "trending", _("Trending")
    SIMILAR = "similar", _("Similar items")
    BOUGHT_TOGETHER = "bought_together", _("Bought together")


class UserRecommendations(models.Model):
    """A shopper's list for one widget. `items` is [[product_id, score, [reason facts...]], ...] in rank order.

    Reason facts are stored raw (for example which followees bought the item) and filtered for visibility at
    request time, so a later block or unfollow takes effect at once.
    """

    run = models.ForeignKey(ScoringRun, related_name="user_lists", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="+", on_delete=models.CASCADE)
    widget = models.CharField(max_length=20, choices=Widget.choices)
    items = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "user", "widget"], name="recsys_user_list_unique"
            )
        ]
        verbose_name_plural = _("user recommendations")

    def __str__(self) -> str:
        return f"{self.widget} for {self.user_id} (run {self.run_id})"


class ProductRecommendations(models.Model):
    """Per-product lists (similar items, bought together), and global ones (trending) with no product."""

    run = models.ForeignKey(ScoringRun, related_name="product_lists", on_delete=models.CASCADE)
    product = models.ForeignKey(
        "shop.Product", null=True, blank=True, related_name="+", on_delete=models.CASCADE
    )
    widget = models.CharField(max_length=20, choices=Widget.choices)
    items = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["run", "product", "widget"], name="recsys_product_list_unique"
            ),
            models.UniqueConstraint(
                fields=["run", "widget"],
                condition=models.Q(product__isnull=True),
                name="recsys_global_list_unique",
            ),
        ]
        verbose_name_plural = _("product recommendations")

    def __str__(self) -> str:
        return f"{self.widget} for {self.product_id or 'all'} (run {self.run_id})"
