"""Ranked lists for a batch of shoppers from one loaded model: 'for you' (the model, with reason facts) and
'popular with people you follow' (followees' purchases and likes). Used by scoring runs and on request.

Trained shoppers are scored from their own feature row; new ones, and trained ones whose follows changed since
training, from their followees and favourite categories. Bought and unavailable products are left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recsys import core
from recsys.core.scoring import top_k_from_scores
from recsys.services import data
from recsys.services.data import FolloweeActions, UserSignals

__all__ = ["ModelLookups", "friends_entries_for_users", "model_lookups", "score_users"]


def _reason_facts(
    *,
    product_id: int,
    user_followees: list[int],
    actions: FolloweeActions,
    similar_to: int | None,
    favourite_category_ids: set[int],
    product_category: dict[int, list[int]],
    trending_ids: set[int],
) -> list[dict]:
    facts: list[dict] = []
    bought = [
        f
        for f in user_followees
        if product_id in actions.get(f, {}) and actions[f][product_id]["bought"]
    ]
    liked = [
        f
        for f in user_followees
        if product_id in actions.get(f, {}) and actions[f][product_id]["liked"]
    ]
    if bought:
        facts.append({"k": "followee", "a": "bought", "u": bought[:10]})
    if liked:
        facts.append({"k": "followee", "a": "liked", "u": liked[:10]})
    if similar_to is not None:
        facts.append({"k": "similar", "p": similar_to})
    for category_id in product_category.get(product_id, []):
        if category_id in favourite_category_ids:
            facts.append({"k": "category", "c": category_id})
            break
    if product_id in trending_ids:
        facts.append({"k": "trending"})
    return facts


@dataclass(frozen=True)
class ModelLookups:
    """Key -> row maps and unit item vectors of one loaded model, built once per process."""

    user_index: dict
    item_index: dict
    unit_items: np.ndarray


_LOOKUPS: dict[int, tuple[core.TrainedModel, ModelLookups]] = {}


def model_lookups(model: core.TrainedModel) -> ModelLookups:
    cached = _LOOKUPS.get(id(model))
    if cached is not None and cached[0] is model:
        return cached[1]
    embeddings = model.item_representations
    lookups = ModelLookups(
        user_index=model.user_index(),
        item_index=model.item_index(),
        unit_items=embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-9),
    )
    if len(_LOOKUPS) >= 4:
        _LOOKUPS.clear()
    _LOOKUPS[id(model)] = (model, lookups)
    return lookups


def _most_similar_history(
    model: core.TrainedModel, item_index: dict, recommended: list[int], history: list[int]
) -> dict[int, int]:
    """For each recommended product, the history product closest in item embedding (cosine >= 0.3)."""
    rec_rows = [item_index[p] for p in recommended if p in item_index]
    hist = [(p, item_index[p]) for p in history if p in item_index]
    if not rec_rows or not hist:
        return {}
    unit = model_lookups(model).unit_items
    sims = unit[rec_rows] @ unit[[row for _, row in hist]].T
    result = {}
    rec_products = [p for p in recommended if p in item_index]
    for i, product_id in enumerate(rec_products):
        sims_row = sims[i].copy()
        for j, (hist_product, _) in enumerate(hist):
            if hist_product == product_id:
                sims_row[j] = -1
        best = int(np.argmax(sims_row))
        if sims_row[best] >= 0.3:
            result[product_id] = hist[best][0]
    return result


def score_users(
    *,
    model: core.TrainedModel | None,
    user_ids: list[int],
    k: int,
    trending_ids: set[int] | None = None,
    signals: UserSignals | None = None,
    actions: FolloweeActions | None = None,
) -> dict[int, list]:
    """{user_id: [[product_id, score, facts], ...]} for the 'for you' widget, bought and unavailable items
    left out. Trained users are scored from their own feature row; others from followees and categories."""
    if model is None or not user_ids:
        return {}
    signals = signals or data.user_signals(user_ids)
    lookups = model_lookups(model)
    item_index, user_index = lookups.item_index, lookups.user_index
    excluded_products = data.unavailable_product_ids()
    n = len(user_ids)
    vectors = np.zeros((n, model.no_components), dtype=np.float32)
    biases = np.zeros(n, dtype=np.float32)
    # Shoppers the model learned from (at least one training interaction); the rest are cold.
    trained_rows = [
        (i, user_index[uid])
        for i, uid in enumerate(user_ids)
        if uid in user_index and model.user_train_counts[user_index[uid]] > 0
    ]
    if trained_rows:
        positions = [i for i, _ in trained_rows]
        v, b = model.user_representations(model.user_features[[row for _, row in trained_rows]])
        vectors[positions], biases[positions] = v, b
    trained = {i for i, _ in trained_rows}
    slugs = data.category_slugs({c for cs in signals.favourite_categories.values() for c in cs})
    # The model row of each shopper the served recipe scores as trained; -1 for one represented by features.
    model_rows = np.full(n, -1, dtype=np.int64)
    for i, uid in enumerate(user_ids):
        # New shoppers, and trained ones whose follows changed since, are represented by their features now.
        if i in trained and not _follows_changed(
            model, user_index[uid], signals.followees.get(uid, [])
        ):
            model_rows[i] = user_index[uid]
            continue
        v, b = core.user_representation_from_features(
            model,
            followees=signals.followees.get(uid, []),
            favourite_categories=[
                slugs[c] for c in signals.favourite_categories.get(uid, []) if c in slugs
            ],
            user_key=uid if i in trained else None,
        )
        vectors[i], biases[i] = v[0], b[0]
    excluded_rows = [item_index[p] for p in excluded_products if p in item_index]
    items = np.full((n, k), -1, dtype=np.int64)
    scores = np.full((n, k), -np.inf, dtype=np.float32)
    for start in range(0, n, 512):
        stop = min(start + 512, n)
        rows, cols = [], []
        for i in range(start, stop):
            bought_rows = [
                item_index[p] for p in signals.purchased.get(user_ids[i], ()) if p in item_index
            ]
            for col in [*bought_rows, *excluded_rows]:
                rows.append(i - start)
                cols.append(col)
        exclude = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)),
            shape=(stop - start, model.n_items),
        )
        # The family (or blend) chosen on validation for each shopper's group, LightFM for feature rows.
        full = core.served_scores(
            model, model_rows[start:stop], vectors=vectors[start:stop], biases=biases[start:stop]
        )
        items[start:stop], scores[start:stop] = top_k_from_scores(full, k, exclude=exclude)
    recommended: dict[int, list[int]] = {}
    for i, uid in enumerate(user_ids):
        recommended[uid] = [int(model.item_keys[c]) for c in items[i] if c >= 0]
    all_followees = {f for fs in signals.followees.values() for f in fs}
    all_products = {p for ps in recommended.values() for p in ps}
    if actions is None:
        actions = data.followee_actions(all_followees, all_products)
    categories = data.product_category_ancestors(all_products)
    result: dict[int, list] = {}
    for i, uid in enumerate(user_ids):
        similar = _most_similar_history(
            model, item_index, recommended[uid], signals.history.get(uid, [])
        )
        favourite = set(signals.favourite_categories.get(uid, []))
        entries = []
        for product_id, score in zip(
            recommended[uid],
            [s for c, s in zip(items[i], scores[i], strict=True) if c >= 0],
            strict=True,
        ):
            facts = _reason_facts(
                product_id=product_id,
                user_followees=signals.followees.get(uid, []),
                actions=actions,
                similar_to=similar.get(product_id),
                favourite_category_ids=favourite,
                product_category=categories,
                trending_ids=trending_ids or set(),
            )
            entries.append([product_id, round(float(score), 5), facts])
        result[uid] = entries
    return result


def _follows_changed(model: core.TrainedModel, row: int, followees: list[int]) -> bool:
    trained = {
        model.user_keys[c]
        for c in model.user_follows.indices[
            model.user_follows.indptr[row] : model.user_follows.indptr[row + 1]
        ]
    }
    return trained != set(followees)


def friends_entries_for_users(
    user_ids: list[int],
    *,
    k: int,
    signals: UserSignals | None = None,
    actions: FolloweeActions | None = None,
) -> dict[int, list]:
    """'Popular with people you follow': products the shopper's followees bought or liked, most followees
    first, the shopper's own purchases and unavailable products left out."""
    signals = signals or data.user_signals(user_ids)
    if actions is None:
        actions = data.followee_actions({f for fs in signals.followees.values() for f in fs})
    unavailable = data.unavailable_product_ids()
    result: dict[int, list] = {}
    for uid in user_ids:
        tally: dict[int, dict[str, set[int]]] = defaultdict(
            lambda: {"bought": set(), "liked": set()}
        )
        for followee in signals.followees.get(uid, []):
            for product_id, kinds in actions.get(followee, {}).items():
                tally[product_id]["bought"] |= kinds["bought"]
                tally[product_id]["liked"] |= kinds["liked"]
        own = signals.purchased.get(uid, set())
        ranked = sorted(
            (
                (
                    len(kinds["bought"] | kinds["liked"]) + 0.5 * len(kinds["bought"]),
                    product_id,
                    kinds,
                )
                for product_id, kinds in tally.items()
                if product_id not in own and product_id not in unavailable
            ),
            key=lambda entry: (-entry[0], entry[1]),
        )[:k]
        entries = []
        for score, product_id, kinds in ranked:
            facts = []
            if kinds["bought"]:
                facts.append({"k": "followee", "a": "bought", "u": sorted(kinds["bought"])[:10]})
            if kinds["liked"]:
                facts.append({"k": "followee", "a": "liked", "u": sorted(kinds["liked"])[:10]})
            entries.append([product_id, float(score), facts])
        result[uid] = entries
    return result
