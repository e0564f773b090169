"""The top-k selection runs row blocks on a thread pool; it must agree with a plain sort and survive a fork."""

import multiprocessing

import numpy as np

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
