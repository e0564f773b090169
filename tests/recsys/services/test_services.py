from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from recsys import selectors, services
from recsys.models import Click, Conversion, Experiment, ModelVersion
from recsys.services import serving, training
from shop.models import ProductEvent
from tests.factories import ProductFactory, UserFactory
from tests.factories.commerce import OrderFactory, OrderLineFactory

pytestmark = pytest.mark.django_db


# --- experiments -----------------------------------------------------------------------------------------


def test_variant_assignment_is_stable_for_a_shopper():
    experiment = services.experiment_start(name="e1", challenger=None)

    first = [
        selectors.experiment_variant_for_user(experiment=experiment, user_id=uid)
        for uid in range(200)
    ]
    again = [
        selectors.experiment_variant_for_user(experiment=experiment, user_id=uid)
        for uid in range(200)
    ]

    assert first == again


def test_variant_split_follows_the_weights_roughly():
    experiment = Experiment(name="e", salt="fixed", weights={"serving": 50, "popularity": 50})

    variants = [
        selectors.experiment_variant_for_user(experiment=experiment, user_id=uid)
        for uid in range(2000)
    ]

    assert 900 < variants.count("serving") < 1100
    assert set(variants) == {"serving", "popularity"}


def test_a_new_experiment_reshuffles_with_a_new_salt_and_ends_the_old_one():
    old = services.experiment_start(name="old", challenger=None)
    new = services.experiment_start(name="new", challenger=None)

    old.refresh_from_db()
    assert old.is_active is False
    assert old.ended_at is not None
    assert new.is_active
    assert new.salt != old.salt


def test_popularity_variant_gets_trending_with_variant_logged(user):
    from tests.recsys.helpers import stored_run

    personal, popular = ProductFactory(), ProductFactory()
    stored_run(
        user_lists={user: [[personal.pk, 1, []]]}, trending=[[popular.pk, 1, [{"k": "trending"}]]]
    )
    services.experiment_start(name="pop-only", challenger=None, weights={"popularity": 1})

    [item] = serving.recommendations_for_user(user=user)

    assert (item.product, item.variant) == (popular, "popularity")


# --- attribution -----------------------------------------------------------------------------------------


def _click(user, product, minutes_ago: int) -> Click:
    click = Click.objects.create(
        widget="for_you", user=user, product=product, position=1, variant="serving"
    )
    Click.objects.filter(pk=click.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return click


def test_cart_add_after_a_click_is_attributed_once(user, product):
    click = _click(user, product, minutes_ago=10)
    ProductEvent.objects.create(user=user, product=product, kind="cart", created_at=timezone.now())

    assert services.attribution_update() == 1
    assert services.attribution_update() == 0
    assert list(Conversion.objects.values_list("click_id", "kind")) == [(click.pk, "cart")]


def test_purchase_after_a_click_is_attributed(user, product):
    click = _click(user, product, minutes_ago=5)
    OrderLineFactory(order=OrderFactory(user=user), product=product)

    services.attribution_update()

    assert list(Conversion.objects.values_list("click_id", "kind")) == [(click.pk, "purchase")]


@pytest.mark.parametrize("case", ["before_click", "outside_window", "other_product", "other_user"])
def test_unrelated_cart_adds_are_not_attributed(user, product, case, settings):
    settings.RECSYS_ATTRIBUTION_WINDOW_SECONDS = 3600
    _click(user, product, minutes_ago=120 if case == "outside_window" else 10)
    when = timezone.now() - timedelta(minutes=30) if case == "before_click" else timezone.now()
    buyer = UserFactory() if case == "other_user" else user
    bought = ProductFactory() if case == "other_product" else product
    ProductEvent.objects.create(user=buyer, product=bought, kind="cart", created_at=when)

    services.attribution_update()

    assert Conversion.objects.count() == 0


def test_variant_stats_count_impressions_clicks_and_conversions(user, product):
    from recsys.models import Impression

    Impression.objects.bulk_create(
        Impression(widget="for_you", user=user, product=product, variant="serving", position=1)
        for _ in range(20)
    )
    _click(user, product, minutes_ago=1)
    ProductEvent.objects.create(user=user, product=product, kind="cart", created_at=timezone.now())
    services.attribution_update()

    [stats] = selectors.variant_stats()

    assert (stats.variant, stats.impressions, stats.clicks, stats.conversions) == (
        "serving",
        20,
        1,
        1,
    )
    assert stats.ctr == pytest.approx(0.05)
    assert stats.ctr_low < 0.05 < stats.ctr_high


# --- promotion, rollback, lock ---------------------------------------------------------------------------


def _metrics(
    model: float, popularity: float, serving: float | None = None, candidate: float | None = None
) -> dict[str, Any]:
    metrics: dict[str, Any] = {
        "model": {"overall": {"precision": model}},
        "popularity": {"overall": {"precision": popularity}},
    }
    if serving is not None:
        metrics["serving_comparison"] = {
            "test_users": 40,
            "serving": {"overall": {"precision": serving}},
            "model": {"overall": {"precision": candidate}},
        }
    return metrics


@pytest.mark.parametrize(
    ("metrics", "promote"),
    [
        (_metrics(0.30, 0.20), True),
        (_metrics(0.20, 0.20), False),
        (_metrics(0.10, 0.20), False),
        (_metrics(0.30, 0.20, serving=0.25, candidate=0.248), True),
        (_metrics(0.30, 0.20, serving=0.25, candidate=0.20), False),
    ],
)
def test_promotion_rule(metrics, promote, settings):
    settings.RECSYS_PROMOTION_TOLERANCE = 0.02

    assert training.promotion_decision(metrics)[0] is promote


def test_promote_retires_the_previous_serving_version(tmp_path):
    old = ModelVersion.objects.create(
        status="serving", artifact_name=str(tmp_path / "a"), promoted_at=timezone.now()
    )
    new = ModelVersion.objects.create(status="ready", artifact_name=str(tmp_path / "b"))

    services.model_version_promote(version=new)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.status, new.status) == ("retired", "serving")


def test_a_failed_version_cannot_be_promoted():
    failed = ModelVersion.objects.create(status="failed")

    with pytest.raises(ValidationError):
        services.model_version_promote(version=failed)


def test_rollback_serves_the_previously_promoted_version(tmp_path):
    first = ModelVersion.objects.create(status="ready", artifact_name=str(tmp_path / "a"))
    services.model_version_promote(version=first)
    second = ModelVersion.objects.create(status="ready", artifact_name=str(tmp_path / "b"))
    services.model_version_promote(version=second)

    back = services.model_version_rollback()

    assert back == first
    assert ModelVersion.objects.get(status="serving") == first


def test_training_lock_admits_one_holder_and_its_own_retry():
    assert training.train_lock_acquire("task-1")
    assert not training.train_lock_acquire("task-2")
    assert training.train_lock_acquire("task-1")
    training.train_lock_release("task-1")
    assert training.train_lock_acquire("task-2")


def test_retrain_is_skipped_while_another_training_holds_the_lock():
    training.train_lock_acquire("someone-else")

    outcome = training.retrain(task_id="mine")

    assert outcome.status == "skipped"
    assert ModelVersion.objects.count() == 0


# --- signals ---------------------------------------------------------------------------------------------


def test_signals_changed_marks_the_shopper_for_on_request_scoring(user):
    from tests.recsys.helpers import stored_run

    run = stored_run(user_lists={user: []})
    ModelVersion.objects.filter(pk=run.model_version_id).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    run.model_version.refresh_from_db()
    assert services.user_signals_changed_since(user_id=user.pk, run=run) is False

    services.user_signals_changed(user.pk)

    assert services.user_signals_changed_since(user_id=user.pk, run=run) is True
