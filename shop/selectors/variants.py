"""Variant reads: the product page's picker (which options exist, which are sold out, what the chosen one
costs and looks like) and the attribute facets of the catalogue filters.

Prices come from the database only: a variant's override, else the product's price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from shop.models import Attribute, AttributeValue, Product, ProductImage, ProductVariant, StockAlert

__all__ = [
    "AttributeFacet",
    "VariantChoice",
    "VariantOption",
    "attribute_facets",
    "attribute_facets_cached",
    "product_images",
    "variant_choice",
    "variant_gallery",
    "variant_id_parse",
    "variants_for_products",
]

MAX_ID = 2**62


@dataclass(frozen=True)
class VariantOption:
    id: int
    name: str
    sku: str
    price: Decimal
    stock: int
    selected: bool

    @property
    def available(self) -> bool:
        return self.stock > 0


@dataclass(frozen=True)
class VariantChoice:
    """What the product page's buy panel shows for the chosen variant (None: a choice is still needed)."""

    product: Product
    options: list[VariantOption]
    selected: VariantOption | None
    price: Decimal
    stock: int
    max_quantity: int
    picture: ProductImage | None
    has_open_alert: bool

    @property
    def needs_choice(self) -> bool:
        """More than one option: the page shows the picker."""
        return len(self.options) > 1

    @property
    def sold_out_options(self) -> list[VariantOption]:
        return [option for option in self.options if not option.available]

    @property
    def all_sold_out(self) -> bool:
        return not any(option.available for option in self.options)


def variant_id_parse(value: Any) -> int | None:
    """A positive id from a query string or form, else None (never an error: a bad value means no choice)."""
    if value in (None, "") or isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < MAX_ID else None


def variant_choice(
    *,
    product: Product,
    variant_id: int | None = None,
    user_id: int | None = None,
    strict: bool = False,
    product_picture: bool = True,
) -> VariantChoice:
    """The picker for a product: its active variants in order, the chosen one (`variant_id`, else the first in
    stock), its price, stock and picture (the variant's own, else the product's first). With `strict`, an
    unknown variant or one of another product raises Http404 instead of falling back. 3 queries at most
    (+1 signed in); without `product_picture` (the page has the product's pictures already) `picture` is
    only the variant's own and it is 2.
    """
    pictures = ProductImage.objects.order_by("position", "id")
    variants = list(
        ProductVariant.objects.filter(product=product, is_active=True)
        .order_by("position", "id")
        .prefetch_related(Prefetch("images", queryset=pictures))
    )
    chosen = next((v for v in variants if v.id == variant_id), None) if variant_id else None
    if chosen is None and strict and variant_id is not None:
        raise Http404("This option is not available.")
    if chosen is None:
        chosen = next((v for v in variants if v.stock > 0), variants[0] if variants else None)
    options = [
        VariantOption(
            id=v.id,
            name=v.name,
            sku=v.sku,
            price=v.effective_price(product),
            stock=v.stock,
            selected=v is chosen,
        )
        for v in variants
    ]
    selected = next((option for option in options if option.selected), None)
    own = list(chosen.images.all()) if chosen is not None else []
    picture = own[0] if own else None
    if picture is None and product_picture:
        picture = pictures.filter(product=product).first()
    has_open_alert = False
    if user_id is not None and chosen is not None:
        has_open_alert = StockAlert.objects.filter(
            user_id=user_id, variant=chosen, notified_at__isnull=True
        ).exists()
    stock = selected.stock if selected else 0
    return VariantChoice(
        product=product,
        options=options,
        selected=selected,
        price=selected.price if selected else product.price,
        stock=stock,
        max_quantity=max(0, min(stock, settings.SHOP_MAX_LINE_QUANTITY)),
        picture=picture,
        has_open_alert=has_open_alert,
    )


def variants_for_products(*, product_ids: list[int]) -> dict[int, list[ProductVariant]]:
    """Active variants per product, in order, in one query (API listings)."""
    rows: dict[int, list[ProductVariant]] = {pid: [] for pid in product_ids}
    for variant in ProductVariant.objects.filter(
        product_id__in=product_ids, is_active=True
    ).order_by("product_id", "position", "id"):
        rows[variant.product_id].append(variant)
    return rows


@dataclass(frozen=True)
class AttributeFacet:
    """One attribute of the catalogue filters ("Size") with the values that some in-stock variant has."""

    attribute: Attribute
    values: list[AttributeValue]


def attribute_facets(*, products: QuerySet[Product] | None = None) -> list[AttributeFacet]:
    """Attributes and their values held by an active, in-stock variant of an active product (of `products` when
    given). 1 query."""
    in_stock = ProductVariant.objects.filter(is_active=True, stock__gt=0, product__is_active=True)
    if products is not None:
        in_stock = in_stock.filter(product__in=products)
    values = list(
        AttributeValue.objects.filter(variants__in=in_stock)
        .select_related("attribute")
        .distinct()
        .order_by("attribute__position", "attribute__name", "position", "id")
    )
    facets: dict[int, AttributeFacet] = {}
    for value in values:
        facet = facets.setdefault(
            value.attribute_id, AttributeFacet(attribute=value.attribute, values=[])
        )
        facet.values.append(value)
    return list(facets.values())


FACETS_CACHE_SECONDS = 300


def attribute_facets_cached(*, version: int) -> list[AttributeFacet]:
    """`attribute_facets` for the whole catalogue, cached under the catalogue version (a write refreshes it)."""
    from django.core.cache import cache

    facets = cache.get_or_set(f"shop:facets:{version}", attribute_facets, FACETS_CACHE_SECONDS)
    return facets or []


def variant_gallery(*, choice: VariantChoice, images: Sequence[ProductImage]) -> list[ProductImage]:
    """The product page's gallery: the chosen option's own picture first, then the product's pictures."""
    own = [choice.picture] if choice.picture is not None else []
    return own + [image for image in images if image not in own]


def product_images(*, product_id: int) -> list[ProductImage]:
    """A product's pictures in gallery order."""
    return list(ProductImage.objects.filter(product_id=product_id).order_by("position", "id"))
