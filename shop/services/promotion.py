"""Promotion writes: the rules a sale must meet (one home: admin, the staff API and any form call
`promotion_validate` / `promotion_save`), saving and deactivating it, and refreshing cached catalogue pages when a
sale changes or starts or ends on its own (a beat check), so cards, product pages and carts show the right price
within a minute. The price rule itself is `shop.selectors.pricing`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from shop.models import Category, Product, ProductVariant, Promotion
from shop.selectors.pricing import promotions_running_ids
from shop.services.catalog import catalogue_changed

__all__ = [
    "PromotionData",
    "promotion_changed",
    "promotion_deactivate",
    "promotion_delete",
    "promotion_save",
    "promotion_validate",
    "promotions_boundary_check",
    "scope_errors",
    "window_errors",
]


@dataclass(frozen=True)
class PromotionData:
    """Everything a sale is made of, as plain values (what admin, the API and forms hand the service)."""

    name: str
    percent_off: Decimal
    starts_at: datetime
    ends_at: datetime
    badge: str = ""
    is_active: bool = True
    product_ids: tuple[int, ...] = field(default_factory=tuple)
    category_ids: tuple[int, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, promotion: Promotion) -> PromotionData:
        """The stored promotion's values (an update starts from these)."""
        return cls(
            name=promotion.name,
            percent_off=promotion.percent_off,
            starts_at=promotion.starts_at,
            ends_at=promotion.ends_at,
            badge=promotion.badge,
            is_active=promotion.is_active,
            product_ids=tuple(row.pk for row in promotion.products.all()),
            category_ids=tuple(row.pk for row in promotion.categories.all()),
        )


def _missing(model: type[models.Model], ids: Collection[int]) -> list[int]:
    wanted = set(ids)
    if not wanted:
        return []
    found = set(model._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
    return sorted(wanted - found)


def scope_errors(
    *,
    product_ids: Collection[int],
    category_ids: Collection[int],
    variant_ids: Collection[int] = (),
) -> dict[str, list[str]]:
    """The scope fields that name products, categories or variants that do not exist (one query per list)."""
    errors: dict[str, list[str]] = {}
    for name, model, ids, message in (
        ("product_ids", Product, product_ids, _("There is no product with id %(ids)s.")),
        ("category_ids", Category, category_ids, _("There is no category with id %(ids)s.")),
        ("variant_ids", ProductVariant, variant_ids, _("There is no variant with id %(ids)s.")),
    ):
        missing = _missing(model, ids)
        if missing:
            errors[name] = [message % {"ids": ", ".join(str(pk) for pk in missing)}]
    return errors


def window_errors(*, starts_at: datetime | None, ends_at: datetime | None) -> dict[str, list[str]]:
    """A window must end after it starts."""
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        return {"ends_at": [_("The end must be later than the start.")]}
    return {}


def promotion_validate(*, data: PromotionData) -> None:
    """Raise a `ValidationError` naming every field that breaks a rule: a name, a percentage above 0 and below
    100, a window that ends after it starts, and a scope of existing products or categories (at least one)."""
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        errors["name"] = [_("Give the sale a name.")]
    if not Decimal(0) < data.percent_off < Decimal(100):
        errors["percent_off"] = [_("The percentage must be above 0 and below 100.")]
    errors.update(window_errors(starts_at=data.starts_at, ends_at=data.ends_at))
    errors.update(scope_errors(product_ids=data.product_ids, category_ids=data.category_ids))
    if not data.product_ids and not data.category_ids:
        errors["product_ids"] = [_("Name at least one product or category the sale applies to.")]
    if errors:
        raise ValidationError(errors)


def promotion_save(*, data: PromotionData, promotion: Promotion | None = None) -> Promotion:
    """Create (or update) a sale after `promotion_validate`; all of it is stored or nothing."""
    promotion_validate(data=data)
    promotion = promotion or Promotion()
    with transaction.atomic():
        promotion.name = data.name.strip()
        promotion.badge = data.badge.strip()
        promotion.percent_off = data.percent_off
        promotion.starts_at = data.starts_at
        promotion.ends_at = data.ends_at
        promotion.is_active = data.is_active
        promotion.save()
        promotion.products.set(data.product_ids)
        promotion.categories.set(data.category_ids)
    promotion_changed(promotion=promotion)
    return promotion


def promotion_deactivate(*, promotion: Promotion) -> Promotion:
    """Stop a sale now (kept for its figures); idempotent."""
    if promotion.is_active:
        promotion.is_active = False
        promotion.save(update_fields=["is_active"])
        promotion_changed(promotion=promotion)
    return promotion


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
