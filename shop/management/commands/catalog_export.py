"""`manage.py catalog_export [FILE]`: write the catalogue as CSV (to stdout without FILE), in the columns
`catalog_import` reads."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shop.selectors import catalog_export_csv


class Command(BaseCommand):
    help = "Export every product and variant as a catalogue CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, nargs="?", default=None)

    def handle(self, *args: Any, file: Path | None, **options: Any) -> None:
        if file is None:
            catalog_export_csv(sys.stdout)
            return
        with file.open("w", encoding="utf-8", newline="") as stream:
            count = catalog_export_csv(stream)
        self.stderr.write(f"{count} variant rows written to {file}")
