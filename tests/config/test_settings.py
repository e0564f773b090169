"""The settings module: production refuses unsafe defaults; the API schema and docs are served offline."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="shop.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY="k" * 60)
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x9Y" * 12,
        DJANGO_ALLOWED_HOSTS="shop.example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Socialshop API"


@pytest.mark.django_db
def test_api_docs_use_the_bundled_swagger_ui(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "swagger-ui" in body
    assert "cdn" not in body.lower()


@pytest.mark.django_db
def test_api_refuses_json_with_unpaired_surrogates_everywhere(client, user):
    client.force_login(user)
    response = client.post(
        "/api/v1/social/posts/",
        data='{"body": "\\ud800"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The JSON contains invalid characters (unpaired surrogates)."
    }


def test_beat_runs_every_apps_periodic_tasks():
    from config.celery import app

    app.loader.import_default_modules()
    app.finalize()
    names = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert {
        "shop.tasks.emails_pending_requeue_task",
        "shop.tasks.product_views_flush_task",
        "social.tasks.group_buys_sweep_task",
        "recsys.tasks.retrain",
        "recsys.tasks.impressions_flush",
    } <= names
