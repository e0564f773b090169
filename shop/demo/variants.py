"""Demo variants: clothing in sizes (XS-XXL) and shoes in EU sizes, each in its colour and, for about half of
them, a second colour with its own pictures; every other product sells through its default variant.

Each product draws from its own generator (seeded by its slug), so the rest of the demo shop stays as it was.
The product's stock is split over its variants, and some sizes are sold out, so the picker, the filters'
"size M in stock" and per-variant back-in-stock alerts all have something to show.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from shop.demo.catalogue import ProductSpec
from shop.demo.data import COLOURS
from shop.demo.pictures import product_pictures
from shop.demo.translations import COLOURS_ZH
from shop.models import Attribute, AttributeValue, ProductImage, ProductVariant
from shop.services import product_stock_sync, variant_default_ensure

__all__ = ["VARIANT_ROOTS", "save_variants"]

VARIANT_ROOTS = ("Clothing", "Shoes")
CLOTHING_SIZES = ("XS", "S", "M", "L", "XL", "XXL")


def _attributes() -> tuple[
    Attribute, Attribute, dict[str, AttributeValue], dict[str, AttributeValue]
]:
    size, _ = Attribute.objects.get_or_create(
        slug="size",
        defaults={
            "name": "Size",
            "name_zh_hans": "尺码",
            "kind": Attribute.Kind.SIZE,
            "position": 1,
        },
    )
    colour, _ = Attribute.objects.get_or_create(
        slug="colour",
        defaults={
            "name": "Colour",
            "name_zh_hans": "颜色",
            "kind": Attribute.Kind.COLOUR,
            "position": 2,
        },
    )
    size_labels = [*CLOTHING_SIZES, *(str(n) for n in range(35, 48))]
    sizes = {
        label: AttributeValue.objects.get_or_create(
            attribute=size, slug=label.lower(), defaults={"value": label, "position": position}
        )[0]
        for position, label in enumerate(size_labels)
    }
    colours = {
        label: AttributeValue.objects.get_or_create(
            attribute=colour,
            slug=label.replace(" ", "-"),
            defaults={
                "value": label.capitalize(),
                "value_zh_hans": COLOURS_ZH.get(label),
                "position": position,
            },
        )[0]
        for position, label in enumerate(COLOURS)
    }
    return size, colour, sizes, colours


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` units over `parts` variants, about a fifth of them sold out."""
    weights = [0.0 if rng.random() < 0.2 else rng.random() + 0.2 for _ in range(parts)]
    if not any(weights):
        weights[0] = 1.0
    scale = sum(weights)
    shares = [int(total * weight / scale) for weight in weights]
    return shares


def save_variants(specs: Sequence[ProductSpec], *, draw_pictures: bool = True) -> int:
    """Give clothing and shoes their size/colour variants; returns how many variants were made."""
    _size, _colour, sizes, colours = _attributes()
    chosen = [spec for spec in specs if spec.root in VARIANT_ROOTS]
    variant_default_ensure(
        product_ids=[spec.product.id for spec in specs if spec.root not in VARIANT_ROOTS]
    )
    variants: list[ProductVariant] = []
    values: list[tuple[ProductVariant, list[AttributeValue]]] = []
    pictures_for: list[tuple[ProductVariant, str]] = []
    new_pictures: list[ProductImage] = []
    colour_pictures: dict[tuple[int, str], ProductImage] = {}
    for spec in chosen:
        product = spec.product
        rng = random.Random(f"variants:{product.slug}")
        size_labels = list(product.attributes.get("size") or CLOTHING_SIZES[1:5])
        first_colour = product.attributes.get("colour") or rng.choice(COLOURS)
        palette = [first_colour]
        if rng.random() < 0.5:
            palette.append(rng.choice([c for c in COLOURS if c != first_colour]))
        stocks = iter(_split(rng, max(product.stock, 0), len(size_labels) * len(palette)))
        for colour_index, colour_name in enumerate(palette):
            if colour_index and draw_pictures and spec.noun:
                shot = product_pictures(
                    name=f"{product.name} in {colour_name}",
                    noun=spec.noun,
                    root=spec.root,
                    colour=colour_name,
                )[0]
                picture = ProductImage(
                    product=product, image=shot.name, alt_text=shot.alt_text[:200], position=10
                )
                new_pictures.append(picture)
                colour_pictures[(product.id, colour_name)] = picture
            for size_label in size_labels:
                if size_label not in sizes:
                    continue
                variant = ProductVariant(
                    product=product,
                    sku=f"{product.slug[:40]}-{colour_name[:10]}-{size_label}".upper().replace(
                        " ", ""
                    ),
                    name=f"{size_label} / {colours[colour_name].value_en}",
                    name_zh_hans=f"{size_label} / {colours[colour_name].value_zh_hans}"
                    if colours[colour_name].value_zh_hans
                    else None,
                    stock=next(stocks, 0),
                    position=len(variants),
                )
                variants.append(variant)
                values.append((variant, [sizes[size_label], colours[colour_name]]))
                pictures_for.append((variant, colour_name))
    ProductVariant.objects.bulk_create(variants, batch_size=2000)
    ProductImage.objects.bulk_create(new_pictures, batch_size=2000)
    through = ProductVariant.values.through
    through.objects.bulk_create(
        [
            through(productvariant_id=variant.id, attributevalue_id=value.id)
            for variant, value_list in values
            for value in value_list
        ],
        batch_size=5000,
    )
    # A second colour shows its own picture; the first colour uses the product's pictures.
    image_through = ProductVariant.images.through
    image_through.objects.bulk_create(
        [
            image_through(productvariant_id=variant.id, productimage_id=picture_or_none.id)
            for variant, colour_name in pictures_for
            if (picture_or_none := colour_pictures.get((variant.product_id, colour_name)))
        ],
        batch_size=5000,
    )
    product_stock_sync(product_ids=[spec.product.id for spec in chosen])
    return len(variants)
