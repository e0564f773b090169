"""Factories for attributes and variants: `variant_product(sizes=..., colours=..., stock=...)` builds a product
with one variant per size and colour through the variant services."""

from __future__ import annotations

from decimal import Decimal

import factory

from shop import services
from shop.models import Attribute, Product, ProductVariant
from tests.factories import ProductFactory

__all__ = ["AttributeFactory", "ProductVariantFactory", "variant_product"]


def variant_product(
    *,
    sizes: tuple[str, ...] = ("S", "M", "L"),
    colours: tuple[str, ...] = ("Navy",),
    stock: int | dict[str, int] = 5,
    prices: dict[str, Decimal] | None = None,
    **product_fields,
) -> tuple[Product, dict[str, ProductVariant]]:
    """A product and its variants keyed by name ("M / Navy"); `stock` is per variant (or per name)."""
    product: Product = ProductFactory(stock=0, default_variant=False, **product_fields)  # type: ignore[assignment]
    size = services.attribute_get_or_create(name="Size", kind=Attribute.Kind.SIZE)
    colour = services.attribute_get_or_create(name="Colour", kind=Attribute.Kind.COLOUR)
    if colour.position <= size.position:
        Attribute.objects.filter(id=colour.id).update(position=size.position + 1)
        colour.refresh_from_db()
    variants: dict[str, ProductVariant] = {}
    for colour_index, colour_name in enumerate(colours):
        for size_index, size_name in enumerate(sizes):
            values = [
                services.attribute_value_get_or_create(
                    attribute=size, value=size_name, position=size_index
                ),
                services.attribute_value_get_or_create(
                    attribute=colour, value=colour_name, position=colour_index
                ),
            ]
            name = services.variant_name_for(values)
            units = stock.get(name, 0) if isinstance(stock, dict) else stock
            variants[name] = services.variant_create(
                product=product,
                sku=f"{product.slug}-{size_name}-{colour_name}".upper(),
                values=values,
                stock=units,
                price=(prices or {}).get(name),
                position=len(variants),
            )
    product.refresh_from_db()
    return product, variants


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute

    name = factory.Sequence(lambda n: f"Attribute {n}")
    slug = factory.Sequence(lambda n: f"attribute-{n}")
    kind = Attribute.Kind.OTHER


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    stock = 5
