"""The training lease (issue 12): a killed training frees retraining within a time-to-live, a live one keeps
its lease however long it runs, and a training that lost its lease writes nothing.

The lease (`common.lease`: in this process's memory here, in Redis with REDIS_URL) has a 1 s time-to-live
here (60 s in production), renewed every 0.2 s. The lease itself is tested in tests/common/test_lease.py.
"""

import time

import pytest

from common.lease import Lease
from recsys.models import ModelVersion
from recsys.services import training

pytestmark = pytest.mark.django_db


@pytest.fixture
def short_lease(settings):
    settings.RECSYS_TRAIN_LEASE_SECONDS = 1
    settings.RECSYS_TRAIN_LEASE_RENEW_SECONDS = 0.2
    return settings


def _outlive_the_lease() -> None:
    """Wait past the 1 s time-to-live, as the next hourly run would wait an hour."""
    time.sleep(1.5)


def test_a_killed_trainings_lease_lapses_and_the_next_training_fails_its_row(short_lease):
    dead = ModelVersion.objects.create(status=ModelVersion.Status.TRAINING, task_id="killed")
    # The killed worker took the lease and then stopped renewing it (SIGKILL: no finally ran).
    assert training.train_lock_acquire("killed")

    assert training.retrain(task_id="hourly", force=True).status == "skipped"
    _outlive_the_lease()
    outcome = training.retrain(task_id="hourly", force=True)

    assert outcome.status != "skipped"
    dead.refresh_from_db()
    assert dead.status == ModelVersion.Status.FAILED
    assert "lease expired" in dead.error
    assert training.train_lock_acquire("next")


def test_a_live_training_keeps_its_lease_however_long_it_runs(short_lease, monkeypatch):
    refused = []

    def long_training() -> None:
        # Three times the lease's time-to-live; another worker keeps trying meanwhile.
        for _ in range(10):
            time.sleep(0.3)
            refused.append(not training.train_lock_acquire("intruder"))

    monkeypatch.setattr(training, "_pause_for_drills", long_training)

    outcome = training.retrain(task_id="long", force=True)

    assert refused == [True] * 10
    assert (
        outcome.status == "rejected"
    )  # an empty shop: not enough data, but written by the lease holder
    assert ModelVersion.objects.get(task_id="long").status == ModelVersion.Status.REJECTED
    assert training.train_lock_acquire("intruder")  # released at the end


def test_a_training_that_lost_its_lease_writes_nothing(short_lease, monkeypatch):
    short_lease.RECSYS_TRAIN_LEASE_RENEW_SECONDS = 10  # the whole worker stalls: no renewal either

    def stalled_then_overtaken() -> None:
        _outlive_the_lease()
        assert Lease(training.LOCK_KEY, seconds=60, token="newer-training").acquire()

    monkeypatch.setattr(training, "_pause_for_drills", stalled_then_overtaken)

    outcome = training.retrain(task_id="stalled", force=True)

    assert outcome.status == "failed"
    version = ModelVersion.objects.get(task_id="stalled")
    assert version.status == ModelVersion.Status.FAILED
    assert "lease" in version.error
    # not released by the loser
    assert Lease(training.LOCK_KEY, seconds=60).holder() == "newer-training"


def test_a_crashed_training_releases_its_lease(short_lease, monkeypatch):
    def crash() -> None:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(training, "_pause_for_drills", crash)

    with pytest.raises(RuntimeError):
        training.retrain(task_id="crashed", force=True)

    assert ModelVersion.objects.get(task_id="crashed").status == ModelVersion.Status.FAILED
    assert training.train_lock_acquire("next")


def test_a_redelivered_training_resumes_its_own_row(short_lease):
    row = ModelVersion.objects.create(status=ModelVersion.Status.TRAINING, task_id="redelivered")
    assert training.train_lock_acquire("redelivered")  # the killed first attempt

    outcome = training.retrain(task_id="redelivered", force=True)

    assert outcome.version_id == row.pk
    assert ModelVersion.objects.filter(task_id="redelivered").count() == 1
