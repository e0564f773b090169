"""Promotion writes: saving a sale refreshes cached catalogue pages, and a beat check does the same when a sale
starts or ends on its own (its window), so cards, product pages and carts show the right price within a minute.
The price rule itself is `shop.selectors.pricing`.
"""

from __future__ import annotations

from django.core.cache import cache

from shop.models import Promotion
from shop.selectors.pricing import promotions_running_ids
from shop.services.catalog import catalogue_changed

__all__ = ["promotion_changed", "promotion_delete", "promotions_boundary_check"]

_RUNNING_KEY = "shop:promotions:running-ids"


def promotion_changed(*, promotion: Promotion | None = None) -> None:
    """Call after a promotion (or its products or categories) changed: cached pages get the new prices."""
    catalogue_changed()
    cache.set(_RUNNING_KEY, promotions_running_ids(), None)


def promotion_delete(*, promotion: Promotion) -> None:
    promotion.delete()
    promotion_changed()


def promotions_boundary_check() -> bool:
    """Bump the catalogue version when the set of running promotions changed since the last check (a sale
    started or ended). Idempotent; True when it bumped."""
    running = promotions_running_ids()
    if cache.get(_RUNNING_KEY) == running:
        return False
    cache.set(_RUNNING_KEY, running, None)
    catalogue_changed()
    return True
