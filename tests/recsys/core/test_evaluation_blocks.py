"""The popularity baseline's evaluation without dense blocks against the straightforward dense one (every
item scored for every user, training items at minus infinity)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recsys.core.evaluation import evaluate_popularity, evaluate_scores, popularity_scores


def _random_split(seed: int, users: int = 60, items: int = 300):
    rng = np.random.default_rng(seed)
    dense = rng.random((users, items)) < rng.uniform(0.005, 0.2, size=(users, 1))
    held = dense & (rng.random((users, items)) < 0.25)
    # A few held-out entries also stay in training: they must count as excluded, as in the dense path.
    train = dense & ~held | (held & (rng.random((users, items)) < 0.05))
    return sp.csr_matrix(train.astype(np.float32)), sp.csr_matrix(held.astype(np.float32))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_popularity_evaluation_equals_the_dense_evaluation(seed):
    train, test = _random_split(seed)
    popularity = popularity_scores(train)
    dense = evaluate_scores(
        lambda rows: np.tile(popularity, (len(rows), 1)), train=train, test=test, k=10
    )
    assert evaluate_popularity(train=train, test=test, k=10) == dense


def test_popularity_lists_are_padded_when_a_user_has_seen_almost_everything():
    train = sp.csr_matrix(np.array([[1, 1, 1, 0, 0], [0, 0, 0, 0, 1]], dtype=np.float32))
    test = sp.csr_matrix(np.array([[0, 0, 0, 1, 0], [1, 0, 0, 0, 0]], dtype=np.float32))
    popularity = popularity_scores(train)
    dense = evaluate_scores(
        lambda rows: np.tile(popularity, (len(rows), 1)), train=train, test=test, k=10
    )
    assert evaluate_popularity(train=train, test=test, k=10) == dense
