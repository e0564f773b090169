"""`manage.py import_dataset DIR --prefix P`: load a dataset in the interchange format (see recsys.services.importing)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from recsys.services.importing import DatasetRejected, dataset_import

MAX_ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = "Import users, items, interactions and follows from interchange-format CSV files."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--prefix", required=True, help="names this dataset's external ids")

    def handle(self, *args, directory: str, prefix: str, **options):
        started = time.perf_counter()
        try:
            summary = dataset_import(
                directory, prefix=prefix, log=lambda message: self.stdout.write(message)
            )
        except DatasetRejected as rejected:
            for error in rejected.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(str(error))
            if len(rejected.errors) > MAX_ERRORS_SHOWN:
                self.stderr.write(f"... and {len(rejected.errors) - MAX_ERRORS_SHOWN} more")
            raise CommandError(
                f"{len(rejected.errors)} bad row(s): nothing was imported. Fix them and run again."
            ) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        created = ", ".join(f"{k} {v:,}" for k, v in summary.created.items())
        self.stdout.write(
            self.style.SUCCESS(f"imported in {time.perf_counter() - started:.1f}s: {created}")
        )
