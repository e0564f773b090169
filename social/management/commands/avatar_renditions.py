"""Queue the renditions task for avatars that lack some: none yet (demo avatars seeded with `--renditions-later`,
avatars stored before renditions existed, or whose task was lost) or not in every format made now (WebP alone,
stored before AVIF avatars: the task adds the AVIF files and keeps the WebP ones). Idempotent: a second run
queues only what is still missing; demo people share files, so after the first of them the rest only copy the
record."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from social.selectors.pictures import avatars_without_renditions
from social.services.pictures import avatar_renditions_task


class Command(BaseCommand):
    help = "Queue renditions for avatars that have none yet or lack a format."

    def handle(self, *args, **options) -> None:
        ids = avatars_without_renditions()
        for profile_id in ids:
            avatar_renditions_task.delay(profile_id)
        self.stdout.write(f"queued renditions for {len(ids)} avatars")
