"""Demo catalogue: the category tree, generated products with attributes, prices and descriptions, and their
locally drawn pictures."""

from __future__ import annotations

import io
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import cast

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import DateTimeField, Model
from django.utils import timezone
from django.utils.text import slugify

from shop.demo.data import ADJECTIVES, CATALOGUE, COLOURS, MATERIALS, TAGS
from shop.demo.pictures import DemoPicture, product_pictures
from shop.demo.translations import CATEGORY_NAMES_ZH, product_description_zh, product_name_zh
from shop.models import (
    Category,
    Product,
    ProductImage,
    Tag,
)


@dataclass
class ProductSpec:
    """A generated product before it is saved."""

    product: Product
    leaf: str
    root: str
    tag_names: list[str]
    quality: float  # latent 0..1: drives popularity and ratings
    noun: str = ""  # what it is ("Rain jacket"): variants draw their other colours from it
    image_bytes: bytes = b""
    pictures: list[DemoPicture] = field(default_factory=list)


def _categories() -> tuple[dict[str, Category], dict[str, Category]]:
    roots, leaves = {}, {}
    for position, root_name in enumerate(CATALOGUE, start=1):
        roots[root_name] = Category(
            name=root_name,
            name_zh_hans=CATEGORY_NAMES_ZH.get(root_name),
            slug=slugify(root_name),
            position=position,
            description=f"Everything in {root_name.lower()}.",
            description_zh_hans=f"{CATEGORY_NAMES_ZH[root_name]}，应有尽有。"
            if root_name in CATEGORY_NAMES_ZH
            else None,
        )
    Category.objects.bulk_create(list(roots.values()))
    for root_name, (_colour, _attrs, children) in CATALOGUE.items():
        for index, leaf_name in enumerate(children):
            leaves[leaf_name] = Category(
                name=leaf_name,
                name_zh_hans=CATEGORY_NAMES_ZH.get(leaf_name),
                slug=slugify(leaf_name),
                parent=roots[root_name],
                position=index,
            )
    Category.objects.bulk_create(list(leaves.values()))
    return roots, leaves


def _attributes(rng: random.Random, root: str, kinds: tuple[str, ...]) -> dict:
    attributes: dict = {}
    for kind in kinds:
        if kind == "size":
            sizes = ["XS", "S", "M", "L", "XL", "XXL"]
            start = rng.randint(0, 2)
            attributes["size"] = sizes[start : start + rng.randint(3, 4)]
        elif kind == "shoe_size":
            low = rng.randint(36, 40)
            attributes["size"] = [str(n) for n in range(low, low + rng.randint(4, 7))]
        elif kind == "colour":
            attributes["colour"] = rng.choice(COLOURS)
        elif kind == "material":
            attributes["material"] = rng.choice(MATERIALS.get(root, ("mixed",)))
        elif kind == "connectivity":
            attributes["connectivity"] = rng.choice(["Bluetooth 5.3", "Wi-Fi", "USB-C", "Zigbee"])
        elif kind == "battery":
            attributes["battery_life"] = f"{rng.choice([8, 12, 20, 30, 40])} h"
        elif kind == "weight":
            attributes["weight"] = f"{rng.choice([120, 250, 480, 900, 1500, 2400])} g"
        elif kind == "volume":
            attributes["volume"] = f"{rng.choice([15, 30, 50, 100, 200])} ml"
        elif kind == "skin_type":
            attributes["skin_type"] = rng.choice(["all", "dry", "sensitive", "oily"])
        elif kind == "format":
            attributes["format"] = rng.choice(["A5", "A4", "pocket", "hardback", "paperback"])
    return attributes


def _price(rng: random.Random, low: int, high: int) -> Decimal:
    whole = rng.randint(low, high)
    return Decimal(f"{whole}.{rng.choice(['00', '50', '90', '95', '99'])}")


def _description(rng: random.Random, name: str, leaf: str, attributes: dict) -> str:
    details = []
    if "material" in attributes:
        details.append(f"Made from {attributes['material']}")
    if "colour" in attributes:
        details.append(f"in {attributes['colour']}")
    opening = " ".join(details) + "." if details else ""
    pitch = rng.choice(
        [
            f"A {leaf.lower()} favourite that is built to last and easy to love.",
            "Designed in small batches with attention to every detail.",
            "Our customers keep coming back for this one.",
            "Thoughtfully made for everyday use, at home or on the go.",
            "Simple, honest and well made: nothing you don't need.",
        ]
    )
    care = rng.choice(
        [
            "Easy to care for.",
            "Comes with a two-year guarantee.",
            "Ships in plastic-free packaging.",
            "Free returns within 30 days.",
            "",
        ]
    )
    return f"{name}. {opening} {pitch} {care}".replace("  ", " ").strip()


def draw_picture(
    *, rng: random.Random, colour: tuple[int, int, int], initials: str, shape: int
) -> bytes:
    """A 320x320 JPEG: the category colour, a shape and the product's initials (Pillow only, no network)."""
    from PIL import Image, ImageDraw, ImageFont

    shade = rng.randint(-30, 30)
    background = tuple(max(0, min(255, channel + shade)) for channel in colour)
    image = Image.new("RGB", (320, 320), background)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, channel + 90) for channel in background)
    box = (70, 60, 250, 240)
    if shape == 0:
        draw.ellipse(box, fill=light)
    elif shape == 1:
        draw.rounded_rectangle(box, radius=28, fill=light)
    elif shape == 2:
        draw.polygon([(160, 50), (260, 240), (60, 240)], fill=light)
    else:
        draw.regular_polygon((160, 150, 95), 6, fill=light)
    try:
        font = ImageFont.load_default(size=72)
    except TypeError:  # Pillow without FreeType sizing
        font = ImageFont.load_default()
    draw.text((160, 150), initials, fill=background, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=72)
    return buffer.getvalue()


def generate_products(
    *,
    rng: random.Random,
    count: int,
    leaves: dict[str, Category],
    draw_images: bool = True,
    now=None,
) -> list[ProductSpec]:
    """`count` products spread over the leaf categories (unsaved), with names, attributes, tags and prices."""
    now = now or timezone.now()
    leaf_info = []
    for root_name, (colour, kinds, children) in CATALOGUE.items():
        for leaf_index, (leaf_name, (nouns, price_range)) in enumerate(children.items()):
            leaf_info.append(
                (root_name, colour, kinds, leaf_name, nouns, price_range, leaf_index % 4)
            )
    used_slugs: set[str] = set()
    specs = []
    for index in range(count):
        root, colour, kinds, leaf, nouns, (low, high), shape = leaf_info[index % len(leaf_info)]
        attributes = _attributes(rng, root, kinds)
        noun = rng.choice(nouns)
        adjective = rng.choice(ADJECTIVES)
        name, name_material, name_colour = f"{adjective} {noun}", None, None
        if "material" in attributes and rng.random() < 0.5:
            name_material = attributes["material"]
            name = f"{adjective} {name_material} {noun.lower()}"
        if rng.random() < 0.35 and "colour" in attributes:
            name_colour = attributes["colour"]
            name = f"{name} – {name_colour}"
        base_slug = slugify(name)[:200] or f"product-{index}"
        slug, suffix = base_slug, 2
        while slug in used_slugs:
            slug, suffix = f"{base_slug}-{suffix}", suffix + 1
        used_slugs.add(slug)
        price = _price(rng, low, high)
        stock = 0 if rng.random() < 0.1 else rng.randint(1, 80)
        group_price = (
            (price * Decimal("0.8")).quantize(Decimal("0.01")) if rng.random() < 0.25 else None
        )
        tag_names = rng.sample(TAGS, rng.randint(1, 4))
        product = Product(
            category=leaves[leaf],
            name=name,
            slug=slug,
            description=_description(rng, name, leaf, attributes),
            price=price,
            group_price=group_price,
            stock=stock,
            attributes=attributes,
        )
        # Four products in five get a Chinese name and description; the fifth shows the English fallback.
        name_zh = product_name_zh(
            adjective=adjective, noun=noun, material=name_material, colour=name_colour
        )
        if name_zh and index % 5 != 4:
            product.name_zh_hans = name_zh
            product.description_zh_hans = product_description_zh(
                name_zh=name_zh,
                leaf=leaf,
                material=attributes.get("material"),
                colour=attributes.get("colour"),
            )
        product.created_at = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
        spec = ProductSpec(
            product=product,
            leaf=leaf,
            root=root,
            tag_names=tag_names,
            quality=rng.betavariate(4, 2),
            noun=noun,
        )
        if draw_images:
            rng.randint(-30, 30)  # what draw_picture drew: keeps every later choice as it was
            colour_name = attributes.get("colour")
            spec.pictures = product_pictures(name=name, noun=noun, root=root, colour=colour_name)
        specs.append(spec)
    return specs


@contextmanager
def keep_given_timestamps(*fields_by_model: tuple[type[Model], str]) -> Iterator[None]:
    """Let bulk_create store the (back-dated) `created_at` we set instead of `auto_now_add`'s "now"."""
    fields = [cast(DateTimeField, model._meta.get_field(name)) for model, name in fields_by_model]
    saved = [item.auto_now_add for item in fields]
    for item in fields:
        item.auto_now_add = False
    try:
        yield
    finally:
        for item, value in zip(fields, saved, strict=True):
            item.auto_now_add = value


def save_products(
    specs: list[ProductSpec], *, image_pool: list[str] | None = None
) -> list[Product]:
    """Bulk-save products, their tags and their pictures (in the default storage, products/demo/)."""
    tags = {name: Tag(name=name, slug=slugify(name)) for spec in specs for name in spec.tag_names}
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=list(tags))}
    Tag.objects.bulk_create([tag for name, tag in tags.items() if name not in existing])
    tag_ids = dict(Tag.objects.filter(name__in=list(tags)).values_list("name", "id"))
    with keep_given_timestamps((Product, "created_at")):
        products = Product.objects.bulk_create([spec.product for spec in specs], batch_size=1000)
    through = Product.tags.through
    through.objects.bulk_create(
        [
            through(product_id=spec.product.id, tag_id=tag_ids[name])
            for spec in specs
            for name in spec.tag_names
        ],
        batch_size=2000,
    )
    images: list[ProductImage] = []
    for index, spec in enumerate(specs):
        if spec.pictures:
            images.extend(
                ProductImage(
                    product=spec.product,
                    image=p.name,
                    alt_text=p.alt_text,
                    position=i,
                    width=p.width,
                    height=p.height,
                    renditions=list(p.renditions),
                )
                for i, p in enumerate(spec.pictures)
            )
            continue
        if spec.image_bytes:
            # Through the storage API, so the picture lands in the shared store every node reads.
            name = default_storage.save(
                f"products/demo/{spec.product.slug}.jpg", ContentFile(spec.image_bytes)
            )
        elif image_pool:
            name = image_pool[index % len(image_pool)]
        else:
            continue
        images.append(
            ProductImage(
                product=spec.product, image=name, alt_text=f"Picture of {spec.product.name}"
            )
        )
    ProductImage.objects.bulk_create(images, batch_size=2000)
    return products
