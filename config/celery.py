"""The Celery application. Tasks live in each app's tasks.py; the beat schedule is collected here.

Beat runs `common.beat.LeaderScheduler` (CELERY_BEAT_SCHEDULER): however many beats run, only the holder of
the Redis lease fires periodic tasks. Request ids travel from web requests into tasks in message headers and
every task is timed for /metrics (`common.observability.install_celery_signals`).
"""

from __future__ import annotations

import logging
import os
import time

from celery import Celery
from celery.signals import worker_ready

from common.observability import install_celery_signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

logger = logging.getLogger(__name__)

app = Celery("socialshop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
install_celery_signals()

BEAT_HEARTBEAT_KEY = "beat:heartbeat"


@app.task(name="config.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> float:
    """Proof that exactly one scheduler fires: records when it last ran (idempotent, cheap)."""
    from django.core.cache import cache

    now = time.time()
    cache.set(BEAT_HEARTBEAT_KEY, now, timeout=None)
    logger.info("beat heartbeat")
    return now


@app.on_after_finalize.connect
def _collect_beat_schedule(sender: Celery, **kwargs: object) -> None:
    """Each app keeps its periodic entries beside its tasks (BEAT_SCHEDULE); merge them into one schedule.
    Imported here, after the apps are loaded: config is the composition root and may import every app."""
    from django.conf import settings

    from recsys.tasks import BEAT_SCHEDULE as recsys_schedule
    from shop.tasks import BEAT_SCHEDULE as shop_schedule
    from social.tasks import BEAT_SCHEDULE as social_schedule
    from support.tasks import BEAT_SCHEDULE as support_schedule

    sender.conf.beat_schedule.update(
        {
            **shop_schedule,
            **social_schedule,
            **recsys_schedule,
            **support_schedule,
            "beat-heartbeat": {
                "task": "config.beat_heartbeat",
                "schedule": float(settings.BEAT_HEARTBEAT_SECONDS),
            },
        }
    )


@worker_ready.connect
def _start_metrics_exporter(**kwargs: object) -> None:
    from django.conf import settings

    from common.metrics import start_worker_exporter

    if settings.CELERY_METRICS_PORT:
        start_worker_exporter(settings.CELERY_METRICS_PORT)
