"""`manage.py import_dataset DIR --prefix P [--skip-invalid]`: load a dataset in the interchange format (see
recsys.services.importing). Strict by default: one bad row and nothing is imported. With `--skip-invalid` the good rows
are imported, every skipped row is reported with its file, line and reason, and the command fails only when
nothing could be imported."""

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
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the good rows and report the bad ones instead of rejecting the dataset",
        )

    def handle(self, *args, directory: str, prefix: str, skip_invalid: bool = False, **options):
        started = time.perf_counter()
        try:
            summary = dataset_import(
                directory,
                prefix=prefix,
                log=lambda message: self.stdout.write(message),
                skip_invalid=skip_invalid,
            )
        except DatasetRejected as rejected:
            for error in rejected.errors[:MAX_ERRORS_SHOWN]:
                self.stderr.write(str(error))
            if len(rejected.errors) > MAX_ERRORS_SHOWN:
                self.stderr.write(f"... and {len(rejected.errors) - MAX_ERRORS_SHOWN} more")
            if skip_invalid:
                raise CommandError(
                    f"{len(rejected.errors)} bad row(s) and no good one: nothing was imported."
                ) from None
            raise CommandError(
                f"{len(rejected.errors)} bad row(s): nothing was imported. Fix them and run again "
                "(or import the good rows with --skip-invalid)."
            ) from None
        except ValueError as error:
            raise CommandError(str(error)) from None
        for row_error in summary.skipped:
            self.stderr.write(f"skipped {row_error}")
        created = ", ".join(f"{k} {v:,}" for k, v in summary.created.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"imported in {time.perf_counter() - started:.1f}s: {created}"
                + (f"; {len(summary.skipped):,} bad row(s) skipped" if summary.skipped else "")
            )
        )
