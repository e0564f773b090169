"""`manage.py catalog_import FILE [--images DIR] [--partial] [--dry-run]`: load a catalogue CSV (see
`shop.services.catalog_csv`). Prints one line per problem with its line number; exits 1 when anything was refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shop.services import catalog_import


class Command(BaseCommand):
    help = "Import products and variants from a catalogue CSV (all-or-nothing unless --partial)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--images", type=Path, default=None, help="Folder holding the pictures the file names."
        )
        parser.add_argument(
            "--partial",
            action="store_true",
            help="Store the products whose rows are all good and report the others.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only check the file; store nothing."
        )

    def handle(
        self,
        *args: Any,
        file: Path,
        images: Path | None,
        partial: bool,
        dry_run: bool,
        **options: Any,
    ) -> None:
        if not file.is_file():
            raise CommandError(f"{file} is not a file")
        if images is not None and not images.is_dir():
            raise CommandError(f"{images} is not a folder")
        report = catalog_import(
            data=file.read_bytes(), images_dir=images, partial=partial, dry_run=dry_run
        )
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors_truncated:
            self.stderr.write("... more errors not shown")
        summary = (
            f"{report.rows} rows: products {report.products_created} created, "
            f"{report.products_updated} updated; variants {report.variants_created} created, "
            f"{report.variants_updated} updated; {report.images_added} pictures added"
        )
        if report.applied:
            self.stdout.write(self.style.SUCCESS(f"Imported. {summary}."))
        elif report.ok:
            self.stdout.write(f"Checked, nothing stored (dry run). {report.rows} rows are good.")
        else:
            self.stdout.write(f"Nothing stored: {len(report.errors)} problems.")
        if report.errors:
            raise SystemExit(1)
