"""Catalogue CSV export: every product and variant, one row per variant, in the columns the import reads
(`shop.services.CSV_COLUMNS`), so an export imports back unchanged. Pictures are written by file name.

Reads in chunks of products with a fixed number of queries per chunk, so a large catalogue streams.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from django.http import HttpResponse

from shop.models import Product, ProductImage, ProductVariant

__all__ = ["CSV_COLUMNS", "LIST_SEPARATOR", "catalog_export_csv", "catalog_export_rows"]

# The file format, shared with the import (shop.services.catalog_csv): one row per variant.
CSV_COLUMNS = (
    "product_slug",
    "product_name",
    "category",
    "description",
    "price",
    "group_price",
    "product_active",
    "tags",
    "images",
    "sku",
    "options",
    "variant_price",
    "stock",
    "variant_active",
    "variant_images",
)
LIST_SEPARATOR = "|"

CHUNK = 2000


def _flag(value: bool) -> str:
    return "yes" if value else "no"


def catalog_export_rows() -> Iterator[list[str]]:
    """The header, then one row per variant (a product without variants: one row without a SKU is skipped,
    since every product has at least its default variant)."""
    yield list(CSV_COLUMNS)
    product_ids = list(Product.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(product_ids), CHUNK):
        yield from _chunk_rows(product_ids[start : start + CHUNK])


def _chunk_rows(ids: list[int]) -> Iterator[list[str]]:
    products = list(
        Product.objects.filter(id__in=ids)
        .order_by("id")
        .values(
            "id",
            "slug",
            "name",
            "category__slug",
            "description",
            "price",
            "group_price",
            "is_active",
        )
    )
    tags: dict[int, list[str]] = defaultdict(list)
    for product_id, name in (
        Product.tags.through.objects.filter(product_id__in=ids)
        .order_by("tag__name")
        .values_list("product_id", "tag__name")
    ):
        tags[product_id].append(name)
    pictures: dict[int, list[str]] = defaultdict(list)
    picture_names: dict[int, str] = {}
    for picture_id, product_id, name in (
        ProductImage.objects.filter(product_id__in=ids)
        .order_by("position", "id")
        .values_list("id", "product_id", "image")
    ):
        pictures[product_id].append(Path(name).name)
        picture_names[picture_id] = Path(name).name
    variants: dict[int, list[Any]] = defaultdict(list)
    variant_rows = list(
        ProductVariant.objects.filter(product_id__in=ids)
        .order_by("position", "id")
        .values("id", "product_id", "sku", "price", "stock", "is_active")
    )
    for row in variant_rows:
        variants[row["product_id"]].append(row)
    variant_ids = [row["id"] for row in variant_rows]
    options: dict[int, list[str]] = defaultdict(list)
    for variant_id, attribute, value in (
        ProductVariant.values.through.objects.filter(productvariant_id__in=variant_ids)
        .order_by(
            "attributevalue__attribute__position",
            "attributevalue__attribute__name",
            "attributevalue__position",
        )
        .values_list(
            "productvariant_id", "attributevalue__attribute__name", "attributevalue__value"
        )
    ):
        options[variant_id].append(f"{attribute}={value}")
    variant_pictures: dict[int, list[str]] = defaultdict(list)
    for variant_id, picture_id in ProductVariant.images.through.objects.filter(
        productvariant_id__in=variant_ids
    ).values_list("productvariant_id", "productimage_id"):
        variant_pictures[variant_id].append(picture_names[picture_id])
    for product in products:
        head = [
            product["slug"],
            product["name"],
            product["category__slug"],
            product["description"],
            f"{product['price']:.2f}",
            f"{product['group_price']:.2f}" if product["group_price"] is not None else "",
            _flag(product["is_active"]),
            LIST_SEPARATOR.join(tags[product["id"]]),
            LIST_SEPARATOR.join(pictures[product["id"]]),
        ]
        for variant in variants[product["id"]]:
            yield [
                *head,
                variant["sku"],
                LIST_SEPARATOR.join(options[variant["id"]]),
                f"{variant['price']:.2f}" if variant["price"] is not None else "",
                str(variant["stock"]),
                _flag(variant["is_active"]),
                LIST_SEPARATOR.join(variant_pictures[variant["id"]]),
            ]


def catalog_export_csv(stream: TextIO | HttpResponse) -> int:
    """Write the whole catalogue as CSV to `stream`; returns the number of variant rows."""
    writer = csv.writer(stream)
    count = -1
    for row in catalog_export_rows():
        writer.writerow(row)
        count += 1
    return count
