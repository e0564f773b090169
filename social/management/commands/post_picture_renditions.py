"""Queue the renditions task for post photos that have none yet (photos stored before renditions existed,
demo photos, or photos whose task was lost). Idempotent: a second run queues only what is still missing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from social.selectors.pictures import post_images_without_renditions
from social.services.pictures import post_image_renditions_task


class Command(BaseCommand):
    help = "Queue renditions for post photos that have none yet."

    def handle(self, *args, **options) -> None:
        ids = post_images_without_renditions()
        for image_id in ids:
            post_image_renditions_task.delay(image_id)
        self.stdout.write(f"queued renditions for {len(ids)} post photos")
