"""Training, scoring and serving end to end with eager Celery on a small synthetic shop with two communities."""

import pytest

from recsys import selectors, services, tasks
from recsys.models import ModelVersion, ScoringRun, ServingPointer, UserRecommendations
from recsys.services import scoring, training
from recsys.services import serving as serving_service
from social.models import Follow
from tests.factories import UserFactory
from tests.recsys.synthetic import build_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def fast_training(settings, tmp_path):
    settings.RECSYS_ARTIFACT_DIR = tmp_path / "models"
    settings.RECSYS_TRAINING = {
        "no_components": 16,
        "max_epochs": 15,
        "patience": 3,
        "seed": 3,
        "num_threads": 1,
        "learning_rate": 0.05,
    }
    settings.RECSYS_SCORING_CHUNK_USERS = 7
    settings.RECSYS_LIST_LENGTH = 10
    return settings


@pytest.fixture
def shop(fast_training):
    # 20 products a community: with 10, a top 10 of the 20-product catalogue holds the held-out item for
    # popularity almost as often as for the model, and the blend rightly serves popularity (validation gain
    # within noise), so there would be no model that beats popularity to promote.
    return build_shop(products_per_community=20)


@pytest.fixture
def trained(shop, django_capture_on_commit_callbacks):
    # Scoring is queued after commit: run it as a committed transaction would.
    with django_capture_on_commit_callbacks(execute=True):
        result = tasks.retrain.delay(force=True).get()
    return shop, result


def _share_from(items, products) -> float:
    ids = {p.pk for p in products}
    return sum(item.product.pk in ids for item in items) / max(len(items), 1)


def test_retrain_promotes_a_model_that_beats_popularity_and_scores_everyone(trained):
    shop, result = trained

    version = ModelVersion.objects.get(pk=result["version_id"])
    assert result["status"] == "promoted"
    assert version.status == "serving"
    assert (
        version.metrics["model"]["overall"]["precision"]
        > version.metrics["popularity"]["overall"]["precision"]
    )
    assert version.validation_curve
    assert version.validation_curve[0]["epoch"] == 1
    assert version.data_counts["users"] == 24
    assert version.timings["train_seconds"] > 0
    run = ServingPointer.objects.get().run
    assert run.status == "complete"
    assert run.model_version_id == version.pk
    assert run.chunks_total == 4  # 24 shoppers in chunks of 7
    assert UserRecommendations.objects.filter(run=run, widget="for_you").count() == 24


def test_shoppers_get_their_own_community_and_no_bought_items(trained):
    shop, _ = trained
    shopper = shop.shoppers["A"][0]
    bought = set(shopper.orders.values_list("lines__product_id", flat=True))

    items = serving_service.recommendations_for_user(user=shopper, k=5)

    assert len(items) == 5
    assert _share_from(items, shop.products["A"]) >= 0.8
    assert not bought & {item.product.pk for item in items}


def test_reasons_name_followees_who_bought(trained):
    shop, _ = trained
    shopper = shop.shoppers["A"][1]

    items = serving_service.recommendations_for_user(user=shopper, widget="friends", k=5)

    followees = set(
        Follow.objects.filter(follower=shopper).values_list("followee__username", flat=True)
    )
    assert items
    for item in items:
        assert item.people
        assert all(name.lstrip("@") in followees for name in item.people)


def test_similar_and_trending_lists_are_stored(trained):
    shop, _ = trained
    product = shop.products["B"][0]

    similar = serving_service.similar_products(product=product, k=4)
    trending = serving_service.trending_products(k=5)

    assert len(similar) == 4
    assert product not in [item.product for item in similar]
    assert len(trending) == 5
    assert trending[0].reason == "Trending now"
    assert serving_service.bought_together_products(product=product, k=3)


def test_a_new_shopper_who_follows_a_community_gets_its_items_without_retraining(trained):
    shop, _ = trained
    newcomer = UserFactory(username="newcomer")
    for followee in shop.shoppers["B"][:3]:
        Follow.objects.create(follower=newcomer, followee=followee)
    services.user_signals_changed(newcomer.pk)
    versions = ModelVersion.objects.count()

    items = serving_service.recommendations_for_user(user=newcomer, k=5)

    assert ModelVersion.objects.count() == versions
    assert _share_from(items, shop.products["B"]) >= 0.8
    assert any(item.reason_kind == "followee" for item in items)


def test_on_request_scores_are_cached_until_signals_change(trained, django_assert_max_num_queries):
    shop, _ = trained
    newcomer = UserFactory(username="newcomer")
    Follow.objects.create(follower=newcomer, followee=shop.shoppers["A"][0])
    services.user_signals_changed(newcomer.pk)
    first = serving_service.recommendations_for_user(user=newcomer, k=5)

    from unittest import mock

    with mock.patch.object(
        serving_service, "score_users", side_effect=AssertionError("scored again")
    ):
        again = serving_service.recommendations_for_user(user=newcomer, k=5)

    assert [i.product for i in again] == [i.product for i in first]


def test_changed_follows_rescore_a_trained_shopper_on_request(trained):
    shop, _ = trained
    shopper = shop.shoppers["A"][2]
    Follow.objects.filter(follower=shopper).delete()
    for followee in shop.shoppers["B"]:
        Follow.objects.create(follower=shopper, followee=followee)

    services.user_signals_changed(shopper.pk)
    items = serving_service.recommendations_for_user(user=shopper, widget="friends", k=5)

    assert items
    assert all(item.product.category == shop.categories["B"] for item in items)


def test_opted_out_shoppers_are_not_scored(shop):
    from social.models import Profile

    opted_out = shop.shoppers["A"][0]
    Profile.objects.filter(user=opted_out).update(personalise_recommendations=False)

    tasks.retrain.delay(force=True).get()

    assert not UserRecommendations.objects.filter(user=opted_out).exists()


def test_a_model_that_loses_is_rejected_and_the_serving_model_stays(trained, monkeypatch):
    shop, first = trained
    monkeypatch.setattr(training, "promotion_decision", lambda metrics: (False, "worse"))

    second = tasks.retrain.delay(force=True).get()

    assert second["status"] == "rejected"
    assert ModelVersion.objects.get(status="serving").pk == first["version_id"]
    assert ModelVersion.objects.get(pk=second["version_id"]).status == "rejected"


def test_second_training_compares_with_the_serving_model_on_fresh_pairs(trained):
    shop, first = trained
    from django.utils import timezone

    from shop.models import ProductEvent

    for shopper in shop.shoppers["A"]:
        ProductEvent.objects.bulk_create(
            ProductEvent(user=shopper, product=p, kind="view", created_at=timezone.now())
            for p in shop.products["A"]
        )

    second = training.retrain(task_id="second", force=True)

    metrics = ModelVersion.objects.get(pk=second.version_id).metrics
    assert metrics["serving_comparison"]["test_users"] > 0


def test_a_crash_mid_training_leaves_serving_untouched_and_the_retry_finishes(trained, monkeypatch):
    shop, first = trained
    real_train = training.core.train
    calls = {"n": 0}

    def crashing_train(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("worker died")
        return real_train(*args, **kwargs)

    monkeypatch.setattr(training.core, "train", crashing_train)
    with pytest.raises(RuntimeError):
        training.retrain(task_id="task-x", force=True)
    failed = ModelVersion.objects.get(task_id="task-x")
    assert failed.status == "failed"
    assert ModelVersion.objects.get(status="serving").pk == first["version_id"]

    retried = training.retrain(task_id="task-x", force=True)

    assert retried.version_id == failed.pk
    assert ModelVersion.objects.get(pk=failed.pk).status in {"serving", "rejected"}
    assert ModelVersion.objects.filter(task_id="task-x").count() == 1


def test_scoring_chunks_are_idempotent(trained):
    shop, _ = trained
    run, chunks = scoring.scoring_run_start(
        version_id=ModelVersion.objects.get(status="serving").pk
    )

    scoring.score_users_chunk(run_id=run.pk, user_ids=chunks[0])
    scoring.score_users_chunk(run_id=run.pk, user_ids=chunks[0])

    assert UserRecommendations.objects.filter(run=run, widget="for_you").count() == len(chunks[0])


def test_an_unfinished_run_is_never_read(trained):
    shop, _ = trained
    live = ServingPointer.objects.get().run
    run, chunks = scoring.scoring_run_start(version_id=live.model_version_id)
    scoring.score_users_chunk(run_id=run.pk, user_ids=chunks[0])

    assert selectors.serving_run() == live
    assert ScoringRun.objects.get(pk=run.pk).status == "running"


def test_retrain_if_needed_waits_for_enough_new_interactions(trained, settings):
    settings.RECSYS_RETRAIN_MIN_NEW_INTERACTIONS = 1000

    assert training.retrain_needed() is False
    assert tasks.retrain_if_needed.delay().get() == {"status": "not-needed"}
    assert training.retrain(task_id="beat").status == "skipped"


def test_challenger_variant_is_scored_on_request_by_the_challenger_model(trained):
    shop, first = trained
    challenger = training.retrain(task_id="challenger", force=True)
    candidate = ModelVersion.objects.get(pk=challenger.version_id)
    # Whatever the rule decided, the first version serves and the new one challenges it.
    serving = services.model_version_promote(
        version=ModelVersion.objects.get(pk=first["version_id"])
    )
    services.experiment_start(name="ab", challenger=candidate, weights={"challenger": 1})

    items = serving_service.recommendations_for_user(user=shop.shoppers["A"][0], k=5)

    assert serving.pk != candidate.pk
    assert {(item.variant, item.model_version_id) for item in items} == {
        ("challenger", candidate.pk)
    }


def test_dashboard_experiment_start_and_stop(trained, client):
    from django.urls import reverse

    from recsys.models import Experiment

    client.force_login(UserFactory(username="boss", is_staff=True))
    url = reverse("recsys:dashboard_action")
    version = ModelVersion.objects.get(status="serving")

    client.post(url, {"action": "experiment_start", "version": version.pk})
    client.post(url, {"action": "experiment_start", "version": ""})
    client.post(url, {"action": "experiment_stop"})

    assert Experiment.objects.count() == 2
    assert not Experiment.objects.filter(is_active=True).exists()


def test_a_new_shopper_who_picked_a_category_at_onboarding_gets_it_with_the_reason(trained):
    shop, _ = trained
    newcomer = UserFactory(username="picker")
    services.onboarding_complete(
        user=newcomer, category_ids=[shop.categories["B"].pk], followee_ids=[]
    )

    items = serving_service.recommendations_for_user(user=newcomer, k=5)

    assert _share_from(items, shop.products["B"]) >= 0.8
    assert "one of your favourite categories" in items[0].reason


def test_retrain_stores_which_family_serves_each_group(trained):
    _shop, result = trained

    selection = ModelVersion.objects.get(pk=result["version_id"]).metrics["selection"]

    assert {choice["group"] for choice in selection["choices"]} >= {"heavy", "cold"}
    assert all(choice["reason"] for choice in selection["choices"])
    assert "popularity" in {figure["candidate"] for figure in selection["candidates"]}
