"""External ids of imported datasets, so that imports are idempotent and exports speak the source ids.

One row per imported object: the dataset's prefix (`--prefix`), what kind of object it is, the id it has in the
source files, and the primary key of the shopper, product or category created for it. Imported users' attribute
columns (age, gender, ...) are kept here too: they become user features for the recommender.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ExternalId"]


class ExternalId(models.Model):
    class Kind(models.TextChoices):
        USER = "user", _("user")
        ITEM = "item", _("item")
        CATEGORY = "category", _("category")

    source = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    external_id = models.CharField(max_length=300)
    object_id = models.BigIntegerField()
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "external_id"], name="external_id_unique_per_source"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="external_id_object_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.external_id} -> {self.object_id}"
