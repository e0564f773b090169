"""`manage.py train_recommender`: retrain, then score every shopper, and wait for both.

The same task as the hourly retrain (`recsys.tasks.retrain`: training, then the scoring run it queues after
commit); the command waits for its outcome and then for that scoring run. With REDIS_URL set (and Celery not
eager) the work goes through the real broker to the workers; otherwise the same tasks run eagerly here.
"""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recsys import tasks
from recsys.models import ScoringRun


class Command(BaseCommand):
    help = (
        "Train a new recommender version, promote it if it is good enough, and score every shopper."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--timeout", type=float, default=3600, help="seconds to wait (default 3600)"
        )
        parser.add_argument("--no-score", action="store_true", help="train and evaluate only")

    def handle(self, *args, timeout: float, no_score: bool, **options):
        started = time.monotonic()
        through = (
            "eagerly in this process" if settings.CELERY_TASK_ALWAYS_EAGER else "through the broker"
        )
        self.stdout.write(f"training {through}...")
        try:
            outcome = tasks.retrain.delay(force=True, score=not no_score).get(timeout=timeout)
        except Exception as error:  # noqa: BLE001 - report any task failure as a command error
            raise CommandError(f"training failed: {error}") from error
        self.stdout.write(json.dumps(outcome, indent=2))
        if outcome["status"] == "skipped":
            raise CommandError("another training is running; try again when it has finished")
        if no_score:
            return
        run_id = outcome["scoring_run_id"]
        self.stdout.write(f"scoring with version {outcome['serving_version_id']} (run {run_id})...")
        while True:
            run = ScoringRun.objects.get(pk=run_id)
            if run.status in (ScoringRun.Status.COMPLETE, ScoringRun.Status.SUPERSEDED):
                break
            if run.status == ScoringRun.Status.FAILED:
                raise CommandError(f"scoring run {run_id} failed")
            if time.monotonic() - started > timeout:
                raise CommandError(f"scoring run {run_id} did not finish within {timeout:.0f}s")
            time.sleep(0.5)
        self.stdout.write(
            self.style.SUCCESS(
                f"done in {time.monotonic() - started:.1f}s: run {run.pk} ({run.status}), "
                f"{run.users_scored} shoppers scored"
            )
        )
