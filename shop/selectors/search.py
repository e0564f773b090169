"""Reading what a shopper asks the catalogue for: the combinable filters, sort and search text of a product
list, and page numbers, parsed and checked once for pages and the API (`ValidationError` keyed by parameter)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from shop.models import AttributeValue, Category
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
    # Variant options, "size:m" (attribute slug : value slug): a product matches when one of its active
    # variants with stock has them all (values of one attribute are alternatives: size M or L).
    options: tuple[str, ...] = ()
    option_value_ids: tuple[tuple[int, ...], ...] = ()

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
            "option": ",".join(self.options),
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
    options, option_value_ids = _options_parse(params, errors)
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
        options=options,
        option_value_ids=option_value_ids,
    )


MAX_OPTIONS = 20
_OPTION = re.compile(r"^[a-z0-9_-]{1,80}:[a-z0-9_-]{1,80}$")


def _options_parse(
    params: Mapping[str, str], errors: dict
) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """`option=size:m,colour:navy` (or repeated `option=`): the known values grouped by attribute."""
    getlist = getattr(params, "getlist", None)
    raw_values = getlist("option") if getlist else [params.get("option", "")]
    wanted = [
        part.strip().lower()
        for raw in raw_values
        for part in (raw or "").split(",")
        if part.strip()
    ]
    wanted = list(dict.fromkeys(wanted))
    if not wanted:
        return (), ()
    if len(wanted) > MAX_OPTIONS or not all(_OPTION.match(part) for part in wanted):
        errors["option"] = _("Choose options as attribute:value, for example size:m.")
        return (), ()
    query = Q()
    for part in wanted:
        attribute, value = part.split(":", 1)
        query |= Q(attribute__slug=attribute, slug=value)
    found = {
        f"{attribute}:{value}": (attribute_id, value_id)
        for value_id, attribute_id, attribute, value in AttributeValue.objects.filter(
            query
        ).values_list("id", "attribute_id", "attribute__slug", "slug")
    }
    unknown = [part for part in wanted if part not in found]
    if unknown:
        errors["option"] = _("Unknown option: %(options)s.") % {"options": ", ".join(unknown)}
        return (), ()
    groups: dict[int, list[int]] = {}
    for part in wanted:
        attribute_id, value_id = found[part]
        groups.setdefault(attribute_id, []).append(value_id)
    return tuple(wanted), tuple(tuple(ids) for ids in groups.values())


def page_number_parse(value: str | None) -> int:
    """A 1-based page number; ValidationError on anything else."""
    value = (value or "1").strip()
    if not value.isascii() or not value.isdigit() or int(value) < 1 or len(value) > 12:
        raise ValidationError({"page": _("Page must be a whole number from 1.")})
    return int(value)
