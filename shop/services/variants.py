"""Variant writes: attributes and their values, creating variants, and the merchant's stock edits.

A variant's name ("M / Navy") is derived from its values in attribute order and stored, so pages and order lines
show it without a query. Stock is set only here and in `shop.services.stock`: the bulk edit is optimistic (each
row changes only if its stock is still what the merchant saw), all-or-nothing, keeps `Product.stock` as the sum
of the active variants, and tells shoppers waiting for a variant that came back, after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modeltranslation.utils import build_localized_fieldname

from shop.models import Attribute, AttributeValue, Product, ProductImage, ProductVariant, User
from shop.services.catalog import catalogue_changed, stock_alerts_notify
from shop.services.stock import (
    DEFAULT_SKU,
    product_stock_sync,
    variant_default_ensure,
)

__all__ = [
    "MAX_STOCK",
    "VariantStockChange",
    "attribute_delete",
    "attribute_get_or_create",
    "attribute_save",
    "attribute_value_get_or_create",
    "attribute_values_saved",
    "variant_create",
    "variant_delete",
    "variant_name_for",
    "variant_names_for",
    "variant_restock",
    "variant_save",
    "variant_stock_set",
    "variants_refresh",
]

logger = logging.getLogger(__name__)
MAX_STOCK = 1_000_000


def attribute_get_or_create(*, name: str, kind: str = Attribute.Kind.OTHER) -> Attribute:
    name = (name or "").strip()[:60]
    if not name:
        raise ValidationError(_("An attribute needs a name."))
    slug = slugify(name)[:80] or "attribute"
    attribute, _created = Attribute.objects.get_or_create(
        slug=slug,
        defaults={"name": name, "kind": kind if kind in Attribute.Kind.values else "other"},
    )
    return attribute


def attribute_value_get_or_create(
    *, attribute: Attribute, value: str, position: int | None = None
) -> AttributeValue:
    value = (value or "").strip()[:60]
    if not value:
        raise ValidationError(_("An attribute value cannot be empty."))
    slug = slugify(value)[:80] or value.lower()[:80]
    found = AttributeValue.objects.filter(attribute=attribute, slug=slug).first()
    if found is not None:
        return found
    if position is None:
        position = AttributeValue.objects.filter(attribute=attribute).count()
    return AttributeValue.objects.create(
        attribute=attribute, value=value, slug=slug, position=position
    )


def variant_name_for(values: Iterable[AttributeValue]) -> str:
    """ "M / Navy": the values in attribute order (size before colour when the attributes say so), in the
    active language."""
    ordered = sorted(
        values, key=lambda v: (v.attribute.position, v.attribute.slug, v.position, v.id)
    )
    return " / ".join(value.value for value in ordered)[:200]


def variant_names_for(values: Iterable[AttributeValue]) -> dict[str, str]:
    """`variant_name_for` in every language, as the variant's translated name fields ("name_zh_hans")."""
    listed = list(values)
    names = {}
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names[build_localized_fieldname("name", code)] = variant_name_for(listed)
    return names


@transaction.atomic
def variant_create(
    *,
    product: Product,
    sku: str,
    values: Sequence[AttributeValue] = (),
    stock: int = 0,
    price: Decimal | None = None,
    images: Sequence[ProductImage] = (),
    is_active: bool = True,
    position: int = 0,
) -> ProductVariant:
    """A new variant. The product's valueless default variant (SKU `P-<id>`) is retired once it has real
    options, so the shop never offers "no size" next to S, M, L."""
    sku = (sku or "").strip()
    if not sku or len(sku) > 64:
        raise ValidationError({"sku": _("Enter a SKU of 1 to 64 characters.")})
    if ProductVariant.objects.filter(sku=sku).exists():
        raise ValidationError({"sku": _("The SKU %(sku)s is already used.") % {"sku": sku}})
    if isinstance(stock, bool) or not isinstance(stock, int) or not 0 <= stock <= MAX_STOCK:
        raise ValidationError({"stock": _("Enter a whole number of units from 0 to 1,000,000.")})
    if price is not None and price < 0:
        raise ValidationError({"price": _("A price cannot be negative.")})
    foreign = [image for image in images if image.product_id != product.id]
    if foreign:
        raise ValidationError({"images": _("A variant can only show its own product's pictures.")})
    variant = ProductVariant.objects.create(
        product=product,
        sku=sku,
        name=variant_name_for(values),
        **variant_names_for(values),
        stock=stock,
        price=price,
        is_active=is_active,
        position=position,
    )
    if values:
        variant.values.set(values)
        ProductVariant.objects.filter(
            product=product, sku=DEFAULT_SKU.format(id=product.id), values__isnull=True
        ).exclude(id=variant.id).update(is_active=False)
    if images:
        variant.images.set(images)
    product_stock_sync(product_ids=[product.id])
    catalogue_changed()
    return variant


def variants_refresh(*, product_ids: list[int]) -> None:
    """Re-derive the variants' names from their values and the products' stock from their variants (after an
    admin edit of the variants or their values); a product left without any variant gets its default one."""
    variant_default_ensure(product_ids=product_ids)
    variants = list(
        ProductVariant.objects.filter(product_id__in=product_ids).prefetch_related(
            "values__attribute"
        )
    )
    for variant in variants:
        names = variant_names_for(variant.values.all())
        for field, name in names.items():
            setattr(variant, field, name)
    ProductVariant.objects.bulk_update(variants, ["name", *names_fields()])
    product_stock_sync(product_ids=product_ids)
    catalogue_changed()


@dataclass(frozen=True)
class VariantStockChange:
    """Set a variant's stock to `stock`, provided it still holds `expected` (what the merchant saw)."""

    variant_id: int
    expected: int
    stock: int


def variant_stock_set(
    *, changes: Sequence[VariantStockChange], actor: User | AnonymousUser | None = None
) -> int:
    """The bulk stock edit: all rows or none. A row whose stock moved meanwhile (an order, another edit)
    refuses the whole edit with the SKUs to look at again. Returns how many variants changed."""
    for change in changes:
        if (
            isinstance(change.stock, bool)
            or not isinstance(change.stock, int)
            or not 0 <= change.stock <= MAX_STOCK
        ):
            raise ValidationError(_("Enter a whole number of units from 0 to 1,000,000."))
    changes = [change for change in changes if change.stock != change.expected]
    if not changes:
        return 0
    with transaction.atomic():
        moved = []
        for change in sorted(changes, key=lambda change: change.variant_id):
            updated = ProductVariant.objects.filter(
                id=change.variant_id, stock=change.expected
            ).update(stock=change.stock)
            if updated != 1:
                moved.append(change.variant_id)
        if moved:
            skus = ProductVariant.objects.filter(id__in=moved).values_list("sku", flat=True)
            raise ValidationError(
                _("The stock of %(skus)s changed meanwhile; nothing was saved. Reload and retry.")
                % {"skus": ", ".join(sorted(skus)) or "?"},
                code="conflict",
            )
        ids = [change.variant_id for change in changes]
        product_ids = sorted(
            set(ProductVariant.objects.filter(id__in=ids).values_list("product_id", flat=True))
        )
        product_stock_sync(product_ids=product_ids)
        catalogue_changed()
        back = sorted(
            set(
                ProductVariant.objects.filter(
                    id__in=[c.variant_id for c in changes if c.expected == 0 and c.stock > 0]
                ).values_list("product_id", flat=True)
            )
        )

        def notify() -> None:
            for product_id in back:
                stock_alerts_notify(product_id=product_id)

        transaction.on_commit(notify, robust=True)
    logger.info("stock of %d variants set (actor %s)", len(changes), getattr(actor, "pk", None))
    return len(changes)


def variant_save(*, variant: ProductVariant) -> ProductVariant:
    """Store a variant edited in admin (its stock is not edited there: see `variant_stock_set`)."""
    variant.save()
    variants_refresh(product_ids=[variant.product_id])
    return variant


def variant_delete(*, variants: QuerySet[ProductVariant]) -> int:
    """Delete variants (order lines keep their name and SKU); the products' stock follows."""
    product_ids = sorted(set(variants.values_list("product_id", flat=True)))
    deleted, _rows = variants.delete()
    variants_refresh(product_ids=product_ids)
    return deleted


def variant_restock(
    *, variants: Iterable[ProductVariant], quantity: int, actor: User | AnonymousUser | None = None
) -> int:
    """Add `quantity` units to each variant (the admin's bulk "add N"); waiting shoppers hear after commit."""
    from shop.services.catalog import product_restock

    count = 0
    with transaction.atomic():
        for variant in variants:
            product_restock(
                product=variant.product, quantity=quantity, actor=actor, variant=variant
            )
            count += 1
    return count


def attribute_save(*, attribute: Attribute) -> Attribute:
    attribute.save()
    attribute_values_saved(attribute=attribute)
    return attribute


def attribute_values_saved(*, attribute: Attribute) -> None:
    """After an attribute or its values changed: the variants' names follow, facets refresh."""
    product_ids = sorted(
        set(
            ProductVariant.objects.filter(values__attribute=attribute).values_list(
                "product_id", flat=True
            )
        )
    )
    variants_refresh(product_ids=product_ids)


def attribute_delete(*, attributes: QuerySet[Attribute]) -> int:
    product_ids = sorted(
        set(
            ProductVariant.objects.filter(values__attribute__in=attributes).values_list(
                "product_id", flat=True
            )
        )
    )
    deleted, _rows = attributes.delete()
    variants_refresh(product_ids=product_ids)
    return deleted


def names_fields() -> list[str]:
    """The variant's name column per language."""
    return [build_localized_fieldname("name", code) for code, _label in settings.LANGUAGES]
