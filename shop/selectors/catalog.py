"""Catalogue reads: product lists with the parsed filters (`shop.selectors.search`) and sorting, search, product
detail, cards, reviews and wishlists. Categories and the catalogue version live in `shop.selectors.categories`.

Every list is served by a fixed number of queries whatever the page size: the card's first picture is a
subquery annotation and the category a join, so templates never fetch per product. Search uses PostgreSQL
full-text search (a weighted `search_vector`, GIN-indexed, ranked with `SearchRank`) and, on SQLite, a plain
`icontains` over name, tags and description where name matches rank first.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.cache import cache
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

from common.pictures import Picture
from shop.models import (
    Category,
    Product,
    ProductImage,
    ProductVariant,
    Review,
    StockAlert,
    Tag,
    User,
    WishlistItem,
)
from shop.selectors.categories import (
    _walk,
    catalogue_cache_version,
    category_list,
    category_list_cached,
)
from shop.selectors.search import ProductFilters, clean_search_text

__all__ = [
    "ProductDetail",
    "ProductPage",
    "RatingSummary",
    "ReviewPage",
    "home_sections",
    "product_cards",
    "product_detail",
    "product_get_active",
    "product_list",
    "product_page",
    "product_search",
    "rating_summary",
    "review_page",
    "wishlist_for_user",
    "wishlist_product_ids",
]

MAX_PAGE_SIZE = 100
_CARD_FIELDS_DEFERRED = ("description", "attributes", "search_vector", "updated_at")


# --- product lists --------------------------------------------------------------------------------------


def _with_card_data(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Category joined and first picture annotated: a card needs nothing else."""
    first_image = ProductImage.objects.filter(product=OuterRef("pk")).order_by("position", "id")
    # The annotations are declared on Product for the type checker, hence the ignore.
    return (
        queryset.select_related("category")  # type: ignore[no-redef]
        .defer(*_CARD_FIELDS_DEFERRED)
        .annotate(
            card_image_name=Subquery(first_image.values("image")[:1]),
            card_image_alt=Subquery(first_image.values("alt_text")[:1]),
            card_image_width=Subquery(first_image.values("width")[:1]),
            card_image_height=Subquery(first_image.values("height")[:1]),
            card_image_renditions=Subquery(first_image.values("renditions")[:1]),
        )
    )


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in text)


def _search(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Products matching `query` in any language: English full text on PostgreSQL, substrings otherwise.

    Chinese has no spaces for a tokenizer to split on, so a query with Chinese characters is matched as
    substrings of the Chinese (and English) columns; the translated columns are named explicitly because
    modeltranslation would rewrite `name` to the visitor's language only.
    """
    if connection.vendor == "postgresql" and not _has_cjk(query):
        search_query = SearchQuery(query, config="english", search_type="websearch")
        return queryset.filter(search_vector=search_query).annotate(
            relevance=SearchRank(F("search_vector"), search_query)
        )
    terms = query.split()[:8]
    for term in terms:
        tag_match = Tag.objects.filter(products=OuterRef("pk"), name__icontains=term)
        queryset = queryset.filter(
            Q(name_en__icontains=term)
            | Q(name_zh_hans__icontains=term)
            | Q(description_en__icontains=term)
            | Q(description_zh_hans__icontains=term)
            | Exists(tag_match)
        )
    name_hits = [
        When(Q(name_en__icontains=term) | Q(name_zh_hans__icontains=term), then=Value(1))
        for term in terms
    ]
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
    if filters.option_value_ids:
        variants = ProductVariant.objects.filter(
            product=OuterRef("pk"), is_active=True, stock__gt=0
        )
        for value_ids in filters.option_value_ids:
            variants = variants.filter(
                Exists(
                    ProductVariant.values.through.objects.filter(
                        productvariant_id=OuterRef("pk"), attributevalue_id__in=value_ids
                    )
                )
            )
        queryset = queryset.filter(Exists(variants))
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
    first: dict[int, tuple[str, str, int, int, list[int]]] = {}
    pictures = (
        ProductImage.objects.filter(product_id__in=[product.id for product in products])
        .order_by("product_id", "position", "id")
        .values_list("product_id", "image", "alt_text", "width", "height", "renditions")
    )
    for product_id, *row in pictures:
        first.setdefault(product_id, tuple(row))
    for product in products:
        (
            product.card_image_name,
            product.card_image_alt,
            product.card_image_width,
            product.card_image_height,
            product.card_image_renditions,
        ) = first.get(product.id, (None, None, 0, 0, []))


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
        renditions = getattr(product, "card_image_renditions", None)
        if isinstance(renditions, str):  # a JSON sub-query on SQLite comes back as text
            renditions = json.loads(renditions)
        product.card_picture = (
            Picture(
                name=name,
                width=getattr(product, "card_image_width", None) or 0,
                height=getattr(product, "card_image_height", None) or 0,
                renditions=tuple(renditions or ()),
                alt=product.card_image_alt,
            )
            if name
            else None
        )


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
    lookup: dict[str, object] = {"id": product_id} if product_id is not None else {"slug": slug}
    product = (
        Product.objects.select_related("category", "category__parent")
        .filter(is_active=True, **lookup)
        .first()
    )
    if product is None:
        raise Http404(_("No such product."))
    return product


def _product_with_shopper_state(
    *, slug: str | None, product_id: int | None, user_id: int
) -> Product:
    """`product_get_active` plus, for one shopper: `shopper_wishes`, `shopper_alerted` (an open back-in-stock
    alert) and `shopper_review_id` (their review's id or None), in the same query."""
    lookup: dict[str, object] = {"id": product_id} if product_id is not None else {"slug": slug}
    product = (
        Product.objects.select_related("category", "category__parent")
        .filter(is_active=True, **lookup)
        .annotate(
            shopper_wishes=Exists(
                WishlistItem.objects.filter(product_id=OuterRef("pk"), user_id=user_id)
            ),
            shopper_alerted=Exists(
                StockAlert.objects.filter(
                    product_id=OuterRef("pk"), user_id=user_id, notified_at__isnull=True
                )
            ),
            shopper_review_id=Subquery(
                Review.objects.filter(product_id=OuterRef("pk"), user_id=user_id).values("pk")[:1]
            ),
        )
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
class ProductPageShared:
    """The parts of a product page that are the same for every shopper and change only through catalogue
    writes (pictures, tags, reviews and the rating summary: every review change, a moderator's hide included,
    bumps the catalogue version)."""

    images: list
    tags: list
    rating: RatingSummary
    reviews: ReviewPage


# Reviewers' display names are not catalogue data: a renamed reviewer shows within this time.
PRODUCT_PAGE_SHARED_SECONDS = 60


def _product_page_shared(*, product_id: int, review_page_number: int) -> ProductPageShared:
    """Read once per catalogue version and shared by every shopper (5 queries saved per product page);
    the product row itself (price, stock) is always read fresh."""
    key = f"shop:product-page:{catalogue_cache_version()}:{product_id}:{review_page_number}"
    shared = cache.get(key)
    if shared is None:
        shared = ProductPageShared(
            images=list(
                ProductImage.objects.filter(product_id=product_id).order_by("position", "id")
            ),
            tags=list(Tag.objects.filter(products=product_id).order_by("name")),
            rating=rating_summary(product_id=product_id),
            reviews=review_page(product_id=product_id, page=review_page_number),
        )
        cache.set(key, shared, PRODUCT_PAGE_SHARED_SECONDS)
    return shared


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
    user: User | AnonymousUser | None = None,
    review_page_number: int = 1,
) -> ProductDetail:
    """Everything the product page shows (by slug or id), in a fixed number of queries."""
    own_review = in_wishlist = has_open_alert = None
    if isinstance(user, User):
        # The shopper's own state rides on the product query (one query instead of four); their review is
        # read only when they wrote one.
        product = _product_with_shopper_state(slug=slug, product_id=product_id, user_id=user.pk)
        in_wishlist = product.shopper_wishes  # type: ignore[attr-defined]
        has_open_alert = product.shopper_alerted  # type: ignore[attr-defined]
        own_review_id = product.shopper_review_id  # type: ignore[attr-defined]
        if own_review_id is not None:
            own_review = Review.objects.filter(pk=own_review_id).first()
    else:
        product = product_get_active(slug=slug, product_id=product_id)
    shared = _product_page_shared(product_id=product.id, review_page_number=review_page_number)
    attributes = [
        (
            str(key).replace("_", " ").capitalize(),
            ", ".join(map(str, value)) if isinstance(value, list) else str(value),
        )
        for key, value in sorted((product.attributes or {}).items())
    ]
    return ProductDetail(
        product=product,
        images=shared.images,
        tags=shared.tags,
        attributes=attributes,
        rating=shared.rating,
        reviews=shared.reviews,
        own_review=own_review,
        in_wishlist=bool(in_wishlist),
        has_open_alert=bool(has_open_alert),
        max_quantity=max(0, min(product.stock, settings.SHOP_MAX_LINE_QUANTITY)),
    )


# --- wishlist -------------------------------------------------------------------------------------------


def wishlist_for_user(*, user: User) -> list[Product]:
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
