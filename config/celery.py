"""The Celery application. Tasks live in each app's tasks.py; the beat schedule is collected here."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("socialshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _collect_beat_schedule(sender: Celery, **kwargs: object) -> None:
    """Each app may expose BEAT_SCHEDULE in its tasks module; merge them into one schedule."""
    from importlib import import_module

    for app_name in ("shop", "social", "recsys", "support"):
        try:
            module = import_module(f"{app_name}.tasks")
        except ModuleNotFoundError:
            continue
        sender.conf.beat_schedule.update(getattr(module, "BEAT_SCHEDULE", {}))
