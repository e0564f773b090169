"""Queue the renditions task for product pictures that have none yet (pictures stored before renditions
existed, or whose task was lost). Idempotent: a second run queues only what is still missing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shop.selectors.pictures import product_images_without_renditions
from shop.services.pictures import product_image_renditions_task


class Command(BaseCommand):
    help = "Queue renditions for product pictures that have none yet."

    def handle(self, *args, **options) -> None:
        ids = product_images_without_renditions()
        for image_id in ids:
            product_image_renditions_task.delay(image_id)
        self.stdout.write(f"queued renditions for {len(ids)} product pictures")
