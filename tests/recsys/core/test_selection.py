"""Model selection on worlds where the right family is known: selection picks it, and no user group is
served below popularity on held-out data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recsys.core import (
    TrainingParams,
    build_dataset,
    evaluate,
    evaluate_popularity,
    holdout_split,
    refit,
    run_cold_protocol,
    run_protocol,
    score_matrix,
    served_scores,
    top_k,
    train,
)
from tests.recsys.core.worlds import cold_start_world, item_item_world, popularity_world

PARAMS = TrainingParams(
    no_components=8,
    max_epochs=10,
    patience=2,
    num_threads=1,
    seed=3,
    als_settings=((16, 0.05, 10.0),),
    als_iterations=8,
    ease_regularisations=(20.0, 200.0),
    knn_neighbours=(20, 50),
    validation_fraction=0.2,
)
WORLDS = {"popularity": popularity_world, "item_item": item_item_world, "cold": cold_start_world}


@pytest.fixture(scope="module")
def trained():
    models = {}
    for name, world in WORLDS.items():
        log, items, follows = world()
        dataset = build_dataset(log, items=items, follows=follows, params=PARAMS)
        models[name] = (dataset, train(dataset, PARAMS))
    return models


def _main_family(recipe) -> str:
    return max(recipe, key=lambda part: part[1])[0]


def test_popularity_world_is_served_popularity(trained):
    _, model = trained["popularity"]
    for group in ("light", "heavy"):
        choice = model.selection.choice(group)
        if choice.reason != "no validation users in this group":
            assert choice.recipe == (("popularity", 1.0),), choice.reason


def test_item_item_world_is_served_an_item_based_family(trained):
    _, model = trained["item_item"]
    choice = model.selection.choice("heavy")
    assert _main_family(choice.recipe) in {"ease", "item_knn"}, choice.reason
    figures = {f.candidate: f for f in model.selection.figures("heavy")}
    assert figures[choice.candidate].gain_z > PARAMS.blend_min_z
    assert figures["ease"].ndcg > figures["als"].ndcg > figures["popularity"].ndcg


def test_cold_start_world_serves_cold_shoppers_from_their_follows(trained):
    _, model = trained["cold"]
    choice = model.selection.choice("cold")
    assert choice.recipe == (("lightfm", 1.0),), choice.reason
    cold = {f.candidate: f for f in model.selection.figures("cold")}
    assert cold["lightfm"].precision > cold["popularity"].precision


@pytest.mark.parametrize("world", sorted(WORLDS))
def test_no_group_is_served_below_popularity_on_held_out_data(world):
    log, items, follows = WORLDS[world](seed=1)
    dataset = build_dataset(log, items=items, follows=follows, params=PARAMS)
    train_matrix, train_weights, test = holdout_split(dataset.interactions, dataset.weights, seed=5)
    model = train(dataset.with_interactions(train_matrix, train_weights), PARAMS)
    served = evaluate(model, train=train_matrix, test=test)
    popularity = evaluate_popularity(train=train_matrix, test=test)
    tolerance = 0.01
    assert served.overall.ndcg >= popularity.overall.ndcg - tolerance
    if served.light_users.n_users:
        assert served.light_users.ndcg >= popularity.light_users.ndcg - tolerance
    if dataset.user_follows.nnz:
        reports, _ = run_cold_protocol(dataset, PARAMS, seed=5, identity_only_baseline=False)
        assert reports["model"].overall.ndcg >= reports["popularity"].overall.ndcg - tolerance


def test_the_selection_report_is_plain_json(trained):
    _, model = trained["item_item"]
    report = json.loads(json.dumps(model.selection.as_dict()))
    assert {c["group"] for c in report["choices"]} == {"light", "heavy"}
    assert {"candidate", "group", "precision", "ndcg", "users", "gain_z", "settings"} <= set(
        report["candidates"][0]
    )
    assert report["seconds"]["fit_ease"] >= 0


def test_served_scores_take_vectors_for_cold_rows(trained):
    dataset, model = trained["cold"]
    vectors, biases = model.user_representations(model.user_features[[0, 1]])
    scores = served_scores(model, np.array([-1, 1]), vectors=vectors, biases=biases)
    assert scores.shape == (2, model.n_items)
    np.testing.assert_allclose(scores[1], served_scores(model, [1])[0])
    with pytest.raises(ValueError, match="vectors"):
        served_scores(model, [-1])


def test_a_model_without_served_families_serves_lightfm(trained):
    import dataclasses

    dataset, model = trained["item_item"]
    plain = dataclasses.replace(model, served=None, selection=None)
    rows = np.arange(10)
    vectors, biases = model.user_representations(model.user_features[rows])
    lightfm = score_matrix(
        model,
        vectors,
        biases,
        blend_weights=model.blend.weights_for_counts(model.user_train_counts[rows]),
    )
    np.testing.assert_allclose(served_scores(plain, rows), lightfm)
    assert len(top_k(plain, rows, k=5, exclude=dataset.interactions[rows])[0]) == 10


def test_the_protocol_figures_carry_the_selection_report():
    log, items, follows = item_item_world(users=120, bundles=40)
    dataset = build_dataset(log, items=items, follows=follows, params=PARAMS)
    figures = run_protocol(dataset, PARAMS, identity_only_baseline=False).as_dict()
    selection = json.loads(json.dumps(figures))["validation"]["selection"]
    assert {c["group"] for c in selection["choices"]} == {"light", "heavy"}
    assert {c["candidate"] for c in selection["candidates"]} >= {"als", "ease", "popularity"}


def test_refit_brings_a_holdout_model_up_to_all_data_without_choosing_again():
    log, items, follows = item_item_world(users=120, bundles=40)
    dataset = build_dataset(log, items=items, follows=follows, params=PARAMS)
    train_matrix, train_weights, _ = holdout_split(dataset.interactions, dataset.weights, seed=5)
    holdout = train(dataset.with_interactions(train_matrix, train_weights), PARAMS)
    recipes, report = dict(holdout.served.recipes), holdout.selection
    final = refit(holdout, dataset, PARAMS)
    assert dict(final.served.recipes) == recipes
    assert [c.as_dict() for c in final.selection.choices] == [c.as_dict() for c in report.choices]
    assert final.served.history.nnz == dataset.interactions.nnz
    np.testing.assert_array_equal(
        final.user_train_counts, np.diff(dataset.interactions.tocsr().indptr)
    )
    assert "refit_families" in dict(final.selection.seconds)


def test_refit_refuses_another_catalogue(trained):
    _, model = trained["item_item"]
    other, _ = trained["popularity"]
    with pytest.raises(ValueError, match="same shoppers and products"):
        refit(model, other, PARAMS)


@pytest.mark.parametrize("mode", ["none", "full"])
def test_refit_follows_the_refit_mode(mode):
    log, items, follows = item_item_world(users=80, bundles=30)
    params = PARAMS.replace(refit=mode)
    dataset = build_dataset(log, items=items, follows=follows, params=params)
    train_matrix, train_weights, _ = holdout_split(dataset.interactions, dataset.weights, seed=5)
    holdout = train(dataset.with_interactions(train_matrix, train_weights), params)
    epochs = holdout.epochs_run
    final = refit(holdout, dataset, params)
    assert final.epochs_run == epochs + (0 if mode == "none" else holdout.best_epoch)
