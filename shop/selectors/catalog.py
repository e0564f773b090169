"""Catalogue reads: product lists with combinable filters and sorting, search, product detail, cards.

Every list is served by a fixed number of queries whatever the page size: the card's first picture is a
subquery annotation and the category a join, so templates never fetch per product. Search uses PostgreSQL
full-text search (a weighted `search_vector`, GIN-indexed, ranked with `SearchRank`) and, on SQLite, a plain
`icontains` over name, tags and description where name matches rank first.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.http import Http404
from django.utils.translation import gettext as _

from shop.models import Category, Product, ProductImage, Review, StockAlert, Tag, WishlistItem

__all__ = [
    "PRODUCT_SORTS",
    "ProductDetail",
    "ProductFilters",
    "ProductPage",
    "RatingSummary",
    "ReviewPage",
    "CATALOGUE_VERSION_KEY",
    "catalogue_cache_version",
    "category_get",
    "category_list",
    "category_list_cached",
    "category_roots_cached",
    "forget_local_catalogue_version",
    "category_subtree_ids",
    "home_sections",
    "page_number_parse",
    "product_cards",
    "product_detail",
    "product_filters_parse",
    "product_get_active",
    "product_list",
    "product_page",
    "product_search",
    "rating_summary",
    "review_page",
    "wishlist_for_user",
    "wishlist_product_ids",
]

# Sort keys accepted by pages and the API; "relevance" only means something with a search query.
PRODUCT_SORTS = ("relevance", "price_asc", "price_desc", "newest", "rating", "popular")
MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 100
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"", "0", "false", "off", "no"}
_CARD_FIELDS_DEFERRED = ("description", "attributes", "search_vector", "updated_at")


def category_roots_cached() -> list[Category]:
    """Top-level categories (with `.children_list`), from this process's copy of the category tree."""
    return category_list_cached()


# Rendered list fragments and the category tree are cached under this version; catalogue services bump it.
CATALOGUE_VERSION_KEY = "shop:catalogue_version"
# Every catalogue page needs the version; asking Redis once per second per process instead of once per request
# saves a round trip on each page. Another process sees a change at most this late; this one at once
# (`catalogue_changed` calls `forget_local_catalogue_version`).
CATALOGUE_VERSION_LOCAL_SECONDS = 1.0
_local_version: tuple[float, int] | None = None


def catalogue_cache_version() -> int:
    global _local_version
    now = time.monotonic()
    if _local_version is not None and now - _local_version[0] < CATALOGUE_VERSION_LOCAL_SECONDS:
        return _local_version[1]
    version = cache.get(CATALOGUE_VERSION_KEY)
    if version is None:
        # Start from the clock, not 1: after Redis lost its keys (a restart, a flush) the new version must
        # differ from every version a process may still hold pages or a category tree for.
        cache.add(CATALOGUE_VERSION_KEY, time.time_ns() // 1_000_000, None)
        version = cache.get(CATALOGUE_VERSION_KEY) or time.time_ns() // 1_000_000
    _local_version = (now, int(version))
    return int(version)


def forget_local_catalogue_version() -> None:
    global _local_version, _local_category_tree
    _local_version = None
    _local_category_tree = None


# --- categories -----------------------------------------------------------------------------------------


def category_list() -> list[Category]:
    """All categories, roots first then children, with `.children_list` filled (one query)."""
    categories = list(Category.objects.order_by("position", "name"))
    by_id = {category.id: category for category in categories}
    for category in categories:
        category.children_list = []
    roots = []
    for category in categories:
        parent = by_id.get(category.parent_id)
        if parent is None:
            roots.append(category)
        else:
            parent.children_list.append(category)
    return roots


_local_category_tree: tuple[int, float, list[Category]] | None = None
CATEGORY_TREE_LOCAL_SECONDS = 300.0


def category_list_cached(*, version: int | None = None) -> list[Category]:
    """`category_list`, kept in this process per catalogue version (a few dozen rows that every page's
    navigation and filters show; a shared-cache round trip per page cost more than the copy)."""
    global _local_category_tree
    version = version or catalogue_cache_version()
    local = _local_category_tree
    now = time.monotonic()
    if local is not None and local[0] == version and now - local[1] < CATEGORY_TREE_LOCAL_SECONDS:
        return local[2]
    tree = category_list()
    _local_category_tree = (version, now, tree)
    return tree


def category_get(*, slug: str) -> Category:
    category = Category.objects.select_related("parent").filter(slug=slug).first()
    if category is None:
        raise Http404(_("No such category."))
    category.children_list = list(category.children.order_by("position", "name"))
    return category


def _walk(categories: list[Category]) -> Iterable[Category]:
    stack = list(reversed(categories))
    while stack:
        category = stack.pop()
        yield category
        stack.extend(reversed(getattr(category, "children_list", [])))


def _category_by_slug(slug: str) -> Category | None:
    """From this process's category tree; the database only for a slug the tree does not know (yet)."""
    for category in _walk(category_list_cached()):
        if category.slug == slug:
            return category
    return Category.objects.filter(slug=slug).first()


def _subtree_ids_from_tree(category_id: int) -> tuple[int, ...]:
    """The category and all its descendants from the cached tree; () when the tree lacks it."""
    for category in _walk(category_list_cached()):
        if category.id == category_id:
            return tuple(node.id for node in _walk([category]))
    return ()


def category_subtree_ids(*, category_id: int) -> list[int]:
    """The category and all its descendants (any depth), from one query over the small category table."""
    children: dict[int | None, list[int]] = {}
    for cid, parent_id in Category.objects.values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(cid)
    result, stack = [], [category_id]
    while stack:
        current = stack.pop()
        result.append(current)
        stack.extend(children.get(current, []))
    return result


# --- filters --------------------------------------------------------------------------------------------


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


# --- product lists --------------------------------------------------------------------------------------


def _with_card_data(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Category joined and first picture annotated: a card needs nothing else."""
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    return (
        queryset.select_related("category")
        .defer(*_CARD_FIELDS_DEFERRED)
        .annotate(
            card_image_name=Subquery(first_image.values("image")[:1]),
            card_image_alt=Subquery(first_image.values("alt_text")[:1]),
        )
    )


def _search(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    if connection.vendor == "postgresql":
        search_query = SearchQuery(query, config="english", search_type="websearch")
        return queryset.filter(search_vector=search_query).annotate(
            relevance=SearchRank(F("search_vector"), search_query)
        )
    terms = query.split()[:8]
    for term in terms:
        tag_match = Tag.objects.filter(products=OuterRef("pk"), name__icontains=term)
        queryset = queryset.filter(
            Q(name__icontains=term) | Q(description__icontains=term) | Exists(tag_match)
        )
    name_hits = [When(name__icontains=term, then=Value(1)) for term in terms]
    return queryset.annotate(
        relevance=Case(*name_hits, default=Value(0), output_field=IntegerField())
    )


_ORDERINGS = {
    "relevance": ("-relevance", "-sold_count", "-id"),
    "price_asc": ("price", "id"),
    "price_desc": ("-price", "-id"),
    "newest": ("-created_at", "-id"),
    "rating": ("-rating_avg", "-rating_count", "-id"),
    "popular": ("-sold_count", "-id"),
}


def product_list(*, filters: ProductFilters) -> QuerySet[Product]:
    """Active products matching every given filter, in the requested order, ready for cards."""
    return _with_card_data(_filtered_products(filters))


def _filtered_products(filters: ProductFilters) -> QuerySet[Product]:
    """`product_list` without the card data (category, first picture): the rows and their order."""
    queryset = Product.objects.filter(is_active=True)
    if filters.category_ids:
        queryset = queryset.filter(category_id__in=filters.category_ids)
    if filters.price_min is not None:
        queryset = queryset.filter(price__gte=filters.price_min)
    if filters.price_max is not None:
        queryset = queryset.filter(price__lte=filters.price_max)
    if filters.min_rating is not None:
        queryset = queryset.filter(rating_avg__gte=filters.min_rating)
    if filters.in_stock:
        queryset = queryset.filter(stock__gt=0)
    if filters.tag:
        queryset = queryset.filter(
            Exists(
                Tag.objects.filter(products=OuterRef("pk")).filter(
                    Q(slug=filters.tag) | Q(name__iexact=filters.tag)
                )
            )
        )
    if filters.query:
        queryset = _search(queryset, filters.query)
    return queryset.order_by(*_ORDERINGS[filters.effective_sort]).defer(*_CARD_FIELDS_DEFERRED)


def product_search(
    *, query: str, filters: ProductFilters | None = None, limit: int = 20
) -> list[Product]:
    """Products matching a free-text query (plus optional filters), best first; a list of cards."""
    base = filters or ProductFilters()
    query = clean_search_text(query)
    if not query:
        return []
    combined = ProductFilters(**{**base.__dict__, "query": query})
    return _card_list(product_list(filters=combined)[: max(1, min(limit, MAX_PAGE_SIZE))])


@dataclass(frozen=True)
class ProductPage:
    items: list
    number: int
    num_pages: int
    count: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _paginate(
    queryset: QuerySet, *, page: int, per_page: int, known_count: int | None = None
) -> tuple[list, int, int, int]:
    """(items, served page number, page count, total); page numbers past the end serve the last page."""
    count = queryset.count() if known_count is None else known_count
    num_pages = max(1, -(-count // per_page))
    number = min(max(1, page), num_pages)
    start = (number - 1) * per_page
    items = list(queryset[start : start + per_page]) if count else []
    return items, number, num_pages, count


def product_page(
    *, filters: ProductFilters, page: int = 1, per_page: int = 24, known_count: int | None = None
) -> ProductPage:
    """One page of `product_list`: two queries (count + page), whatever `per_page` is; one when the caller
    already knows the count for these filters (e.g. cached from an earlier page)."""
    per_page = max(1, min(per_page, MAX_PAGE_SIZE))
    # The page's rows first, then their pictures in one plain query and their categories from the cached
    # tree: a join and two correlated sub-queries cost more to build and compile than the rows themselves.
    items, number, num_pages, count = _paginate(
        _filtered_products(filters), page=page, per_page=per_page, known_count=known_count
    )
    _attach_first_pictures(items)
    _attach_categories(items)
    _attach_card_images(items)
    return ProductPage(
        items=items, number=number, num_pages=num_pages, count=count, per_page=per_page
    )


def _attach_first_pictures(products: list[Product]) -> None:
    """`card_image_name`/`card_image_alt` as `_with_card_data` annotates them (first by position, then id)."""
    if not products:
        return
    first: dict[int, tuple[str, str]] = {}
    pictures = (
        ProductImage.objects.filter(product_id__in=[product.id for product in products])
        .order_by("product_id", "position", "id")
        .values_list("product_id", "image", "alt_text")
    )
    for product_id, image, alt_text in pictures:
        first.setdefault(product_id, (image, alt_text))
    for product in products:
        product.card_image_name, product.card_image_alt = first.get(product.id, (None, None))


def _attach_categories(products: list[Product]) -> None:
    by_id = {category.id: category for category in _walk(category_list_cached())}
    missing = {product.category_id for product in products} - by_id.keys()
    if missing:  # a category newer than this process's tree
        by_id.update(Category.objects.in_bulk(missing))
    category_field = Product._meta.get_field("category")
    for product in products:
        category_field.set_cached_value(product, by_id[product.category_id])


def _attach_card_images(products: Iterable[Product]) -> None:
    from django.core.files.storage import default_storage

    for product in products:
        name = getattr(product, "card_image_name", None)
        product.card_image_url = default_storage.url(name) if name else ""
        product.card_image_alt = getattr(product, "card_image_alt", None) or product.name


def _card_list(queryset: QuerySet[Product]) -> list[Product]:
    items = list(queryset)
    _attach_card_images(items)
    return items


def product_cards(*, product_ids: Iterable[int]) -> list[Product]:
    """Active products for cards, in the given order (unknown or inactive ids are left out). One query."""
    ids = [int(pid) for pid in product_ids]
    if not ids:
        return []
    by_id = {
        product.id: product
        for product in _with_card_data(Product.objects.filter(id__in=ids, is_active=True))
    }
    seen: set[int] = set()
    ordered = []
    for pid in ids:
        if pid in by_id and pid not in seen:
            seen.add(pid)
            ordered.append(by_id[pid])
    _attach_card_images(ordered)
    return ordered


@dataclass(frozen=True)
class HomeSections:
    new_arrivals: list
    top_rated: list
    categories: list


def home_sections(*, k: int = 8) -> HomeSections:
    active = Product.objects.filter(is_active=True)
    new_arrivals = _card_list(_with_card_data(active.order_by("-created_at", "-id"))[:k])
    top_rated = _card_list(
        _with_card_data(
            active.filter(rating_count__gte=3).order_by("-rating_avg", "-rating_count", "-id")
        )[:k]
    )
    return HomeSections(new_arrivals=new_arrivals, top_rated=top_rated, categories=category_list())


# --- product detail -------------------------------------------------------------------------------------


def product_get_active(*, product_id: int | None = None, slug: str | None = None) -> Product:
    """An active product by id or slug, or Http404."""
    lookup = {"id": product_id} if product_id is not None else {"slug": slug}
    product = (
        Product.objects.select_related("category", "category__parent")
        .filter(is_active=True, **lookup)
        .first()
    )
    if product is None:
        raise Http404(_("No such product."))
    return product


@dataclass(frozen=True)
class RatingSummary:
    average: Decimal
    count: int
    # (stars, count, percent) from 5 down to 1
    distribution: list[tuple[int, int, int]] = field(default_factory=list)


def rating_summary(*, product_id: int) -> RatingSummary:
    """Average, count and 1-5 distribution of the visible reviews, in one aggregate query."""
    aggregates = Review.objects.filter(product_id=product_id, is_hidden=False).aggregate(
        total=Count("id"),
        **{f"s{stars}": Count("id", filter=Q(rating=stars)) for stars in range(1, 6)},
    )
    total = aggregates["total"]
    weighted = sum(stars * aggregates[f"s{stars}"] for stars in range(1, 6))
    average = (Decimal(weighted) / total).quantize(Decimal("0.01")) if total else Decimal("0.00")
    distribution = [
        (
            stars,
            aggregates[f"s{stars}"],
            round(100 * aggregates[f"s{stars}"] / total) if total else 0,
        )
        for stars in range(5, 0, -1)
    ]
    return RatingSummary(average=average, count=total, distribution=distribution)


@dataclass(frozen=True)
class ReviewPage:
    items: list
    number: int
    num_pages: int
    count: int

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def review_page(*, product_id: int, page: int = 1, per_page: int = 10) -> ReviewPage:
    """Visible reviews, newest first, with author and profile joined (two queries)."""
    queryset = (
        Review.objects.filter(product_id=product_id, is_hidden=False)
        .select_related("user", "user__profile")
        .order_by("-created_at", "-id")
    )
    items, number, num_pages, count = _paginate(queryset, page=page, per_page=per_page)
    return ReviewPage(items=items, number=number, num_pages=num_pages, count=count)


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    images: list
    tags: list
    attributes: list[tuple[str, str]]
    rating: RatingSummary
    reviews: ReviewPage
    own_review: Review | None
    in_wishlist: bool
    has_open_alert: bool
    max_quantity: int


def product_detail(
    *,
    slug: str | None = None,
    product_id: int | None = None,
    user=None,
    review_page_number: int = 1,
) -> ProductDetail:
    """Everything the product page shows (by slug or id), in a fixed number of queries."""
    product = product_get_active(slug=slug, product_id=product_id)
    images = list(product.images.order_by("position", "id"))
    tags = list(product.tags.order_by("name"))
    signed_in = user is not None and user.is_authenticated
    own_review = in_wishlist = has_open_alert = None
    if signed_in:
        own_review = Review.objects.filter(product=product, user=user).first()
        in_wishlist = WishlistItem.objects.filter(product=product, user=user).exists()
        has_open_alert = StockAlert.objects.filter(
            product=product, user=user, notified_at__isnull=True
        ).exists()
    attributes = [
        (
            str(key).replace("_", " ").capitalize(),
            ", ".join(map(str, value)) if isinstance(value, list) else str(value),
        )
        for key, value in sorted((product.attributes or {}).items())
    ]
    return ProductDetail(
        product=product,
        images=images,
        tags=tags,
        attributes=attributes,
        rating=rating_summary(product_id=product.id),
        reviews=review_page(product_id=product.id, page=review_page_number),
        own_review=own_review,
        in_wishlist=bool(in_wishlist),
        has_open_alert=bool(has_open_alert),
        max_quantity=max(0, min(product.stock, settings.SHOP_MAX_LINE_QUANTITY)),
    )


# --- wishlist -------------------------------------------------------------------------------------------


def wishlist_for_user(*, user) -> list[Product]:
    """The shopper's wished-for products (active ones), most recent first, as cards. One query."""
    ids = list(
        WishlistItem.objects.filter(user=user, product__is_active=True)
        .order_by("-created_at", "-id")
        .values_list("product_id", flat=True)
    )
    return product_cards(product_ids=ids)


def wishlist_product_ids(*, user_id: int, product_ids: Iterable[int] | None = None) -> set[int]:
    rows = WishlistItem.objects.filter(user_id=user_id)
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    return set(rows.values_list("product_id", flat=True))
