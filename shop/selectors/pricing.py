"""Prices in one place: promotions, vouchers and the one stacking rule between them.

The stacking rule (docs/architecture.md repeats it):

1. A product's unit price is its list price, or the lowest sale price among the promotions running now on it (on
   the product itself, or on its category or any parent category). Promotions never stack with each other: the
   biggest cut wins. A sale price is a price, so it is rounded to the cent, once, here.
2. At most one voucher per order, applied on top of those unit prices to the lines in its scope. Its discount is
   computed on the sum of those lines and rounded once (half up), then shared out over the lines by largest
   remainder, so the lines' discounts add up to the order's discount to the cent. A fixed amount never takes
   more than the lines in scope cost; a free-shipping voucher makes the chosen shipping free.
3. Group-buy orders are paid at the group price fixed when the group opened: no promotion and no voucher applies
   to them (the group price is the deal).

Running promotions are read once per catalogue version (and at most a minute old) from the cache, so a listing
page or cart costs no query for them; `shop.services.promotion.promotions_boundary_check` (beat, every minute)
bumps the catalogue version when a sale starts or ends, so cached pages follow the window.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.utils import timezone

from shop.models import Category, Product, Promotion

__all__ = [
    "PriceQuote",
    "RunningPromotion",
    "discount_share",
    "price_quote",
    "promotions_running",
    "promotions_running_ids",
    "sale_price",
]

CENT = Decimal("0.01")
PROMOTIONS_CACHE_SECONDS = 60
_LOCAL_SECONDS = 1.0
_local: tuple[float, str, list[RunningPromotion]] | None = None


def sale_price(*, list_price: Decimal, percent_off: Decimal) -> Decimal:
    """The list price cut by a sale's percentage, rounded to the cent once (half up)."""
    factor = (Decimal(100) - percent_off) / Decimal(100)
    return (list_price * factor).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RunningPromotion:
    """A promotion that has not ended, with its categories expanded to their subtrees."""

    id: int
    name: str
    badge: str
    percent_off: Decimal
    starts_at: datetime
    ends_at: datetime
    product_ids: frozenset[int]
    category_ids: frozenset[int]

    def running(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def covers(self, *, product_id: int, category_id: int | None) -> bool:
        return product_id in self.product_ids or (
            category_id is not None and category_id in self.category_ids
        )

    def sale_price(self, list_price: Decimal) -> Decimal:
        return sale_price(list_price=list_price, percent_off=self.percent_off)

    @property
    def label(self) -> str:
        return self.badge or f"-{self.percent_off.normalize():f}%"


@dataclass(frozen=True)
class PriceQuote:
    """What a shopper pays for one unit now, and why."""

    price: Decimal
    list_price: Decimal
    promotion: RunningPromotion | None

    @property
    def on_sale(self) -> bool:
        return self.promotion is not None and self.price < self.list_price

    @property
    def badge(self) -> str:
        return self.promotion.label if self.on_sale and self.promotion else ""


def _load_promotions(now: datetime) -> list[RunningPromotion]:
    rows = list(
        Promotion.objects.filter(is_active=True, ends_at__gt=now).prefetch_related(
            "products", "categories"
        )
    )
    if not rows:
        return []
    children: dict[int | None, list[int]] = {}
    for cid, parent_id in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(cid)
    promotions = []
    for row in rows:
        category_ids: set[int] = set()
        stack = [category.id for category in row.categories.all()]
        while stack:
            current = stack.pop()
            if current not in category_ids:
                category_ids.add(current)
                stack.extend(children.get(current, []))
        promotions.append(
            RunningPromotion(
                id=row.id,
                name=row.name,
                badge=row.badge,
                percent_off=row.percent_off,
                starts_at=row.starts_at,
                ends_at=row.ends_at,
                product_ids=frozenset(product.id for product in row.products.all()),
                category_ids=frozenset(category_ids),
            )
        )
    return promotions


def promotions_running(*, now: datetime | None = None) -> list[RunningPromotion]:
    """Promotions running at `now` (default: now). Read from the cache under the catalogue version."""
    from shop.selectors.categories import catalogue_cache_version

    global _local
    now = now or timezone.now()
    key = f"shop:promotions:{catalogue_cache_version()}"
    clock = time.monotonic()
    if _local is not None and _local[1] == key and clock - _local[0] < _LOCAL_SECONDS:
        stored = _local[2]
    else:
        stored = cache.get(key)
        if stored is None:
            stored = _load_promotions(now)
            cache.set(key, stored, PROMOTIONS_CACHE_SECONDS)
        _local = (clock, key, stored)
    return [promotion for promotion in stored if promotion.running(now)]


def promotions_running_ids(*, now: datetime | None = None) -> list[int]:
    """Ids of the promotions running now, straight from the database (the beat's boundary check)."""
    now = now or timezone.now()
    return sorted(
        Promotion.objects.filter(is_active=True, starts_at__lte=now, ends_at__gt=now).values_list(
            "id", flat=True
        )
    )


def price_quote(
    *,
    product: Product,
    promotions: Sequence[RunningPromotion] | None = None,
    list_price: Decimal | None = None,
) -> PriceQuote:
    """The unit price of `product` under rule 1 (pass `promotions_running()` when quoting many products);
    `list_price` is the chosen variant's own price when it overrides the product's."""
    running = promotions_running() if promotions is None else promotions
    base = product.price if list_price is None else list_price
    best: RunningPromotion | None = None
    best_price = base
    for promotion in running:
        if not promotion.covers(product_id=product.id, category_id=product.category_id):
            continue
        price = promotion.sale_price(base)
        if price < best_price:
            best, best_price = promotion, price
    return PriceQuote(price=best_price, list_price=base, promotion=best)


def discount_share(*, total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share `total` (whole cents) over `weights` in proportion, by largest remainder: the parts add up to
    `total` exactly and each differs from its exact share by less than a cent."""
    base = sum(weights, Decimal(0))
    if total <= 0 or base <= 0:
        return [Decimal("0.00") for _ in weights]
    cents = int((total / CENT).to_integral_value())
    exact = [weight * cents / base for weight in weights]
    floors = [int(value) for value in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for index in order[:left]:
        floors[index] += 1
    return [(Decimal(value) * CENT).quantize(CENT) for value in floors]
