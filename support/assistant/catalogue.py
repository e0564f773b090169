"""Product picks for the chat: catalogue search first, the recommender for open-ended gift ideas.

Only active, in-stock products at or under the shopper's price cap are offered. The recommender
(`recsys.services.recommendations_for_user`) is optional here: when its serving data is missing, or it
fails, the catalogue's best sellers stand in, so a broken model never breaks the chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from recsys import services as recsys_services
from shop import selectors as shop_selectors
from shop.models import Product

__all__ = ["ProductPicks", "pick_products"]

logger = logging.getLogger(__name__)

DEFAULT_COUNT = 4


@dataclass(frozen=True)
class ProductPicks:
    products: list[Product]
    sources: list[dict[str, Any]] = field(default_factory=list)
    label: str = ""


def _filters(price_cap: Decimal | None) -> Any:
    return shop_selectors.ProductFilters(price_max=price_cap, in_stock=True)


def _search(terms: tuple[str, ...], price_cap: Decimal | None, k: int) -> list[Product]:
    if not terms:
        return []
    found = shop_selectors.product_search(
        query=" ".join(terms), filters=_filters(price_cap), limit=k
    )
    if found or len(terms) == 1:
        return found
    # The catalogue search wants every word; try the words one by one, most specific (longest) first.
    seen: dict[int, Product] = {}
    for term in sorted(terms, key=len, reverse=True):
        for product in shop_selectors.product_search(
            query=term, filters=_filters(price_cap), limit=k
        ):
            seen.setdefault(product.id, product)
        if len(seen) >= k:
            break
    return list(seen.values())[:k]


def _recommended_ids(user: Any, k: int) -> list[int]:
    try:
        if user is not None and user.is_authenticated:
            items = recsys_services.recommendations_for_user(user=user, widget="for_you", k=k)
        else:
            items = recsys_services.trending_products(k=k)
    except Exception:  # the recommender is an optional helper here, never a reason to fail the chat
        logger.exception("support assistant: recommendations unavailable")
        return []
    return [item.product.id for item in items if getattr(item, "product", None) is not None]


def _best_sellers(price_cap: Decimal | None, k: int) -> list[Product]:
    filters = shop_selectors.ProductFilters(price_max=price_cap, in_stock=True, sort="popular")
    return list(shop_selectors.product_list(filters=filters)[:k])


def _affordable(products: list[Product], price_cap: Decimal | None) -> list[Product]:
    return [
        product
        for product in products
        if product.is_active
        and product.stock > 0
        and (price_cap is None or product.price <= price_cap)
    ]


def pick_products(
    *,
    user: Any,
    terms: tuple[str, ...],
    price_cap: Decimal | None,
    gift: bool,
    k: int = DEFAULT_COUNT,
) -> ProductPicks:
    cap_text = str(price_cap) if price_cap is not None else None
    found = _search(terms, price_cap, k)
    if found:
        ids = [product.id for product in found]
        return ProductPicks(
            products=_affordable(shop_selectors.product_cards(product_ids=ids), price_cap)[:k],
            sources=[{"type": "catalogue", "query": " ".join(terms), "price_max": cap_text}],
            label=_("Catalogue search"),
        )
    if terms and not gift:
        # A specific product was asked for and the catalogue has none: don't offer unrelated things.
        return ProductPicks(products=[])
    ids = _recommended_ids(user, k=max(40, k * 10))
    products = _affordable(shop_selectors.product_cards(product_ids=ids), price_cap)[:k]
    if products:
        return ProductPicks(
            products=products,
            sources=[{"type": "recommendations", "widget": "for_you", "price_max": cap_text}],
            label=_("Recommendations"),
        )
    products = _affordable(_best_sellers(price_cap, k), price_cap)[:k]
    ids = [product.id for product in products]
    return ProductPicks(
        products=shop_selectors.product_cards(product_ids=ids),
        sources=[{"type": "catalogue", "sort": "popular", "price_max": cap_text}] if ids else [],
        label=_("Best sellers") if ids else "",
    )
