"""Recommender storage: model versions, per-user lists, impressions and clicks, experiments.

Lists are written by a scoring run and become visible all at once: every row carries its `ScoringRun`, and pages
read only the run that the single `ServingPointer` row names. A scoring run writes all its rows first and then
flips the pointer in one UPDATE, so a page sees either the old lists or the new ones, never a half-written mix.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ModelVersion(models.Model):
    """One training of the recommender: what went in, how it scored offline, where its artefact lives."""

    class Status(models.TextChoices):
        TRAINING = "training", _("training")
        READY = "ready", _("ready")
        SERVING = "serving", _("serving")
        REJECTED = "rejected", _("rejected")
        FAILED = "failed", _("failed")
        RETIRED = "retired", _("retired")

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.TRAINING, db_index=True
    )
    params = models.JSONField(default=dict, blank=True)
    # Users, items, interactions, features: the size of the training input.
    data_counts = models.JSONField(default=dict, blank=True)
    # {"model": {...}, "popularity": {...}, "serving": {...}}: the same holdout for all three.
    metrics = models.JSONField(default=dict, blank=True)
    # [{"epoch": 1, "value": 0.12}, ...] on the validation split; early stopping picks the best epoch.
    validation_curve = models.JSONField(default=list, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    artifact_path = models.CharField(max_length=500, blank=True)
    decision = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    # The Celery task id that trains this version: a retry of the same task resumes the same row.
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    trained_at = models.DateTimeField(null=True, blank=True)
    promoted_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one version serves at any time.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="serving"),
                name="recsys_one_serving_version",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.pk} ({self.status})"

    def metric(self, source: str, name: str) -> float | None:
        value = (self.metrics or {}).get(source, {}).get(name)
        return float(value) if value is not None else None


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


class Experiment(models.Model):
    """A split of shoppers into variants by a hash of their id: stable without storing assignments."""

    class Variant(models.TextChoices):
        CHALLENGER = "challenger", _("new model")
        SERVING = "serving", _("serving model")
        POPULARITY = "popularity", _("popularity")

    name = models.CharField(max_length=80, unique=True)
    is_active = models.BooleanField(default=False)
    salt = models.CharField(max_length=40)
    # {"challenger": 34, "serving": 33, "popularity": 33}: relative weights of the variants.
    weights = models.JSONField(default=dict)
    challenger = models.ForeignKey(
        ModelVersion, null=True, blank=True, related_name="experiments", on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="recsys_one_active_experiment",
            )
        ]

    def __str__(self) -> str:
        return self.name


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


from recsys.models_import import *  # noqa: E402, F403
