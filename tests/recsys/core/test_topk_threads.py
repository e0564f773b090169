"""The top-k selection runs row blocks on a thread pool; it must agree with a plain sort and survive a fork."""

import multiprocessing

import numpy as np
import pytest
import scipy.sparse as sp

from recsys.core.scoring import top_k_from_scores


def _scores(rows: int = 600, items: int = 300) -> np.ndarray:
    return np.random.default_rng(7).standard_normal((rows, items)).astype(np.float32)


def test_threaded_selection_matches_a_full_sort():
    scores = _scores()
    items, values = top_k_from_scores(scores, 5)
    expected = np.argsort(-scores, axis=1, kind="stable")[:, :5]
    assert np.array_equal(items, expected)
    assert np.allclose(values, np.take_along_axis(scores, expected, axis=1))


def _child_top_item(_: int) -> int:
    return int(top_k_from_scores(_scores(), 3)[0][0, 0])


def test_selection_works_in_a_forked_child_after_the_parent_used_it():
    parent_top = int(top_k_from_scores(_scores(), 3)[0][0, 0])
    with multiprocessing.get_context("fork").Pool(1) as pool:
        child_top = pool.map_async(_child_top_item, [0]).get(timeout=30)
    assert child_top == [parent_top]


def _expected(scores: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def test_block_threshold_selection_matches_a_full_sort_on_wide_rows():
    # 3000 columns is wide enough for the block-maximum threshold (at least 2k blocks of 64 columns).
    scores = _scores(rows=400, items=3000)
    items, values = top_k_from_scores(scores, 10)
    assert np.array_equal(items, _expected(scores, 10))
    assert np.array_equal(values, np.take_along_axis(scores, items, axis=1))


def test_ties_go_to_the_lower_column_whichever_selection_runs():
    # Scores rounded to one decimal: many ties at the k-th place; some rows entirely equal (the fallback).
    scores = np.round(_scores(rows=300, items=3000), 1)
    scores[:5] = 0.5
    items, _ = top_k_from_scores(scores, 10)
    assert np.array_equal(items, _expected(scores, 10))
    assert np.array_equal(items[0], np.arange(10))


def test_rows_with_every_item_excluded_come_back_empty():
    scores = _scores(rows=300, items=3000)
    exclude = np.zeros_like(scores)
    exclude[:3] = 1.0
    exclude[3, 7:] = 1.0
    items, values = top_k_from_scores(scores, 10, exclude=sp.csr_matrix(exclude))
    assert np.all(items[:3] == -1)
    assert np.all(np.isneginf(values[:3]))
    assert np.array_equal(items[3], [*_expected(scores[3:4, :7], 7)[0], -1, -1, -1])
    assert np.array_equal(items[4:], _expected(scores[4:], 10))


@pytest.mark.parametrize(
    ("rows", "items", "k"),
    [(3, 40, 1), (5, 45, 2), (300, 1682, 10), (7, 1000, 30), (2, 9, 10), (260, 517, 3)],
)
def test_selection_matches_a_full_sort_for_any_shape(rows, items, k):
    scores = np.round(_scores(rows=rows, items=items), 2)
    found, values = top_k_from_scores(scores, k)
    width = min(k, items)
    assert np.array_equal(found[:, :width], _expected(scores, width))
    assert np.all(found[:, width:] == -1)
    assert np.array_equal(values[:, :width], np.take_along_axis(scores, found[:, :width], axis=1))
