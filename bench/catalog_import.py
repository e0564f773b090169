"""Catalogue CSV import speed: a 10,000-product, 50,000-variant file (five sizes each, a colour, tags, prices)
imported into a PostgreSQL database of its own, the way `manage.py catalog_import` runs it (read, check every
row, store in one transaction, refresh the search vectors). Target: at most 60 s.

    flock /tmp/socialshop-bench.lock .venv/bin/python bench/catalog_import.py [--runs 3] [--write]

Measured in the same run: the baseline, a bare `bulk_create` of the same products and variants (no checks, no
tags, no options, no stock sums: the least any import could cost), the first import (everything new), a re-import
of the same file (everything updated) and a dry run (checks only). Figures are medians over `--runs`.
Environment: BENCH_PG (server URL, default postgres://postgres@127.0.0.1:5432), BENCH_CATALOG_DB (database name,
default socialshop_catalog_import; dropped and created fresh).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from _load_drivers import database_ensure  # noqa: E402
from _recsys_common import write_section  # noqa: E402

HEADING = "Catalogue CSV import (issue 13)"
PG_SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_CATALOG_DB", "socialshop_catalog_import")
PRODUCTS = int(os.environ.get("BENCH_CATALOG_PRODUCTS", "10000"))
SIZES = ("XS", "S", "M", "L", "XL")
COLOURS = ("Black", "Navy", "Olive", "Sand", "Red", "Grey")
CATEGORIES = 20


def make_csv(columns: tuple[str, ...]) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(columns)
    for index in range(PRODUCTS):
        slug = f"bench-product-{index:05d}"
        colour = COLOURS[index % len(COLOURS)]
        for size_index, size in enumerate(SIZES):
            values = {
                "product_slug": slug,
                "product_name": f"Bench product {index} in {colour.lower()}",
                "category": f"bench-category-{index % CATEGORIES}",
                "description": "A well-made thing for the benchmark, in soft organic cotton.",
                "price": f"{10 + index % 90}.90",
                "group_price": "",
                "product_active": "yes",
                "tags": f"bench|tag-{index % 50}",
                "images": "",
                "sku": f"B{index:05d}-{size}",
                "options": f"Size={size}|Colour={colour}",
                "variant_price": "" if size_index < 4 else f"{12 + index % 90}.90",
                "stock": str((index + size_index) % 25),
                "variant_active": "yes",
                "variant_images": "",
            }
            writer.writerow([values[column] for column in columns])
    return stream.getvalue().encode()


def reset_catalogue() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE shop_product, shop_productvariant, shop_tag, shop_attribute, "
            "shop_attributevalue RESTART IDENTITY CASCADE"
        )


def baseline_bulk(categories: dict[str, int]) -> float:
    """The floor: the same rows through bare bulk_create, without any checks or relations."""
    from shop.models import Product, ProductVariant

    started = time.perf_counter()
    products = Product.objects.bulk_create(
        [
            Product(
                slug=f"bench-product-{index:05d}",
                name=f"Bench product {index}",
                category_id=categories[f"bench-category-{index % CATEGORIES}"],
                price=Decimal("10.90"),
            )
            for index in range(PRODUCTS)
        ],
        batch_size=2000,
    )
    ProductVariant.objects.bulk_create(
        [
            ProductVariant(product_id=product.id, sku=f"B{index:05d}-{size}", stock=5)
            for index, product in enumerate(products)
            for size in SIZES
        ],
        batch_size=2000,
    )
    return time.perf_counter() - started


def timed_import(data: bytes, *, dry_run: bool = False) -> tuple[float, Any]:
    from shop.services import catalog_import

    started = time.perf_counter()
    report = catalog_import(data=data, dry_run=dry_run)
    elapsed = time.perf_counter() - started
    if report.errors:
        raise SystemExit(f"import refused the bench file: {report.errors[:3]}")
    return elapsed, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="write docs/benchmarks.md")
    args = parser.parse_args()

    database_ensure(server=PG_SERVER, name=DB_NAME, fresh=True)
    env = {**os.environ, "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}", "DJANGO_DEBUG": "1"}
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(
        {"DATABASE_URL": env["DATABASE_URL"], "DJANGO_SETTINGS_MODULE": "config.settings"}
    )
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from shop.models import Category, Product, ProductVariant
    from shop.services import CSV_COLUMNS

    Category.objects.bulk_create(
        [
            Category(name=f"Bench category {n}", slug=f"bench-category-{n}")
            for n in range(CATEGORIES)
        ]
    )
    categories = dict(Category.objects.values_list("slug", "id"))
    generated = time.perf_counter()
    data = make_csv(CSV_COLUMNS)
    generated = time.perf_counter() - generated
    rows = data.count(b"\n") - 1
    print(f"CSV: {rows} variant rows, {len(data) / 1e6:.1f} MB, generated in {generated:.1f} s")

    results: dict[str, list[float]] = {"baseline": [], "create": [], "update": [], "dry": []}
    for run in range(args.runs):
        reset_catalogue()
        results["baseline"].append(baseline_bulk(categories))
        reset_catalogue()
        seconds, report = timed_import(data)
        results["create"].append(seconds)
        assert (report.products_created, report.variants_created) == (PRODUCTS, rows), report
        seconds, report = timed_import(data)
        results["update"].append(seconds)
        assert (report.products_updated, report.variants_updated) == (PRODUCTS, rows), report
        seconds, _report = timed_import(data, dry_run=True)
        results["dry"].append(seconds)
        print(
            f"run {run + 1}: baseline {results['baseline'][-1]:.1f} s, import (new) "
            f"{results['create'][-1]:.1f} s, re-import {results['update'][-1]:.1f} s, "
            f"dry run {results['dry'][-1]:.1f} s"
        )
    assert Product.objects.count() == PRODUCTS
    assert ProductVariant.objects.filter(is_active=True).count() == rows
    medians = {name: statistics.median(values) for name, values in results.items()}
    for name, value in medians.items():
        print(f"median {name}: {value:.2f} s ({value / medians['baseline']:.1f}x baseline)")
    if args.write:
        write_section(HEADING, _table(medians, rows, len(data), args.runs))


def _table(medians: dict[str, float], rows: int, size: int, runs: int) -> str:
    base = medians["baseline"]
    lines = [
        f"`flock /tmp/socialshop-bench.lock .venv/bin/python bench/catalog_import.py --runs {runs} --write`",
        "",
        f"A {PRODUCTS:,}-product, {rows:,}-variant CSV ({size / 1e6:.1f} MB: five sizes and a colour per "
        "product, two tags, one price override) imported into PostgreSQL through "
        "`shop.services.catalog_import` (what `manage.py catalog_import` and the admin page call). Medians "
        f"of {runs} runs, same process, {os.cpu_count()} cores shared with other work "
        f"(load average {os.getloadavg()[0]:.1f} at the end; Python {platform.python_version()}).",
        "",
        "| step | seconds | vs baseline | target |",
        "|---|---:|---:|---|",
        f"| baseline: bare `bulk_create` of the products and variants (no checks, no relations) "
        f"| {base:.1f} | 1.0x | |",
        f"| import, everything new | {medians['create']:.1f} | {medians['create'] / base:.1f}x "
        f"| <= 60 s: {'met' if medians['create'] <= 60 else 'NOT met'} |",
        f"| re-import of the same file, everything updated | {medians['update']:.1f} "
        f"| {medians['update'] / base:.1f}x | <= 60 s: {'met' if medians['update'] <= 60 else 'NOT met'} |",
        f"| dry run (read and check every row, no writes) | {medians['dry']:.1f} "
        f"| {medians['dry'] / base:.1f}x | |",
        "",
        "The import checks every row, creates the tags, attributes and values, sets tags and options, sums "
        "each product's stock from its variants and refreshes the search vectors, all in one transaction. "
        "New rows and links go in with one `COPY` each on PostgreSQL and updates with one `UPDATE ... FROM (VALUES ...)` per batch of 2,000 (Django's `bulk_update` and `bulk_create` were 4-8x slower here); the re-import also deletes and rewrites every variant's option links.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
