"""Catalogue CSV import and export: a good file creates products and variants, an export imports back unchanged,
and every kind of malformed file is reported by line while nothing stored changes."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from shop import selectors, services
from shop.models import Product, ProductImage, ProductVariant, Tag
from tests.factories import CategoryFactory, ProductFactory, jpeg_bytes

pytestmark = pytest.mark.django_db

HEADER = ",".join(services.CSV_COLUMNS)


def row(**values: str) -> str:
    base = {
        "product_slug": "field-tee",
        "product_name": "Field tee",
        "category": "tops",
        "description": "Soft.",
        "price": "20.00",
        "group_price": "",
        "product_active": "yes",
        "tags": "eco|summer",
        "images": "",
        "sku": "TEE-S",
        "options": "Size=S|Colour=Navy",
        "variant_price": "",
        "stock": "3",
        "variant_active": "yes",
        "variant_images": "",
    }
    base.update(values)
    return ",".join(base[column] for column in services.CSV_COLUMNS)


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


@pytest.fixture
def tops():
    return CategoryFactory(name="Tops", slug="tops")


def snapshot() -> tuple:
    return (
        list(Product.objects.order_by("id").values_list("slug", "name", "price", "stock")),
        list(ProductVariant.objects.order_by("id").values_list("sku", "stock", "is_active")),
        Tag.objects.count(),
    )


def test_a_good_file_creates_products_variants_and_tags(tops):
    report = services.catalog_import(
        data=csv_bytes(
            row(),
            row(sku="TEE-M", options="Size=M|Colour=Navy", stock="0", variant_price="22.50"),
            row(product_slug="cap", product_name="Cap", sku="CAP-1", options="", tags=""),
        )
    )
    assert report.ok
    assert report.applied
    assert (report.products_created, report.variants_created) == (2, 3)
    tee = Product.objects.get(slug="field-tee")
    assert tee.stock == 3
    assert list(tee.variants.values_list("sku", "name", "price")) == [
        ("TEE-S", "S / Navy", None),
        ("TEE-M", "M / Navy", Decimal("22.50")),
    ]
    assert sorted(tee.tags.values_list("name", flat=True)) == ["eco", "summer"]


def test_an_export_imports_back_unchanged(tops):
    services.catalog_import(
        data=csv_bytes(row(), row(sku="TEE-M", options="Size=M|Colour=Navy", stock="7"))
    )
    ProductFactory(category=tops, name="Mug", slug="mug", stock=4)
    first = io.StringIO()
    selectors.catalog_export_csv(first)
    before = snapshot()
    report = services.catalog_import(data=first.getvalue().encode())
    assert report.ok
    assert (report.products_created, report.variants_created) == (0, 0)
    assert snapshot() == before
    second = io.StringIO()
    selectors.catalog_export_csv(second)
    assert second.getvalue() == first.getvalue()


def test_reimport_updates_stock_and_price(tops):
    services.catalog_import(data=csv_bytes(row()))
    services.catalog_import(data=csv_bytes(row(stock="9", price="25.00")))
    product = Product.objects.get(slug="field-tee")
    assert (product.price, product.stock) == (Decimal("25.00"), 9)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([row(price="ten")], "line 2, price: 'ten' is not a price."),
        ([row(price="-1")], "line 2, price: '-1' is not a price."),
        ([row(stock="2.5")], "line 2, stock: '2.5' is not a whole number from 0 to 1,000,000."),
        ([row(), row(sku="TEE-S")], "line 3, sku: SKU TEE-S is already on line 2."),
        (
            [row(category="nope")],
            "line 2, category: Unknown category 'nope' (use a category slug).",
        ),
        (
            [row(options="Size")],
            "line 2, options: Write options as Name=Value|Name=Value, not 'Size'.",
        ),
        (
            [row(), row(sku="TEE-M", product_name="Other")],
            "line 3, product_name: Differs from line 2",
        ),
        ([row(images="tee.jpg")], "line 2, images: Picture tee.jpg was not found."),
        ([row(product_slug="Bad Slug")], "line 2, product_slug: 'Bad Slug' is not a slug"),
        ([row() + ",extra"], "line 2: Expected 15 fields, found 16."),
        ([row(variant_active="maybe")], "line 2, variant_active: Write yes or no, not 'maybe'."),
    ],
)
def test_a_bad_row_is_reported_by_line_and_nothing_changes(tops, rows, expected):
    services.catalog_import(data=csv_bytes(row(product_slug="kept", sku="KEPT-1")))
    before = snapshot()
    report = services.catalog_import(data=csv_bytes(*rows, row(product_slug="new", sku="NEW-1")))
    assert not report.applied
    assert any(str(error).startswith(expected) for error in report.errors), report.errors
    assert snapshot() == before


def test_wrong_columns_are_reported_on_line_one(tops):
    report = services.catalog_import(data=b"slug,name,cost\nx,y,1\n")
    messages = [str(error) for error in report.errors]
    assert "line 1, slug: Unknown column" in messages[0]
    assert "line 1, product_slug: This column is missing." in messages
    assert not Product.objects.exists()


def test_a_latin1_file_is_reported_with_its_line(tops):
    data = csv_bytes(row(), row(product_slug="b", sku="B-1", product_name="Café")).replace(
        "Café".encode(), "Café".encode("latin-1")
    )
    report = services.catalog_import(data=data)
    assert [str(error) for error in report.errors] == [
        f"line 3: The file is not UTF-8 text (byte {data.index(b'Caf') + 4}); save it as UTF-8 CSV."
    ]
    assert not Product.objects.exists()


def test_utf16_with_bom_and_utf8_with_bom_are_read(tops):
    text = "\n".join([HEADER, row(product_name="Tee ☀")]) + "\n"
    assert services.catalog_import(data=text.encode("utf-16")).applied
    assert services.catalog_import(data=b"\xef\xbb\xbf" + text.encode()).ok


def test_utf32_with_a_byte_order_mark_is_read(tops):
    text = "\n".join([HEADER, row(product_name="Tee ☀")]) + "\n"
    assert services.catalog_import(data=text.encode("utf-32")).applied
    assert Product.objects.get().name == "Tee ☀"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_a_wide_encoding_without_its_mark_is_reported_on_line_one(tops, encoding):
    report = services.catalog_import(data=("\n".join([HEADER, row()]) + "\n").encode(encoding))
    assert [str(error) for error in report.errors] == [
        "line 1: The file looks like UTF-16 or UTF-32 text without a byte order mark; "
        "save it as UTF-8 CSV."
    ]
    assert not Product.objects.exists()


@pytest.mark.parametrize("mark", [b"\xef\xbb\xbf", b"\xff\xfe", b"\xff\xfe\x00\x00"])
def test_wrong_columns_behind_a_byte_order_mark_are_reported_on_line_one(tops, mark):
    encoding = {3: "utf-8", 2: "utf-16-le", 4: "utf-32-le"}[len(mark)]
    report = services.catalog_import(data=mark + "slug,name\nx,y\n".encode(encoding))
    messages = [str(error) for error in report.errors]
    assert messages[0].startswith("line 1, slug: Unknown column")
    assert not Product.objects.exists()


def test_a_sku_of_another_product_is_refused(tops):
    services.catalog_import(data=csv_bytes(row()))
    report = services.catalog_import(data=csv_bytes(row(product_slug="other", sku="TEE-S")))
    assert [str(e) for e in report.errors] == ["line 2, sku: SKU TEE-S belongs to another product."]


def test_partial_stores_the_good_products_and_reports_the_rest(tops):
    report = services.catalog_import(
        data=csv_bytes(row(), row(product_slug="bad", sku="BAD-1", price="x")), partial=True
    )
    assert report.applied
    assert len(report.errors) == 1
    assert list(Product.objects.values_list("slug", flat=True)) == ["field-tee"]


def test_dry_run_stores_nothing(tops):
    report = services.catalog_import(data=csv_bytes(row()), dry_run=True)
    assert report.ok
    assert not report.applied
    assert not Product.objects.exists()


def test_pictures_by_file_name_from_a_folder(tops, tmp_path):
    (tmp_path / "tee.jpg").write_bytes(jpeg_bytes())
    report = services.catalog_import(
        data=csv_bytes(row(images="tee.jpg", variant_images="tee.jpg")), images_dir=tmp_path
    )
    assert report.ok
    assert report.images_added == 1
    picture = ProductImage.objects.get()
    assert list(ProductVariant.objects.get(sku="TEE-S").images.all()) == [picture]
    again = services.catalog_import(data=csv_bytes(row(images="tee.jpg")), images_dir=tmp_path)
    assert again.images_added == 0


def test_an_existing_product_with_options_retires_its_default_variant(tops):
    product = ProductFactory(category=tops, slug="field-tee", stock=5)
    services.catalog_import(data=csv_bytes(row()))
    assert list(product.variants.filter(is_active=True).values_list("sku", flat=True)) == ["TEE-S"]
    product.refresh_from_db()
    assert product.stock == 3


def test_the_commands_export_and_import(tops, tmp_path, capsys):
    services.catalog_import(data=csv_bytes(row()))
    target = tmp_path / "catalogue.csv"
    call_command("catalog_export", str(target))
    assert "TEE-S" in target.read_text()
    call_command("catalog_import", str(target))
    assert "Imported." in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(row(price="x")))
    with pytest.raises(SystemExit):
        call_command("catalog_import", str(bad))
    assert "line 2, price" in capsys.readouterr().err
