"""The fused blended product (`score_matrix` with blend weights) against the straightforward computation:
raw scores, standardised per row over the catalogue, plus weight x standardised log popularity."""

from __future__ import annotations

import numpy as np
import pytest

from recsys.core import TrainingParams, build_dataset, score_matrix, train
from recsys.core.scoring import (
    _popularity_rank_score,
    _popularity_z,
    row_moments,
    standardised_scores,
)
from tests.recsys.core.worlds import item_item_world

PARAMS = TrainingParams(
    no_components=8,
    max_epochs=4,
    patience=2,
    num_threads=1,
    seed=5,
    families=("lightfm", "popularity"),
)


@pytest.fixture(scope="module")
def model():
    log, items, follows = item_item_world(users=80, bundles=30)
    dataset = build_dataset(log, items=items, follows=follows, params=PARAMS)
    return train(dataset, PARAMS)


def _vectors(model, rows):
    return model.user_representations(model.user_features[rows])


def test_row_moments_equal_the_mean_and_std_of_the_raw_scores(model):
    rows = np.arange(12)
    vectors, biases = _vectors(model, rows)
    raw = score_matrix(model, vectors, biases).astype(np.float64)
    augmented = np.column_stack([vectors, biases, np.ones(len(rows))])
    mean, std = row_moments(model, augmented)
    np.testing.assert_allclose(mean, raw.mean(axis=1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(std, raw.std(axis=1), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("weight", [0.25, 1.0, 4.0])
def test_blended_scores_equal_standardised_scores_plus_weighted_popularity(model, weight):
    rows = np.arange(12)
    vectors, biases = _vectors(model, rows)
    raw = score_matrix(model, vectors, biases).astype(np.float64)
    expected = (raw - raw.mean(axis=1, keepdims=True)) / raw.std(
        axis=1, keepdims=True
    ) + weight * _popularity_z(model)[None, :]
    blended = score_matrix(model, vectors, biases, blend_weights=np.full(len(rows), weight))
    np.testing.assert_allclose(blended, expected, rtol=1e-3, atol=1e-3)


def test_rows_with_weight_zero_keep_their_raw_scores_next_to_blended_rows(model):
    rows = np.arange(6)
    vectors, biases = _vectors(model, rows)
    raw = score_matrix(model, vectors, biases)
    weights = np.array([0.0, 1.0, 0.0, 2.0, 0.0, 1.0])
    blended = score_matrix(model, vectors, biases, blend_weights=weights)
    np.testing.assert_allclose(blended[weights == 0], raw[weights == 0], rtol=1e-5, atol=1e-5)


def test_popularity_only_rows_get_exactly_the_popularity_rank_scores(model):
    rows = np.arange(4)
    vectors, biases = _vectors(model, rows)
    scores = score_matrix(model, vectors, biases, blend_weights=np.array([1000.0, 0.5, 1000.0, 0]))
    np.testing.assert_array_equal(scores[[0, 2]], np.tile(_popularity_rank_score(model), (2, 1)))


def test_standardised_scores_have_mean_zero_and_unit_spread_per_user(model):
    rows = np.arange(8)
    vectors, biases = _vectors(model, rows)
    raw = score_matrix(model, vectors, biases).astype(np.float64)
    expected = (raw - raw.mean(axis=1, keepdims=True)) / raw.std(axis=1, keepdims=True)
    np.testing.assert_allclose(
        standardised_scores(model, vectors, biases), expected, rtol=1e-3, atol=1e-3
    )
