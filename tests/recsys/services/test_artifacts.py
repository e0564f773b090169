"""Model artefacts through Django's storage API (issue 18): named by content hash, verified on load, loadable
by any node; a node that cannot load a model serves the previous version or popularity for that request only,
never caches that fallback, and the dashboard shows the failure."""

import re
import shutil
from typing import cast

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from recsys.models import ModelVersion
from recsys.services import artifacts, serving, training
from shop.models import User
from social.models import Follow
from tests.factories import UserFactory
from tests.recsys.synthetic import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_store(settings, tmp_path):
    """The object store every node reads (in memory here), and this worker's own disk, apart."""
    settings.STORAGES = {
        **settings.STORAGES,
        "recsys_artifacts": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    settings.RECSYS_ARTIFACT_DIR = tmp_path / "worker-disk"
    settings.RECSYS_TRAINING = {
        "no_components": 16,
        "max_epochs": 15,
        "patience": 3,
        "seed": 3,
        "num_threads": 1,
        "learning_rate": 0.05,
    }
    settings.RECSYS_LIST_LENGTH = 10
    return artifacts.artifact_storage()


@pytest.fixture
def trained(shared_store):
    shop = build_shop(products_per_community=20)
    outcome = training.model_version_train(force=True, inline_scoring=True)
    version = ModelVersion.objects.get(pk=outcome.version_id)
    if version.status != ModelVersion.Status.SERVING:
        version = training.model_version_promote(version=version)
    return shop, version


def _newcomer_following(shoppers: list[User]) -> User:
    newcomer = cast(User, UserFactory(username="newcomer"))
    for followee in shoppers[:3]:
        Follow.objects.create(follower=newcomer, followee=followee)
    serving.user_signals_changed(newcomer.pk)
    return newcomer


def _another_node() -> None:
    """A node that never loaded the model: nothing in its process."""
    artifacts.loaded_models_forget()


def test_the_version_keeps_storage_names_named_by_content_hash(trained):
    _, version = trained

    assert re.fullmatch(r"recsys/models/[0-9a-f]{64}\.pkl", version.artifact_name)
    assert re.fullmatch(r"recsys/models/[0-9a-f]{64}\.pairs\.npz", version.pairs_name)
    assert artifacts.artifact_storage().exists(version.artifact_name)


def test_any_node_loads_the_model_from_storage_with_the_workers_local_files_deleted(
    trained, settings
):
    shop, version = trained
    shutil.rmtree(settings.RECSYS_ARTIFACT_DIR, ignore_errors=True)
    _another_node()
    newcomer = _newcomer_following(shop.shoppers["A"])

    items = serving.recommendations_for_user(user=newcomer, k=5)

    assert artifacts.model_load(version) is not None
    assert {item.model_version_id for item in items} == {version.pk}
    assert sum(item.product in shop.products["A"] for item in items) >= 4


def _tamper(version: ModelVersion) -> bytes:
    storage = artifacts.artifact_storage()
    with storage.open(version.artifact_name, "rb") as stream:
        original = stream.read()
    storage.delete(version.artifact_name)
    storage.save(version.artifact_name, ContentFile(original[:-40] + b"x" * 40))
    return original


def _restore(version: ModelVersion, original: bytes) -> None:
    storage = artifacts.artifact_storage()
    storage.delete(version.artifact_name)
    storage.save(version.artifact_name, ContentFile(original))


def test_a_tampered_artefact_is_refused_and_shown_on_the_dashboard(trained, client):
    _, version = trained
    _tamper(version)
    _another_node()

    with pytest.raises(artifacts.ArtifactUnavailable, match="does not match its hash"):
        artifacts.model_load(version)

    client.force_login(UserFactory(username="staffer", is_staff=True))
    body = client.get(reverse("recsys:dashboard")).content.decode()
    assert f"Version {version.pk} could not be loaded" in body
    assert "does not match its hash" in body


def test_a_node_that_cannot_load_the_model_serves_popularity_and_caches_nothing(trained):
    shop, version = trained
    newcomer = _newcomer_following(shop.shoppers["A"])
    original = _tamper(version)
    _another_node()

    fallback = serving.recommendations_for_user(user=newcomer, k=5)

    assert [item.product for item in fallback] == [
        item.product for item in serving.trending_products(k=5)
    ]
    # The artefact is readable again: the same node now serves the model's own answer, so the fallback
    # was not kept as if it were the model's.
    _restore(version, original)
    items = serving.recommendations_for_user(user=newcomer, k=5)
    assert {item.model_version_id for item in items} == {version.pk}
    assert any(item.reason_kind == "followee" for item in items)


def test_a_node_that_cannot_load_the_model_serves_the_previous_version(trained):
    shop, previous = trained
    broken = ModelVersion.objects.create(
        status=ModelVersion.Status.READY,
        artifact_name="recsys/models/" + "0" * 64 + ".pkl",  # named, but never stored
    )
    training.model_version_promote(version=broken)
    newcomer = _newcomer_following(shop.shoppers["B"])
    _another_node()

    items = serving.recommendations_for_user(user=newcomer, k=5)

    assert {item.model_version_id for item in items} == {previous.pk}
    assert sum(item.product in shop.products["B"] for item in items) >= 4
    assert artifacts.artifact_load_failures(version_ids=[broken.pk])[broken.pk].error
