"""The manager for models with per-language columns (django-modeltranslation; `shop/translation.py`).

modeltranslation's queryset turns a model's `Meta.ordering` into an explicit `order_by()` on every queryset, so
that it can rewrite translated names in it. Django adds an explicit ordering to the GROUP BY of an aggregate, so
`Variant.objects.values("product_id").annotate(total=Sum("stock"))` would group per row instead of per product.
This queryset leaves `Meta.ordering` to Django (which keeps it out of GROUP BY); explicit `order_by("name")`
calls are still rewritten to the active language.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from modeltranslation.manager import MultilingualManager, MultilingualQuerySet

__all__ = ["TranslatedManager", "TranslatedQuerySet"]

_M = TypeVar("_M", bound=models.Model)


class TranslatedQuerySet(MultilingualQuerySet[_M]):
    def _post_init(self) -> None:
        self._rewrite = True
        self._populate = None


class TranslatedManager(MultilingualManager[_M]):
    _queryset_class = TranslatedQuerySet
