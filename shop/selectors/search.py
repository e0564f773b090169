"""Reading what a shopper asks the catalogue for: the combinable filters, sort and search text of a product
list, and page numbers, parsed and checked once for pages and the API (`ValidationError` keyed by parameter)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shop.models import Category
from shop.selectors.categories import (
    _category_by_slug,
    _subtree_ids_from_tree,
    category_subtree_ids,
)

__all__ = [
    "PRODUCT_SORTS",
    "ProductFilters",
    "clean_search_text",
    "page_number_parse",
    "product_filters_parse",
]

# Sort keys accepted by pages and the API; "relevance" only means something with a search query.
PRODUCT_SORTS = ("relevance", "price_asc", "price_desc", "newest", "rating", "popular")
MAX_QUERY_LENGTH = 200
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}


@dataclass(frozen=True)
class ProductFilters:
    query: str = ""
    category: Category | None = None
    category_ids: tuple[int, ...] = ()
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    tag: str = ""
    min_rating: Decimal | None = None
    in_stock: bool = False
    sort: str = ""

    @property
    def effective_sort(self) -> str:
        if self.sort == "relevance" and not self.query:
            return "newest"
        return self.sort or ("relevance" if self.query else "newest")

    def as_params(self) -> dict[str, str]:
        """The filters as query-string values (for pagination links and the form)."""
        params = {
            "q": self.query,
            "category": self.category.slug if self.category else "",
            "price_min": "" if self.price_min is None else str(self.price_min),
            "price_max": "" if self.price_max is None else str(self.price_max),
            "tag": self.tag,
            "min_rating": "" if self.min_rating is None else str(self.min_rating),
            "in_stock": "1" if self.in_stock else "",
            "sort": self.sort,
        }
        return {key: value for key, value in params.items() if value}


def clean_search_text(text: str) -> str:
    """Drop control characters (PostgreSQL refuses NUL), normalise, collapse spaces, cap the length."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " \t")
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUERY_LENGTH]


def _decimal(value: str, *, name: str, errors: dict, low: Decimal, high: Decimal) -> Decimal | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        errors[name] = _("Enter a number.")
        return None
    if not number.is_finite() or number < low or number > high:
        errors[name] = _("Enter a number between %(low)s and %(high)s.") % {
            "low": low,
            "high": high,
        }
        return None
    return number


def product_filters_parse(
    params: Mapping[str, str], *, category: Category | None = None
) -> ProductFilters:
    """Turn query parameters into filters. Raises ValidationError({field: message}) on bad values.

    `category` (a page's own category) wins over a `category` slug parameter.
    """
    errors: dict[str, str] = {}
    query = clean_search_text(params.get("q", ""))
    price_min = _decimal(
        params.get("price_min", ""),
        name="price_min",
        errors=errors,
        low=Decimal(0),
        high=Decimal("99999999"),
    )
    price_max = _decimal(
        params.get("price_max", ""),
        name="price_max",
        errors=errors,
        low=Decimal(0),
        high=Decimal("99999999"),
    )
    if price_min is not None and price_max is not None and price_min > price_max:
        errors["price_max"] = _("The maximum price must not be below the minimum price.")
    min_rating = _decimal(
        params.get("min_rating", ""),
        name="min_rating",
        errors=errors,
        low=Decimal(0),
        high=Decimal(5),
    )
    in_stock_raw = (params.get("in_stock", "") or "").strip().lower()
    if in_stock_raw not in _TRUE | _FALSE:
        errors["in_stock"] = _("Use 1 or 0.")
    sort = (params.get("sort", "") or "").strip()
    if sort and sort not in PRODUCT_SORTS:
        errors["sort"] = _("Unknown sort order; use one of: %(choices)s.") % {
            "choices": ", ".join(PRODUCT_SORTS)
        }
    tag = clean_search_text(params.get("tag", ""))[:80]
    category_ids: tuple[int, ...] = ()
    if category is None and (slug := (params.get("category", "") or "").strip()):
        category = _category_by_slug(slug[:140])
        if category is None:
            errors["category"] = _("Unknown category.")
    if category is not None:
        category_ids = _subtree_ids_from_tree(category.id) or tuple(
            category_subtree_ids(category_id=category.id)
        )
    if errors:
        raise ValidationError(errors)
    return ProductFilters(
        query=query,
        category=category,
        category_ids=category_ids,
        price_min=price_min,
        price_max=price_max,
        tag=tag,
        min_rating=min_rating,
        in_stock=in_stock_raw in _TRUE,
        sort=sort,
    )


def page_number_parse(value: str | None) -> int:
    """A 1-based page number; ValidationError on anything else."""
    value = (value or "1").strip()
    if not value.isascii() or not value.isdigit() or int(value) < 1 or len(value) > 12:
        raise ValidationError({"page": _("Page must be a whole number from 1.")})
    return int(value)
