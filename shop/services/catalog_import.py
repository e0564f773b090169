"""Catalogue CSV import, second half: check the parsed rows against the database (SKUs of another product,
pictures that cannot be found), then store everything in one transaction with bulk statements.

All-or-nothing by default: any error and nothing is written. `partial=True` stores the products whose rows are all
good. Products and variants are matched by slug and SKU (created or updated, never deleted); a product's tags are
replaced by the file's; pictures are added by file name (from `images_dir`, else from `IMPORT_IMAGE_FOLDER` in the
default storage), never removed. A product that gets variants with options retires its default variant.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, cast

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Field, Model, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext as _

from common.bulk import rows_copy
from shop.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductImage,
    ProductVariant,
    Tag,
)
from shop.services.catalog import catalogue_changed, product_refresh_search_vector
from shop.services.catalog_csv import (
    ATTRIBUTE_KINDS,
    BATCH,
    IMPORT_IMAGE_FOLDER,
    CatalogImportReport,
    ParsedProduct,
    RowErrors,
    csv_decode,
    csv_parse,
)
from shop.services.stock import DEFAULT_SKU

__all__ = ["catalog_import"]

logger = logging.getLogger(__name__)
LOOKUP_CHUNK = 5000


def _chunks(items: Sequence, size: int = LOOKUP_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _update_rows(model: type[Model], fields: list[str], rows: Sequence[Model]) -> None:
    """Write `fields` of existing rows. On PostgreSQL one `UPDATE ... FROM (VALUES ...)` per batch: Django's
    `bulk_update` builds a CASE per column and row, which was 20x slower than the insert on a re-import."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_update(rows, fields, batch_size=1000)
        return
    pk = model._meta.pk
    assert pk is not None
    columns = [cast(Field, model._meta.get_field(name)) for name in fields]
    names = [pk.column, *(column.column for column in columns)]
    # cast_db_type: "varchar(200)", "numeric(10, 2)"... (not in the type stubs)
    types = [
        pk.cast_db_type(connection),  # type: ignore[attr-defined]
        *(c.cast_db_type(connection) for c in columns),  # type: ignore[attr-defined]
    ]
    row_sql = "(" + ", ".join(f"%s::{kind}" for kind in types) + ")"
    assignments = ", ".join(f'"{name}" = v."{name}"' for name in names[1:])
    aliases = ", ".join(f'"{name}"' for name in names)
    with connection.cursor() as cursor:
        for batch in _chunks(rows, BATCH):
            params: list = []
            for row in batch:
                params.append(row.pk)
                params.extend(
                    column.get_db_prep_save(getattr(row, column.attname), connection)
                    for column in columns
                )
            cursor.execute(
                f'UPDATE "{model._meta.db_table}" AS t SET {assignments} '  # noqa: S608 - names from the model
                f"FROM (VALUES {', '.join([row_sql] * len(batch))}) AS v({aliases}) "
                f'WHERE t."{pk.column}" = v."{pk.column}"',
                params,
            )


def catalog_import(
    *,
    data: bytes,
    images_dir: Path | None = None,
    partial: bool = False,
    dry_run: bool = False,
) -> CatalogImportReport:
    """Check and (unless `dry_run`) store a catalogue CSV; the report lists every problem by line."""
    report = CatalogImportReport(dry_run=dry_run)
    errors = RowErrors(report)
    text = csv_decode(data, errors)
    if text is None:
        return report
    categories = dict(Category.objects.values_list("slug", "id"))
    products = csv_parse(text, errors, categories)
    if not products:
        report.errors.sort(key=lambda error: error.line)
        return report
    existing_products = _existing_products(list(products))
    _check_skus(products, existing_products, errors)
    sources = _check_pictures(products, existing_products, images_dir, errors)
    report.errors.sort(key=lambda error: error.line)
    good = [product for product in products.values() if not product.bad]
    if dry_run or not good or (report.errors and not partial):
        return report
    with transaction.atomic():
        _store(good, existing_products, sources, report)
    report.applied = True
    catalogue_changed()
    logger.info(
        "catalogue import: %d products created, %d updated; %d variants created, %d updated",
        report.products_created,
        report.products_updated,
        report.variants_created,
        report.variants_updated,
    )
    return report


def _existing_products(slugs: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(slugs):
        found.update(Product.objects.filter(slug__in=chunk).values_list("slug", "id"))
    return found


def _check_skus(
    products: dict[str, ParsedProduct], existing: dict[str, int], errors: RowErrors
) -> None:
    wanted = {variant.sku: product for product in products.values() for variant in product.variants}
    owners: dict[str, int] = {}
    for chunk in _chunks(list(wanted)):
        owners.update(ProductVariant.objects.filter(sku__in=chunk).values_list("sku", "product_id"))
    for sku, owner in owners.items():
        product = wanted[sku]
        if existing.get(product.slug) != owner:
            line = next(v.line for v in product.variants if v.sku == sku)
            errors.add(
                line,
                "sku",
                _("SKU %(sku)s belongs to another product.") % {"sku": sku},
                product,
            )


def _check_pictures(
    products: dict[str, ParsedProduct],
    existing: dict[str, int],
    images_dir: Path | None,
    errors: RowErrors,
) -> dict[str, str]:
    """Where each new picture comes from: file name -> a path in `images_dir` or a stored name."""
    have: set[tuple[int, str]] = set()
    product_ids = [existing[p.slug] for p in products.values() if p.images and p.slug in existing]
    for chunk in _chunks(product_ids):
        for product_id, name in ProductImage.objects.filter(product_id__in=chunk).values_list(
            "product_id", "image"
        ):
            have.add((product_id, Path(name).name))
    sources: dict[str, str] = {}
    missing: dict[str, bool] = {}
    for product in products.values():
        product_id = existing.get(product.slug, 0)
        for name in product.images:
            if (product_id, name) in have or name in sources:
                continue
            if name not in missing:
                source = _picture_source(name, images_dir)
                missing[name] = source is None
                if source is not None:
                    sources[name] = source
            if missing[name]:
                errors.add(
                    product.line,
                    "images",
                    _("Picture %(name)s was not found.") % {"name": name},
                    product,
                )
    return sources


def _picture_source(name: str, images_dir: Path | None) -> str | None:
    if images_dir is not None:
        path = images_dir / name
        return str(path) if path.is_file() else None
    stored = f"{IMPORT_IMAGE_FOLDER}/{name}"
    return stored if default_storage.exists(stored) else None


def _store(
    products: list[ParsedProduct],
    existing: dict[str, int],
    sources: dict[str, str],
    report: CatalogImportReport,
) -> None:
    tag_ids = _tags({tag for product in products for tag in product.tags})
    value_ids, names = _attribute_values(products)
    ids = _products(products, existing, report)
    through = Product.tags.through
    touched = list(ids.values())
    for chunk in _chunks(touched):
        through.objects.filter(product_id__in=chunk).delete()
    rows_copy(
        through,
        [
            through(product_id=ids[product.slug], tag_id=tag_id)
            for product in products
            for tag_id in dict.fromkeys(tag_ids[slugify(tag)] for tag in product.tags)
        ],
    )
    pictures = _pictures(products, ids, sources, report)
    _variants(products, ids, value_ids, names, pictures, report)
    _retire_defaults(products, ids)
    for chunk in _chunks(touched):
        total = (
            ProductVariant.objects.filter(product_id=OuterRef("pk"), is_active=True)
            .values("product_id")
            .annotate(total=Sum("stock"))
            .values("total")
        )
        Product.objects.filter(id__in=chunk).update(stock=Coalesce(Subquery(total), 0))
    product_refresh_search_vector(touched)


def _tags(names: set[str]) -> dict[str, int]:
    by_slug = {slugify(name)[:80]: name[:60] for name in names}
    have = dict(Tag.objects.filter(slug__in=list(by_slug)).values_list("slug", "id"))
    taken = set(Tag.objects.filter(name__in=list(by_slug.values())).values_list("name", flat=True))
    Tag.objects.bulk_create(
        [
            Tag(name=name if name not in taken else f"{name} ({slug})"[:60], slug=slug)
            for slug, name in by_slug.items()
            if slug not in have
        ]
    )
    return dict(Tag.objects.filter(slug__in=list(by_slug)).values_list("slug", "id"))


def _attribute_values(
    products: list[ParsedProduct],
) -> tuple[dict[tuple[str, str], int], dict[int, tuple[int, int, str]]]:
    """(attribute slug, value slug) -> value id, and value id -> (attribute position, value position, label),
    creating attributes and values the file names for the first time (in the file's order)."""
    wanted: dict[str, tuple[str, list[str]]] = {}
    for product in products:
        for variant in product.variants:
            for name, value in variant.options:
                slug = slugify(name)[:80]
                entry = wanted.setdefault(slug, (name, []))
                if value not in entry[1]:
                    entry[1].append(value)
    attributes = {a.slug: a for a in Attribute.objects.filter(slug__in=list(wanted))}
    next_position = (max(Attribute.objects.values_list("position", flat=True), default=0)) + 1
    new_attributes = []
    for slug, (name, _values) in wanted.items():
        if slug not in attributes:
            kind = ATTRIBUTE_KINDS.get(name.strip().lower(), Attribute.Kind.OTHER)
            new_attributes.append(
                Attribute(name=name[:60], slug=slug, kind=kind, position=next_position)
            )
            next_position += 1
    Attribute.objects.bulk_create(new_attributes)
    attributes = {a.slug: a for a in Attribute.objects.filter(slug__in=list(wanted))}
    values: dict[tuple[int, str], AttributeValue] = {
        (v.attribute_id, v.slug): v
        for v in AttributeValue.objects.filter(attribute__in=list(attributes.values()))
    }
    positions: dict[int, int] = defaultdict(int)
    for known in values.values():
        positions[known.attribute_id] = max(positions[known.attribute_id], known.position + 1)
    new_values: list[AttributeValue] = []
    for slug, (_name, labels) in wanted.items():
        attribute = attributes[slug]
        for label in labels:
            value_slug = slugify(label)[:80] or label.lower()[:80]
            if (attribute.id, value_slug) not in values:
                created = AttributeValue(
                    attribute=attribute,
                    value=label[:60],
                    slug=value_slug,
                    position=positions[attribute.id],
                )
                positions[attribute.id] += 1
                values[(attribute.id, value_slug)] = created
                new_values.append(created)
    AttributeValue.objects.bulk_create(new_values, batch_size=BATCH)
    by_id = {attribute.id: attribute for attribute in attributes.values()}
    ids: dict[tuple[str, str], int] = {}
    names: dict[int, tuple[int, int, str]] = {}
    for stored in AttributeValue.objects.filter(attribute__in=list(attributes.values())):
        attribute = by_id[stored.attribute_id]
        ids[(attribute.slug, stored.slug)] = stored.id
        names[stored.id] = (attribute.position, stored.position, stored.value)
    return ids, names


def _products(
    products: list[ParsedProduct], existing: dict[str, int], report: CatalogImportReport
) -> dict[str, int]:
    fields = ["name", "category_id", "description", "price", "group_price", "is_active"]

    def values(product: ParsedProduct) -> dict:
        return {
            "name": product.name,
            "category_id": product.category_id,
            "description": product.description,
            "price": product.price,
            "group_price": product.group_price,
            "is_active": product.active,
        }

    new = [Product(slug=p.slug, **values(p)) for p in products if p.slug not in existing]
    rows_copy(Product, new)
    report.products_created = len(new)
    updates = {p.slug: p for p in products if p.slug in existing}
    for chunk in _chunks(list(updates)):
        rows = list(Product.objects.filter(slug__in=chunk))
        for row in rows:
            for name, value in values(updates[row.slug]).items():
                setattr(row, name, value)
        _update_rows(Product, fields, rows)
    report.products_updated = len(updates)
    ids: dict[str, int] = {}
    for chunk in _chunks([product.slug for product in new]):
        ids.update(Product.objects.filter(slug__in=chunk).values_list("slug", "id"))
    ids.update({slug: existing[slug] for slug in updates})
    return ids


def _pictures(
    products: list[ParsedProduct],
    ids: dict[str, int],
    sources: dict[str, str],
    report: CatalogImportReport,
) -> dict[tuple[int, str], int]:
    """(product id, file name) -> picture id, adding the pictures the file names for the first time."""
    product_ids = [ids[p.slug] for p in products if p.images]
    have: dict[tuple[int, str], int] = {}
    counts: dict[int, int] = defaultdict(int)
    for chunk in _chunks(product_ids):
        for picture_id, product_id, name in ProductImage.objects.filter(
            product_id__in=chunk
        ).values_list("id", "product_id", "image"):
            have[(product_id, Path(name).name)] = picture_id
            counts[product_id] += 1
    stored: dict[str, str] = {}
    new = []
    for product in products:
        product_id = ids[product.slug]
        for name in product.images:
            if (product_id, name) in have:
                continue
            if name not in stored:
                stored[name] = _store_picture(name, sources[name])
            new.append(
                ProductImage(
                    product_id=product_id,
                    image=stored[name],
                    alt_text=product.name[:200],
                    position=counts[product_id],
                )
            )
            counts[product_id] += 1
    ProductImage.objects.bulk_create(new, batch_size=BATCH)
    report.images_added = len(new)
    for picture in new:
        have[(picture.product_id, Path(picture.image.name).name)] = picture.id
    return have


def _store_picture(name: str, source: str) -> str:
    if source.startswith(f"{IMPORT_IMAGE_FOLDER}/"):
        return source  # already in the storage
    with open(source, "rb") as handle:
        return default_storage.save(f"{IMPORT_IMAGE_FOLDER}/{name}", File(handle, name=name))


def _variants(
    products: list[ParsedProduct],
    ids: dict[str, int],
    value_ids: dict[tuple[str, str], int],
    names: dict[int, tuple[int, int, str]],
    pictures: dict[tuple[int, str], int],
    report: CatalogImportReport,
) -> None:
    skus = [variant.sku for product in products for variant in product.variants]
    have: dict[str, ProductVariant] = {}
    for chunk in _chunks(skus):
        have.update((v.sku, v) for v in ProductVariant.objects.filter(sku__in=chunk))
    new: list[ProductVariant] = []
    changed: list[ProductVariant] = []
    wanted_values: dict[str, list[int]] = {}
    wanted_pictures: dict[str, list[int]] = {}
    for product in products:
        product_id = ids[product.slug]
        for position, parsed in enumerate(product.variants):
            value_list = [
                value_ids[(slugify(name)[:80], slugify(value)[:80] or value.lower()[:80])]
                for name, value in parsed.options
            ]
            label = " / ".join(names[v][2] for v in sorted(value_list, key=lambda v: names[v]))
            variant = have.get(parsed.sku) or ProductVariant(sku=parsed.sku, product_id=product_id)
            variant.name = label[:200]
            variant.price = parsed.price
            variant.stock = parsed.stock
            variant.is_active = parsed.active
            variant.position = position
            (changed if variant.pk else new).append(variant)
            wanted_values[parsed.sku] = value_list
            wanted_pictures[parsed.sku] = [pictures[(product_id, name)] for name in parsed.images]
    rows_copy(ProductVariant, new)
    _update_rows(ProductVariant, ["name", "price", "stock", "is_active", "position"], changed)
    report.variants_created, report.variants_updated = len(new), len(changed)
    variant_ids = {variant.sku: variant.id for variant in changed}
    for chunk in _chunks([variant.sku for variant in new]):
        variant_ids.update(ProductVariant.objects.filter(sku__in=chunk).values_list("sku", "id"))
    relations: list[tuple[Any, dict[str, list[int]], str]] = [
        (ProductVariant.values.through, wanted_values, "attributevalue_id"),
        (ProductVariant.images.through, wanted_pictures, "productimage_id"),
    ]
    for relation, wanted, column in relations:
        for chunk in _chunks([variant.id for variant in changed]):
            relation.objects.filter(productvariant_id__in=chunk).delete()
        rows_copy(
            relation,
            [
                relation(productvariant_id=variant_ids[sku], **{column: target})
                for sku, targets in wanted.items()
                for target in dict.fromkeys(targets)
            ],
        )


def _retire_defaults(products: list[ParsedProduct], ids: dict[str, int]) -> None:
    """A product given variants with options no longer sells its valueless default variant."""
    with_options = {
        ids[p.slug]: p for p in products if any(variant.options for variant in p.variants)
    }
    default_skus = [DEFAULT_SKU.format(id=product_id) for product_id in with_options]
    in_file = {v.sku for p in with_options.values() for v in p.variants}
    for chunk in _chunks(default_skus):
        ProductVariant.objects.filter(
            sku__in=[sku for sku in chunk if sku not in in_file],
            product_id__in=list(with_options),
            values__isnull=True,
        ).update(is_active=False)
