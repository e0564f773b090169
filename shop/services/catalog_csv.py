"""Catalogue CSV: the file format and the first half of an import, reading and checking the rows (no database
writes here; `shop.services.catalog_import` checks them against the database and stores them).

One row per variant: products, their variants, categories (by slug), tags and pictures (by file name).

Every row is checked first and every problem is reported with its line number (the header is line 1): wrong or
missing columns, text that is not UTF-8 (or UTF-16 with a byte-order mark), bad numbers, duplicate SKUs, SKUs of
another product, unknown categories, pictures that cannot be found, rows of one product that disagree. By default
the import is all-or-nothing: one bad row and nothing stored changes. With `partial=True` the products whose rows
are all good are stored and the rest reported. Writes are bulk (a 10,000-product, 50,000-variant file is a
handful of statements per table), in one transaction; `Product.stock` ends as the sum of the active variants.

The columns are `CSV_COLUMNS` (the export writes the same, so an export imports back unchanged).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _

from shop.models import Attribute
from shop.selectors.catalog_export import CSV_COLUMNS, LIST_SEPARATOR

__all__ = [
    "CSV_COLUMNS",
    "IMPORT_IMAGE_FOLDER",
    "CatalogImportReport",
    "ParsedProduct",
    "ParsedVariant",
    "RowError",
    "RowErrors",
    "csv_decode",
    "csv_parse",
]

REQUIRED_COLUMNS = ("product_slug", "product_name", "category", "price", "sku")
PRODUCT_COLUMNS = (
    "product_name",
    "category",
    "description",
    "price",
    "group_price",
    "product_active",
    "tags",
    "images",
)
# Pictures named in a file are looked for here in the default storage when no folder is given.
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".gif"}
IMPORT_IMAGE_FOLDER = "products/import"
MAX_PRICE = Decimal("99999999.99")
MAX_STOCK = 1_000_000
MAX_ERRORS = 200
BATCH = 2000
_TRUE = {"1", "true", "yes", "y", ""}
_FALSE = {"0", "false", "no", "n"}
ATTRIBUTE_KINDS = {
    "size": Attribute.Kind.SIZE,
    "shoe size": Attribute.Kind.SIZE,
    "colour": Attribute.Kind.COLOUR,
    "color": Attribute.Kind.COLOUR,
    "material": Attribute.Kind.MATERIAL,
}


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("line %(line)d") % {"line": self.line}
        return (
            f"{where}, {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class CatalogImportReport:
    """What an import did (or would do): counts, and the row errors with line numbers."""

    rows: int = 0
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    images_added: int = 0
    errors: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False
    applied: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ParsedVariant:
    line: int
    sku: str
    options: list[tuple[str, str]]
    price: Decimal | None
    stock: int
    active: bool
    images: list[str]


@dataclass
class ParsedProduct:
    line: int
    slug: str
    values: dict[str, str]
    name: str = ""
    category_id: int = 0
    description: str = ""
    price: Decimal = Decimal("0")
    group_price: Decimal | None = None
    active: bool = True
    tags: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    variants: list[ParsedVariant] = field(default_factory=list)
    bad: bool = False


class RowErrors:
    """Collects errors; remembers which products they spoil."""

    def __init__(self, report: CatalogImportReport) -> None:
        self.report = report

    def add(
        self, line: int, column: str, message: str, product: ParsedProduct | None = None
    ) -> None:
        if product is not None:
            product.bad = True
        if len(self.report.errors) < MAX_ERRORS:
            self.report.errors.append(RowError(line=line, column=column, message=str(message)))
        else:
            self.report.errors_truncated = True


def csv_decode(data: bytes, errors: RowErrors) -> str | None:
    """The file's text: UTF-8 (with or without a byte order mark), or UTF-16/UTF-32 with one. Anything else is a
    row report on the line where reading stopped (line 1 for a wide encoding without its mark)."""
    # UTF-32's little-endian mark starts with UTF-16's: look for the longer one first.
    for marks, encoding in (
        ((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"), "utf-32"),
        ((b"\xff\xfe", b"\xfe\xff"), "utf-16"),
    ):
        if data.startswith(marks):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                errors.add(
                    1,
                    "",
                    _("The file is not readable %(encoding)s text; save it as UTF-8 CSV.")
                    % {"encoding": encoding.upper()},
                )
                return None
    if b"\x00" in data[:4]:
        errors.add(
            1,
            "",
            _(
                "The file looks like UTF-16 or UTF-32 text without a byte order mark; "
                "save it as UTF-8 CSV."
            ),
        )
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.add(
            line,
            "",
            _("The file is not UTF-8 text (byte %(byte)d); save it as UTF-8 CSV.")
            % {"byte": exc.start + 1},
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        errors.add(line, "", _("The file holds a NUL character; save it as UTF-8 CSV."))
        return None
    return text


def _decimal(
    raw: str, *, line: int, column: str, errors: RowErrors, product: ParsedProduct
) -> Decimal:
    try:
        value = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > MAX_PRICE:
        errors.add(line, column, _("%(value)r is not a price.") % {"value": raw}, product)
        return Decimal("0")
    if value != value.quantize(Decimal("0.01")):
        errors.add(line, column, _("A price has at most two decimals."), product)
    return value.quantize(Decimal("0.01"))


def _flag(raw: str, *, line: int, column: str, errors: RowErrors, product: ParsedProduct) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    errors.add(line, column, _("Write yes or no, not %(value)r.") % {"value": raw}, product)
    return True


def _names(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(LIST_SEPARATOR) if part.strip()]


def _options(
    raw: str, *, line: int, errors: RowErrors, product: ParsedProduct
) -> list[tuple[str, str]]:
    options: list[tuple[str, str]] = []
    for part in _names(raw):
        name, sep, value = part.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value or len(name) > 60 or len(value) > 60:
            errors.add(
                line,
                "options",
                _("Write options as Name=Value|Name=Value, not %(value)r.") % {"value": part},
                product,
            )
            continue
        if any(slugify(name) == slugify(seen) for seen, _value in options):
            errors.add(line, "options", _("%(name)s is given twice.") % {"name": name}, product)
            continue
        options.append((name, value))
    return options


def csv_parse(text: str, errors: RowErrors, categories: dict[str, int]) -> dict[str, ParsedProduct]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except StopIteration:
        errors.add(1, "", _("The file is empty."))
        return {}
    except csv.Error as exc:
        errors.add(1, "", _("This is not a CSV file: %(error)s") % {"error": exc})
        return {}
    unknown = [column for column in header if column not in CSV_COLUMNS]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if unknown or missing or duplicated:
        for column in unknown:
            errors.add(
                1,
                column,
                _("Unknown column; the columns are: %(columns)s.")
                % {"columns": ", ".join(CSV_COLUMNS)},
            )
        for column in missing:
            errors.add(1, column, _("This column is missing."))
        for column in duplicated:
            errors.add(1, column, _("This column appears twice."))
        return {}
    products: dict[str, ParsedProduct] = {}
    skus: dict[str, int] = {}
    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            errors.report.rows += 1
            if len(row) != len(header):
                errors.add(
                    line,
                    "",
                    _("Expected %(expected)d fields, found %(found)d.")
                    % {"expected": len(header), "found": len(row)},
                )
                slug = row[0].strip() if row and header[0] == "product_slug" else ""
                if slug in products:
                    products[slug].bad = True
                continue
            values = dict(zip(header, row, strict=True))
            _parse_row(line, values, products, skus, categories, errors)
    except csv.Error as exc:
        errors.add(line + 1, "", _("This is not a CSV file: %(error)s") % {"error": exc})
    return products


def _parse_row(
    line: int,
    values: dict[str, str],
    products: dict[str, ParsedProduct],
    skus: dict[str, int],
    categories: dict[str, int],
    errors: RowErrors,
) -> None:
    slug = values["product_slug"].strip()
    if not slug or slugify(slug) != slug or len(slug) > 220:
        errors.add(
            line,
            "product_slug",
            _("%(value)r is not a slug (lower-case letters, digits and dashes).") % {"value": slug},
        )
        return
    product = products.get(slug)
    if product is None:
        product = products[slug] = ParsedProduct(line=line, slug=slug, values=values)
        _parse_product(product, errors, categories)
    else:
        for column in PRODUCT_COLUMNS:
            if (
                column in values
                and values[column].strip()
                and (values[column].strip() != product.values.get(column, "").strip())
            ):
                errors.add(
                    line,
                    column,
                    _("Differs from line %(first)d of the same product.") % {"first": product.line},
                    product,
                )
    sku = values["sku"].strip()
    if not sku or len(sku) > 64:
        errors.add(line, "sku", _("Enter a SKU of 1 to 64 characters."), product)
        return
    first = skus.get(sku.lower())
    if first is not None:
        errors.add(
            line,
            "sku",
            _("SKU %(sku)s is already on line %(first)d.") % {"sku": sku, "first": first},
            product,
        )
        return
    skus[sku.lower()] = line
    raw_price = values.get("variant_price", "").strip()
    raw_stock = values.get("stock", "").strip() or "0"
    try:
        stock = int(raw_stock)
    except ValueError:
        stock = -1
    if not 0 <= stock <= MAX_STOCK:
        errors.add(
            line,
            "stock",
            _("%(value)r is not a whole number from 0 to 1,000,000.") % {"value": raw_stock},
            product,
        )
        stock = 0
    product.variants.append(
        ParsedVariant(
            line=line,
            sku=sku,
            options=_options(values.get("options", ""), line=line, errors=errors, product=product),
            price=_decimal(
                raw_price, line=line, column="variant_price", errors=errors, product=product
            )
            if raw_price
            else None,
            stock=stock,
            active=_flag(
                values.get("variant_active", ""),
                line=line,
                column="variant_active",
                errors=errors,
                product=product,
            ),
            images=_names(values.get("variant_images", "")),
        )
    )
    unknown_pictures = [name for name in product.variants[-1].images if name not in product.images]
    if unknown_pictures:
        errors.add(
            line,
            "variant_images",
            _("%(names)s must also be listed in the product's images.")
            % {"names": ", ".join(unknown_pictures)},
            product,
        )


def _parse_product(product: ParsedProduct, errors: RowErrors, categories: dict[str, int]) -> None:
    values, line = product.values, product.line
    product.name = values["product_name"].strip()
    if not product.name or len(product.name) > 200:
        errors.add(line, "product_name", _("Enter a name of 1 to 200 characters."), product)
    category = values["category"].strip()
    if category not in categories:
        errors.add(
            line,
            "category",
            _("Unknown category %(slug)r (use a category slug).") % {"slug": category},
            product,
        )
    else:
        product.category_id = categories[category]
    product.description = values.get("description", "").strip()
    product.price = _decimal(
        values["price"], line=line, column="price", errors=errors, product=product
    )
    raw_group = values.get("group_price", "").strip()
    if raw_group:
        product.group_price = _decimal(
            raw_group, line=line, column="group_price", errors=errors, product=product
        )
    product.active = _flag(
        values.get("product_active", ""),
        line=line,
        column="product_active",
        errors=errors,
        product=product,
    )
    product.tags = _names(values.get("tags", ""))
    for tag in product.tags:
        if len(tag) > 60 or not slugify(tag):
            errors.add(line, "tags", _("%(tag)r is not a usable tag.") % {"tag": tag}, product)
    product.images = _names(values.get("images", ""))
    for name in product.images:
        if Path(name).name != name or Path(name).suffix.lower() not in IMAGE_EXTENSIONS:
            errors.add(
                line,
                "images",
                _("%(name)r is not a picture's file name.") % {"name": name},
                product,
            )
