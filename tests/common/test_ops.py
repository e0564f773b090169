"""Operations plumbing: probes, request ids in logs and tasks, Prometheus metrics, limits failing closed."""

from __future__ import annotations

import json
import logging
import socket
import uuid

import pytest
from celery.signals import before_task_publish, task_postrun, task_prerun
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from common.observability import JsonFormatter, RequestIdLogFilter, request_id_var
from common.ratelimit import COUNT_UNAVAILABLE, window_count
from tests.factories import UserFactory


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_down(settings) -> None:
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "common.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "KEY_PREFIX": f"ops-test-{uuid.uuid4().hex[:8]}",
            "OPTIONS": {"socket_connect_timeout": 0.5},
        },
    }


# --- probes ---------------------------------------------------------------------------------------------


@override_settings(DEBUG=False, SECURE_SSL_REDIRECT=True, ALLOWED_HOSTS=["shop.example.com"])
def test_healthz_answers_any_host_over_plain_http_without_touching_dependencies(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_redis_and_storage(client):
    with override_settings(REDIS_URL=""):
        response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured", "storage": "ok"},
    }


@pytest.mark.django_db
def test_readyz_names_the_part_that_failed(client):
    with override_settings(REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0"):
        response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "unavailable", "storage": "ok"},
        "failed": ["redis"],
    }


# --- request ids ----------------------------------------------------------------------------------------


def test_a_valid_incoming_request_id_is_kept_and_returned(client):
    response = client.get("/healthz-not-a-page/", HTTP_X_REQUEST_ID="edge-1234abcd")

    assert response["X-Request-ID"] == "edge-1234abcd"


@pytest.mark.parametrize("incoming", [None, "short", "has space in it", "x" * 200])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client, incoming):
    headers = {"HTTP_X_REQUEST_ID": incoming} if incoming else {}
    response = client.get("/healthz-not-a-page/", **headers)

    assert response["X-Request-ID"] != incoming
    assert len(response["X-Request-ID"]) == 32


def _json_line(message: str) -> dict:
    record = logging.LogRecord("shop", logging.INFO, __file__, 1, message, None, None)
    RequestIdLogFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_json_log_lines_carry_the_request_id():
    token = request_id_var.set("req-0001abcd")
    try:
        line = _json_line("order placed")
    finally:
        request_id_var.reset(token)

    assert line["message"] == "order placed"
    assert line["request_id"] == "req-0001abcd"
    assert line["level"] == "INFO"


class _FakeTask:
    name = "social.tasks.group_buy_complete_task"

    def __init__(self, request_id: str | None) -> None:
        self.request = type("Request", (), {"request_id": request_id})()


def test_the_request_id_travels_in_task_headers_into_the_task_logs():
    import config.celery  # noqa: F401 - connects the signal handlers

    headers: dict = {}
    token = request_id_var.set("req-0002abcd")
    try:
        before_task_publish.send(sender="social.tasks.group_buy_complete_task", headers=headers)
    finally:
        request_id_var.reset(token)
    assert headers["request_id"] == "req-0002abcd"

    # On the worker: the id comes back from the message while the task runs, then goes.
    task = _FakeTask(headers["request_id"])
    task_prerun.send(sender=task, task_id="t-1", task=task)
    line = _json_line("completing group")
    task_postrun.send(sender=task, task_id="t-1", task=task, state="SUCCESS")

    assert line["request_id"] == "req-0002abcd"
    assert line["task_id"] == "t-1"
    assert line["task_name"] == "social.tasks.group_buy_complete_task"
    assert _json_line("idle").get("request_id") is None


# --- metrics --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_show_latency_by_view_and_task_durations(client):
    import config.celery  # noqa: F401

    client.get("/healthz-not-a-page/")
    client.get("/api/v1/products/")
    task = _FakeTask(None)
    task_prerun.send(sender=task, task_id="t-2", task=task)
    task_postrun.send(sender=task, task_id="t-2", task=task, state="SUCCESS")

    body = client.get("/metrics").content.decode()

    assert 'socialshop_http_request_duration_seconds_count{method="GET",status="2xx",view=' in body
    assert "socialshop_task_duration_seconds_count{" in body
    assert 'task="social.tasks.group_buy_complete_task"' in body
    assert "socialshop_open_websockets" in body


def test_metrics_are_refused_outside_the_allow_list(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"

    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    allowed = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer scrape-secret"
    )
    assert allowed.status_code == 200


# --- limits fail closed ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_shared_counters_move_to_the_database_while_redis_is_down(settings):
    from django.core.cache import caches

    _redis_down(settings)

    assert [window_count("support:rate:u1:1", timeout=20) for _ in range(3)] == [1, 2, 3]
    assert caches["limits"].get("support:rate:u1:1") == 3


@pytest.mark.django_db
def test_counters_fail_closed_when_the_database_cannot_count_either(settings):
    _redis_down(settings)
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_table",
        },
    }

    assert window_count("support:rate:u1:1", timeout=20) == COUNT_UNAVAILABLE


@pytest.mark.django_db
def test_a_limited_api_action_is_429_with_the_reason_when_nothing_can_count(settings):
    _redis_down(settings)
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "no_such_table",
        },
    }
    client = APIClient()
    client.force_authenticate(UserFactory(username="follower"))
    UserFactory(username="followee")

    response = client.post(reverse("social-api-follow", kwargs={"username": "followee"}))

    assert response.status_code == 429
    assert "cannot be checked right now" in response.json()["detail"]
