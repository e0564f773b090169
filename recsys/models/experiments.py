"""A/B experiments: shoppers split into variants by a hash of their id."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from recsys.models.training import ModelVersion

__all__ = ["Experiment"]


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
