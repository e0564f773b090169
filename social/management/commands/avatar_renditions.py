"""Queue the renditions task for avatars that have none yet (demo avatars seeded with `--renditions-later`,
avatars stored before renditions existed, or whose task was lost). Idempotent: a second run queues only what
is still missing; demo people share files, so after the first of them the rest only copy the record."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from social.selectors.pictures import avatars_without_renditions
from social.services.pictures import avatar_renditions_task


class Command(BaseCommand):
    help = "Queue renditions for avatars that have none yet."

    def handle(self, *args, **options) -> None:
        ids = avatars_without_renditions()
        for profile_id in ids:
            avatar_renditions_task.delay(profile_id)
        self.stdout.write(f"queued renditions for {len(ids)} avatars")
