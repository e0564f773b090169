"""`manage.py export_recommendations OUT.csv --k 10`: every shopper's list as `user_id,rank,item_id,score,reason`.

Imported shoppers and products are written with their dataset ids (from `ExternalId`), others with database ids.
Shoppers with follows but no interactions are included: they are scored from their follows.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recsys.models import ExternalId
from recsys.services.serving import recommendations_for_user
from shop import selectors as shop_selectors

BATCH = 500


class Command(BaseCommand):
    help = "Write every shopper's recommendations to a CSV file."

    def add_arguments(self, parser):
        parser.add_argument("out", help="the CSV file to write")
        parser.add_argument(
            "--k", type=int, default=10, help="items per shopper (1-100, default 10)"
        )

    def handle(self, *args, out: str, k: int, **options):
        if not 1 <= k <= 100:
            raise CommandError("--k must be between 1 and 100")
        path = Path(out)
        if not path.parent.exists():
            raise CommandError(f"folder {path.parent} does not exist")
        started = time.perf_counter()
        imported_users = dict(
            ExternalId.objects.filter(kind=ExternalId.Kind.USER)
            .order_by("-pk")
            .values_list("object_id", "external_id")
        )
        imported_items = dict(
            ExternalId.objects.filter(kind=ExternalId.Kind.ITEM)
            .order_by("-pk")
            .values_list("object_id", "external_id")
        )
        # Imported shoppers (active or not) and every other active shopper.
        shopper_ids = sorted(set(imported_users) | set(shop_selectors.shopper_ids()))
        rows = users = 0
        temp = path.with_name(f".{path.name}.partial")
        with temp.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["user_id", "rank", "item_id", "score", "reason"])
            for shopper in (
                shopper
                for start in range(0, len(shopper_ids), BATCH)
                for shopper in shop_selectors.users_by_ids(
                    user_ids=shopper_ids[start : start + BATCH], active_only=False
                )
            ):
                items = recommendations_for_user(user=shopper, k=k)
                user_key = imported_users.get(shopper.pk, shopper.pk)
                for item in items:
                    writer.writerow(
                        [
                            user_key,
                            item.position,
                            imported_items.get(item.product.pk, item.product.pk),
                            f"{item.score:.6f}",
                            item.reason,
                        ]
                    )
                    rows += 1
                users += 1
                if users % 1000 == 0:
                    self.stdout.write(f"  {users:,} shoppers...")
        temp.replace(path)
        self.stdout.write(
            self.style.SUCCESS(
                f"wrote {rows:,} rows for {users:,} shoppers to {path} in {time.perf_counter() - started:.1f}s"
            )
        )
