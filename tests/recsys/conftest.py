"""Recommender test fixtures: model artefacts go to a temporary folder, never the project's var/models."""

import pytest


@pytest.fixture(autouse=True)
def _artifact_storage(settings, tmp_path):
    settings.RECSYS_ARTIFACT_STORAGE = "recsys_artifacts"
    settings.STORAGES = {
        **settings.STORAGES,
        "recsys_artifacts": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "artifacts")},
        },
    }
    from recsys.services.artifacts import loaded_models_forget

    loaded_models_forget()
    yield
    loaded_models_forget()
