from django.conf import settings

from recsys import tasks


def test_beat_retrains_on_the_configured_schedule_and_checks_for_new_data():
    from config.celery import app

    app.loader.import_default_modules()
    app.finalize()
    schedule = app.conf.beat_schedule

    assert schedule["recsys-retrain"]["schedule"] == float(settings.RECSYS_RETRAIN_EVERY_SECONDS)
    assert schedule["recsys-retrain"]["kwargs"] == {"force": True}
    assert schedule["recsys-retrain-if-needed"]["task"] == "recsys.tasks.retrain_if_needed"


def test_long_tasks_are_acknowledged_late_and_requeued_when_the_worker_dies():
    for task in (tasks.retrain, tasks.score_users_chunk, tasks.score_products, tasks.score_finish):
        assert task.acks_late is True
        assert task.reject_on_worker_lost is True
