"""The serving run and the active experiment are cached for pages, and a start, stop or flip shows at once."""

from __future__ import annotations

import pytest

from recsys.selectors import experiment_active
from recsys.services.experiments import experiment_start, experiment_stop

pytestmark = pytest.mark.django_db


def test_the_active_experiment_is_read_once_then_from_the_cache(django_assert_num_queries):
    experiment_active()

    with django_assert_num_queries(0):
        assert experiment_active() is None


def test_starting_and_stopping_an_experiment_shows_on_the_next_read(
    django_capture_on_commit_callbacks,
):
    assert experiment_active() is None

    with django_capture_on_commit_callbacks(execute=True):
        started = experiment_start(name="split", challenger=None)
    assert experiment_active() == started

    with django_capture_on_commit_callbacks(execute=True):
        experiment_stop()
    assert experiment_active() is None
