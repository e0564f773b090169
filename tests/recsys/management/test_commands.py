import csv
import random

import pytest
from django.core.management import CommandError, call_command

from recsys.models import ModelVersion, ServingPointer

# Scoring is queued after training commits, and the command waits for it: real commits, not a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fast_training(settings, tmp_path):
    settings.RECSYS_ARTIFACT_DIR = tmp_path / "models"
    settings.RECSYS_TRAINING = {
        "no_components": 16,
        "max_epochs": 12,
        "patience": 3,
        "seed": 5,
        "num_threads": 1,
    }
    return settings


def _write(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def imported(tmp_path, fast_training):
    """Two communities in the interchange format, plus `lurker`, who follows community B and did nothing."""
    from recsys.services.importing import dataset_import

    rng = random.Random(3)
    folder = tmp_path / "data"
    folder.mkdir()
    users = [f"{c}{i}" for c in "ab" for i in range(10)]
    items = [
        (f"{c}-item-{i}", f"{c.upper()} thing {i}", f"cat-{c}") for c in "ab" for i in range(8)
    ]
    _write(folder / "users.csv", ["user_id"], [[u] for u in [*users, "lurker"]])
    _write(folder / "items.csv", ["item_id", "title", "category"], items)
    interactions = []
    for user in users:
        own = [item for item, _, category in items if category == f"cat-{user[0]}"]
        for item in rng.sample(own, 5):
            interactions.append([user, item, rng.choice(["view", "purchase", "like"]), "", ""])
    _write(
        folder / "interactions.csv",
        ["user_id", "item_id", "kind", "value", "timestamp"],
        interactions,
    )
    follows = [
        [u, v] for u in users for v in rng.sample([x for x in users if x[0] == u[0] and x != u], 3)
    ]
    follows += [["lurker", f"b{i}"] for i in range(4)]
    _write(folder / "follows.csv", ["follower_id", "followee_id"], follows)
    dataset_import(str(folder), prefix="t", log=lambda message: None)
    return items


def test_train_recommender_trains_scores_and_waits(imported, capsys):
    call_command("train_recommender")

    out = capsys.readouterr().out
    assert "done in" in out
    version = ModelVersion.objects.get(status="serving")
    assert ServingPointer.objects.get().run.model_version == version


def test_export_writes_every_shopper_with_external_ids_including_follow_only_ones(
    imported, tmp_path
):
    call_command("train_recommender")
    out = tmp_path / "recs.csv"

    call_command("export_recommendations", str(out), "--k", "5")

    with out.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["user_id", "rank", "item_id", "score", "reason"]
    by_user: dict[str, list[dict]] = {}
    for row in rows:
        by_user.setdefault(row["user_id"], []).append(row)
    assert len(by_user) == 21
    lurker = by_user["lurker"]
    assert [row["rank"] for row in lurker] == ["1", "2", "3", "4", "5"]
    item_ids = {item for item, _, _ in imported}
    assert {row["item_id"] for row in rows} <= item_ids
    assert any("whom you follow" in row["reason"] for row in lurker)
    assert all(row["reason"] for row in rows)


def test_export_rejects_a_bad_k(tmp_path):
    with pytest.raises(CommandError, match="--k"):
        call_command("export_recommendations", str(tmp_path / "x.csv"), "--k", "0")
