"""The recommender pipeline on the Django side: when to train, how to judge a new model, where lists go.

Training: under a lock, the data is read through `recsys.data`, a seeded holdout is split off, a model trained
on the rest is compared with popularity (same holdout) and with the serving model (on the held-out pairs the
serving model never trained on, so it cannot win by memory). The artefact is then trained on all data, written
to a temporary file and renamed. Promotion needs: beat popularity, and not fall more than the tolerance below
the serving model. A killed worker leaves the version row in `training` and the lock with its task id: the
redelivered task (same id) takes the lock again, reuses the row and finishes; the serving model is never touched
before the end.

Scoring: a `ScoringRun` gets rows from chunks of users (each chunk idempotent: it replaces its own rows) and
from the product lists; the last step flips the serving pointer.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import traceback
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from recsys import core
from recsys.core.scoring import top_k_from_scores
from recsys.models import (
    ModelVersion,
    ProductRecommendations,
    ScoringRun,
    UserRecommendations,
    Widget,
)

logger = logging.getLogger(__name__)

LOCK_KEY = "recsys:train-lock"
MIN_INTERACTIONS = 10
MIN_SERVING_TEST_USERS = 5


@dataclass(frozen=True)
class RetrainOutcome:
    status: str  # promoted, rejected, skipped, failed
    version_id: int | None
    serving_version_id: int | None
    message: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


# --- parameters and lock ---------------------------------------------------------------------------------


def training_params(**overrides) -> core.TrainingParams:
    allowed = {f.name for f in dataclasses.fields(core.TrainingParams)}
    values = {
        key: value
        for key, value in {**getattr(settings, "RECSYS_TRAINING", {}), **overrides}.items()
        if key in allowed
    }
    return core.TrainingParams(**values)


def _lock_seconds() -> int:
    return int(getattr(settings, "RECSYS_TRAIN_LOCK_SECONDS", 7200))


def train_lock_acquire(token: str) -> bool:
    """Take the training lock; the same token (a redelivered task) may take it again."""
    if cache.add(LOCK_KEY, token, timeout=_lock_seconds()):
        return True
    if cache.get(LOCK_KEY) == token:
        cache.set(LOCK_KEY, token, timeout=_lock_seconds())
        return True
    return False


def train_lock_release(token: str) -> None:
    if cache.get(LOCK_KEY) == token:
        cache.delete(LOCK_KEY)


# --- training data ---------------------------------------------------------------------------------------


def load_dataset(params: core.TrainingParams) -> core.Dataset:
    """The training matrices from the database, through `recsys.data` (opted-out and deleted users excluded)."""
    from recsys import data

    return data.load_dataset(params)


def _artifact_path(version_id: int) -> Path:
    return Path(settings.RECSYS_ARTIFACT_DIR) / f"model-v{version_id}.pkl"


def _pairs_path(version_id: int) -> Path:
    return Path(settings.RECSYS_ARTIFACT_DIR) / f"model-v{version_id}.pairs.npz"


def _save_pairs(dataset: core.Dataset, version_id: int) -> None:
    """Remember which (user, item) pairs this version trained on, so later evaluations can leave them out."""
    coo = dataset.interactions.tocoo()
    path = _pairs_path(version_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.npz")
    np.savez_compressed(
        temp,
        users=np.asarray(
            [str(k) for k in dataset.user_keys[coo.row].tolist()], dtype=object
        ).astype(str),
        items=np.asarray(
            [str(k) for k in dataset.item_keys[coo.col].tolist()], dtype=object
        ).astype(str),
    )
    temp.replace(path)


def _load_pairs(version_id: int) -> set[tuple[str, str]] | None:
    path = _pairs_path(version_id)
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as stored:
        return set(zip(stored["users"].tolist(), stored["items"].tolist(), strict=True))


@lru_cache(maxsize=4)
def _load_model_cached(path: str, mtime: float) -> core.TrainedModel:
    return core.TrainedModel.load(path)


def load_model(version: ModelVersion) -> core.TrainedModel | None:
    """The version's artefact, cached per process (keyed by path and modification time)."""
    if not version.artifact_path:
        return None
    path = Path(version.artifact_path)
    if not path.exists():
        logger.warning("artefact of version %s is missing: %s", version.pk, path)
        return None
    return _load_model_cached(str(path), path.stat().st_mtime)


# --- evaluation against the serving model ----------------------------------------------------------------


def _serving_scorer(serving: core.TrainedModel, dataset: core.Dataset):
    """Score the new dataset's users and items with an older model (unknown items rank last)."""
    serving_items = serving.item_index()
    columns = np.array(
        [serving_items.get(key, -1) for key in dataset.item_keys.tolist()], dtype=np.int64
    )
    known = columns >= 0
    serving_users = serving.user_index()
    follows = dataset.user_follows.tocsr()

    def score(rows: np.ndarray) -> np.ndarray:
        vectors = np.zeros((len(rows), serving.no_components), dtype=np.float32)
        biases = np.zeros(len(rows), dtype=np.float32)
        for i, row in enumerate(rows):
            key = dataset.user_keys[row]
            if key in serving_users:
                v, b = serving.user_representations(serving.user_features[[serving_users[key]]])
            else:
                followees = dataset.user_keys[
                    follows.indices[follows.indptr[row] : follows.indptr[row + 1]]
                ]
                v, b = core.user_representation_from_features(serving, followees=followees.tolist())
            vectors[i], biases[i] = v[0], b[0]
        full = core.score_matrix(serving, vectors, biases)
        out = np.full((len(rows), dataset.n_items), np.float32(-1e9), dtype=np.float32)
        out[:, known] = full[:, columns[known]]
        return out

    return score


def _restrict_test(
    dataset: core.Dataset, test: sp.csr_matrix, seen_pairs: set[tuple[str, str]]
) -> sp.csr_matrix:
    coo = test.tocoo()
    keep = np.array(
        [
            (str(dataset.user_keys[r]), str(dataset.item_keys[c])) not in seen_pairs
            for r, c in zip(coo.row.tolist(), coo.col.tolist(), strict=True)
        ],
        dtype=bool,
    )
    return sp.csr_matrix(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=test.shape, dtype=np.float32
    )


def compare_with_serving(
    *,
    serving_version: ModelVersion,
    dataset: core.Dataset,
    model: core.TrainedModel,
    train_matrix: sp.csr_matrix,
    test: sp.csr_matrix,
    k: int,
) -> dict | None:
    """Both models on the held-out pairs the serving model did not train on; None when too few remain."""
    serving = load_model(serving_version)
    seen = _load_pairs(serving_version.pk)
    if serving is None or seen is None:
        return None
    fresh_test = _restrict_test(dataset, test, seen)
    users = np.flatnonzero(np.diff(fresh_test.indptr) > 0)
    if len(users) < MIN_SERVING_TEST_USERS:
        return {"test_users": int(len(users))}
    serving_report = core.evaluate_scores(
        _serving_scorer(serving, dataset), train=train_matrix, test=fresh_test, k=k
    )
    model_report = core.evaluate(model, train=train_matrix, test=fresh_test, k=k)
    return {
        "test_users": int(len(users)),
        "serving": serving_report.as_dict(),
        "model": model_report.as_dict(),
    }


# --- retrain ---------------------------------------------------------------------------------------------


def _pause_for_drills() -> None:
    """RECSYS_TRAIN_PAUSE_SECONDS > 0 holds training open (used by the killed-worker drill and live test)."""
    pause = float(getattr(settings, "RECSYS_TRAIN_PAUSE_SECONDS", 0) or 0)
    if pause > 0:
        time.sleep(pause)


def _version_for_task(task_id: str, params: core.TrainingParams) -> ModelVersion:
    if task_id:
        existing = ModelVersion.objects.filter(task_id=task_id).first()
        if existing is not None and existing.status in {
            ModelVersion.Status.TRAINING,
            ModelVersion.Status.FAILED,
        }:
            ModelVersion.objects.filter(pk=existing.pk).update(
                status=ModelVersion.Status.TRAINING, error="", created_at=timezone.now()
            )
            existing.refresh_from_db()
            return existing
    return ModelVersion.objects.create(
        status=ModelVersion.Status.TRAINING,
        params=_json_params(params),
        task_id=task_id[:64],
    )


def _json_params(params: core.TrainingParams) -> dict:
    values = dataclasses.asdict(params)
    values["signal_weights"] = dict(params.signal_weights)
    return values


def _fail_stale_trainings(current_id: int) -> None:
    """Rows left in `training` by a worker that died long ago (older than the lock) are marked failed."""
    horizon = timezone.now() - timezone.timedelta(seconds=_lock_seconds())
    ModelVersion.objects.filter(
        status=ModelVersion.Status.TRAINING, created_at__lt=horizon
    ).exclude(pk=current_id).update(
        status=ModelVersion.Status.FAILED, error="abandoned: the training worker stopped"
    )


def promotion_decision(metrics: dict) -> tuple[bool, str]:
    """The promotion rule: beat popularity; not worse than serving beyond the tolerance."""
    name = getattr(settings, "RECSYS_PROMOTION_METRIC", "precision")
    tolerance = float(getattr(settings, "RECSYS_PROMOTION_TOLERANCE", 0.02))
    model_value = metrics["model"]["overall"][name]
    popularity_value = metrics["popularity"]["overall"][name]
    if not model_value > popularity_value:
        return False, f"{name} {model_value:.4f} does not beat popularity {popularity_value:.4f}"
    comparison = metrics.get("serving_comparison")
    if comparison and "serving" in comparison:
        serving_value = comparison["serving"]["overall"][name]
        candidate_value = comparison["model"]["overall"][name]
        if candidate_value < serving_value * (1 - tolerance):
            return False, (
                f"{name} {candidate_value:.4f} is below the serving model's {serving_value:.4f} "
                f"by more than {tolerance:.0%} on {comparison['test_users']} fresh test users"
            )
        return True, (
            f"{name} {model_value:.4f} beats popularity {popularity_value:.4f}; "
            f"{candidate_value:.4f} vs serving {serving_value:.4f} on fresh pairs"
        )
    return True, f"{name} {model_value:.4f} beats popularity {popularity_value:.4f}"


def retrain(
    *, task_id: str = "", force: bool = False, params: core.TrainingParams | None = None
) -> RetrainOutcome:
    """Train, evaluate and store a new version; promote it when the rule allows. Never runs twice at once.

    Without `force`, nothing happens unless enough new interactions arrived since the serving model's data.
    """
    from recsys import services

    params = params or training_params()
    token = task_id or f"local-{uuid.uuid4().hex}"
    serving = ModelVersion.objects.filter(status=ModelVersion.Status.SERVING).first()
    if not force and not retrain_needed():
        return RetrainOutcome(
            "skipped", None, serving.pk if serving else None, "not enough new interactions"
        )
    if not train_lock_acquire(token):
        return RetrainOutcome(
            "skipped", None, serving.pk if serving else None, "another training is running"
        )
    version = None
    try:
        version = _version_for_task(task_id, params)
        _fail_stale_trainings(version.pk)
        _pause_for_drills()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        dataset = load_dataset(params)
        timings["data_seconds"] = round(time.perf_counter() - started, 3)
        counts = {
            "users": int(dataset.n_users),
            "items": int(dataset.n_items),
            "interactions": int(dataset.interactions.nnz),
            "follows": int(dataset.user_follows.nnz),
            "user_features": len(dataset.user_feature_names),
            "item_features": len(dataset.item_feature_names),
        }
        if dataset.interactions.nnz < MIN_INTERACTIONS:
            ModelVersion.objects.filter(pk=version.pk).update(
                status=ModelVersion.Status.REJECTED,
                data_counts=counts,
                timings=timings,
                decision=f"not enough data ({dataset.interactions.nnz} interactions)",
            )
            return RetrainOutcome(
                "rejected", version.pk, serving.pk if serving else None, "not enough data"
            )
        step = time.perf_counter()
        train_matrix, train_weights, test = core.holdout_split(
            dataset.interactions,
            dataset.weights,
            test_fraction=float(getattr(settings, "RECSYS_HOLDOUT_FRACTION", 0.2)),
            seed=params.seed,
        )
        candidate = core.train(dataset.with_interactions(train_matrix, train_weights), params)
        timings["holdout_train_seconds"] = round(time.perf_counter() - step, 3)
        step = time.perf_counter()
        metrics: dict = {
            "k": params.k,
            "model": core.evaluate(candidate, train=train_matrix, test=test, k=params.k).as_dict(),
            "popularity": core.evaluate_popularity(
                train=train_matrix, test=test, k=params.k
            ).as_dict(),
        }
        if serving is not None:
            comparison = compare_with_serving(
                serving_version=serving,
                dataset=dataset,
                model=candidate,
                train_matrix=train_matrix,
                test=test,
                k=params.k,
            )
            if comparison is not None:
                metrics["serving_comparison"] = comparison
                if "serving" in comparison:
                    metrics["serving"] = comparison["serving"]
        timings["evaluate_seconds"] = round(time.perf_counter() - step, 3)
        step = time.perf_counter()
        final = core.train(dataset, params)
        timings["train_seconds"] = round(time.perf_counter() - step, 3)
        path = _artifact_path(version.pk)
        final.save(path)
        _save_pairs(dataset, version.pk)
        timings["total_seconds"] = round(time.perf_counter() - started, 3)
        curve = [
            {"epoch": epoch, "value": value}
            for epoch, value in enumerate(candidate.validation_curve, start=1)
        ]
        promote, decision = promotion_decision(metrics)
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelVersion.Status.READY,
            data_counts=counts,
            metrics=metrics,
            validation_curve=curve,
            timings={**timings, "best_epoch": candidate.best_epoch},
            artifact_path=str(path),
            trained_at=timezone.now(),
            decision=decision[:300],
        )
        version.refresh_from_db()
        if promote:
            services.model_version_promote(version=version)
            return RetrainOutcome("promoted", version.pk, version.pk, decision)
        ModelVersion.objects.filter(pk=version.pk).update(status=ModelVersion.Status.REJECTED)
        return RetrainOutcome("rejected", version.pk, serving.pk if serving else None, decision)
    except Exception:
        logger.exception("recommender training failed")
        if version is not None:
            ModelVersion.objects.filter(pk=version.pk).update(
                status=ModelVersion.Status.FAILED, error=traceback.format_exc()[-4000:]
            )
        raise
    finally:
        train_lock_release(token)


def interactions_since(*, since) -> int:
    """Shop and social signals recorded after `since` (events, order lines, reviews, wishlists, post likes)."""
    from shop.models import OrderLine, ProductEvent, Review, WishlistItem
    from social.models import Like

    return (
        ProductEvent.objects.filter(created_at__gt=since, user__isnull=False).count()
        + OrderLine.objects.filter(order__created_at__gt=since).count()
        + Review.objects.filter(created_at__gt=since).count()
        + WishlistItem.objects.filter(created_at__gt=since).count()
        + Like.objects.filter(created_at__gt=since).count()
    )


def retrain_needed() -> bool:
    """Enough new interactions since the serving model's data was read (or no model at all)."""
    serving = ModelVersion.objects.filter(status=ModelVersion.Status.SERVING).first()
    if serving is None:
        return True
    threshold = int(getattr(settings, "RECSYS_RETRAIN_MIN_NEW_INTERACTIONS", 500))
    return interactions_since(since=serving.created_at) >= threshold


def purchase_baskets() -> list[tuple[int, int]]:
    """(order id, product id) of every non-cancelled order line: the baskets for 'bought together'."""
    from shop.models import OrderLine

    return list(
        OrderLine.objects.filter(product_id__isnull=False)
        .exclude(order__status="cancelled")
        .values_list("order_id", "product_id")
    )


TRENDING_WEIGHTS = {"view": 1.0, "like": 2.0, "wishlist": 2.0, "cart": 3.0, "purchase": 5.0}


def recent_events(*, days: int) -> list[tuple[int, float, float]]:
    """(product id, unix time, weight) of recent views, likes, wishlist and cart adds, and purchases."""
    from shop.models import OrderLine, ProductEvent

    horizon = timezone.now() - timezone.timedelta(days=days)
    events = [
        (product_id, created_at.timestamp(), TRENDING_WEIGHTS.get(kind, 1.0))
        for product_id, kind, created_at in ProductEvent.objects.filter(
            created_at__gte=horizon, kind__in=list(TRENDING_WEIGHTS)
        ).values_list("product_id", "kind", "created_at")
    ]
    events += [
        (product_id, created_at.timestamp(), TRENDING_WEIGHTS["purchase"] * min(quantity, 5))
        for product_id, quantity, created_at in OrderLine.objects.filter(
            order__created_at__gte=horizon, product_id__isnull=False
        )
        .exclude(order__status="cancelled")
        .values_list("product_id", "quantity", "order__created_at")
    ]
    return events


# --- scoring ---------------------------------------------------------------------------------------------


def _chunk_size() -> int:
    return max(1, int(getattr(settings, "RECSYS_SCORING_CHUNK_USERS", 2000)))


def _list_length() -> int:
    return int(getattr(settings, "RECSYS_LIST_LENGTH", 30))


def scoring_user_ids() -> list[int]:
    """Every active shopper who allows personalisation (staff accounts are not shoppers)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    return list(
        get_user_model()
        .objects.filter(is_active=True, is_staff=False)
        .filter(Q(profile__isnull=True) | Q(profile__personalise_recommendations=True))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def scoring_run_start(*, version_id: int | None) -> tuple[ScoringRun, list[list[int]]]:
    user_ids = scoring_user_ids()
    size = _chunk_size()
    chunks = [user_ids[i : i + size] for i in range(0, len(user_ids), size)]
    run = ScoringRun.objects.create(model_version_id=version_id, chunks_total=len(chunks))
    return run, chunks


@dataclass
class UserSignals:
    """What scoring and reasons need about a batch of shoppers, read in a fixed number of queries."""

    followees: dict[int, list[int]]
    favourite_categories: dict[int, list[int]]
    purchased: dict[int, set[int]]
    history: dict[int, list[int]]


def user_signals(user_ids: list[int]) -> UserSignals:
    from shop.models import OrderLine, ProductEvent
    from social.models import Profile
    from social.selectors import follow_edges

    followees: dict[int, list[int]] = defaultdict(list)
    for follower, followee in follow_edges(user_ids=user_ids):
        followees[follower].append(followee)
    favourites: dict[int, list[int]] = defaultdict(list)
    for user_id, category_id in Profile.objects.filter(
        user_id__in=user_ids, favourite_categories__isnull=False
    ).values_list("user_id", "favourite_categories"):
        favourites[user_id].append(category_id)
    purchased: dict[int, set[int]] = defaultdict(set)
    for user_id, product_id in (
        OrderLine.objects.filter(order__user_id__in=user_ids, product_id__isnull=False)
        .exclude(order__status="cancelled")
        .values_list("order__user_id", "product_id")
    ):
        purchased[user_id].add(product_id)
    history: dict[int, list[int]] = defaultdict(list)
    for user_id, product_id in (
        ProductEvent.objects.filter(
            user_id__in=user_ids, kind__in=["view", "cart", "wishlist", "like"]
        )
        .order_by("-created_at")
        .values_list("user_id", "product_id")
    ):
        if len(history[user_id]) < 50 and product_id not in history[user_id]:
            history[user_id].append(product_id)
    for user_id, products in purchased.items():
        history[user_id] = list(dict.fromkeys([*products, *history[user_id]]))[:60]
    return UserSignals(followees, favourites, purchased, history)


def _category_slugs(category_ids: Iterable[int]) -> dict[int, str]:
    """Category ids -> the keys `recsys.data` gives categories (slugs)."""
    from shop.models import Category

    ids = list(category_ids)
    return dict(Category.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}


def followee_actions(
    followee_ids: Iterable[int], product_ids: Iterable[int] | None = None
) -> dict[int, dict[int, dict[str, set[int]]]]:
    """{followee: {product: {"bought": {...}, "liked": {...}}}} from purchases, post likes, likes, wishlists
    and good reviews."""
    from shop.models import OrderLine, ProductEvent, Review, WishlistItem
    from social.models import PostProduct

    followee_ids = list(set(followee_ids))
    result: dict[int, dict[int, dict[str, set[int]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )
    if not followee_ids:
        return result
    product_filter = {} if product_ids is None else {"product_id__in": list(set(product_ids))}
    for user_id, product_id in (
        OrderLine.objects.filter(
            order__user_id__in=followee_ids, product_id__isnull=False, **product_filter
        )
        .exclude(order__status="cancelled")
        .values_list("order__user_id", "product_id")
    ):
        result[user_id][product_id]["bought"].add(user_id)
    liked_sources = [
        ProductEvent.objects.filter(
            user_id__in=followee_ids, kind="like", **product_filter
        ).values_list("user_id", "product_id"),
        WishlistItem.objects.filter(user_id__in=followee_ids, **product_filter).values_list(
            "user_id", "product_id"
        ),
        Review.objects.filter(
            user_id__in=followee_ids, rating__gte=4, is_hidden=False, **product_filter
        ).values_list("user_id", "product_id"),
        PostProduct.objects.filter(
            post__likes__user_id__in=followee_ids, **product_filter
        ).values_list("post__likes__user_id", "product_id"),
    ]
    for rows in liked_sources:
        for user_id, product_id in rows:
            result[user_id][product_id]["liked"].add(user_id)
    return result


def unavailable_product_ids() -> set[int]:
    from shop.models import Product

    return set(Product.objects.filter(is_active=False).values_list("pk", flat=True)) | set(
        Product.objects.filter(stock__lte=0).values_list("pk", flat=True)
    )


def _reason_facts(
    *,
    product_id: int,
    user_followees: list[int],
    actions: dict,
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


def _category_paths(product_ids: Iterable[int]) -> dict[int, list[int]]:
    """Each product's category and its ancestors (ids), for the favourite-category reason."""
    from shop.models import Category, Product

    parents = dict(Category.objects.values_list("pk", "parent_id"))
    paths: dict[int, list[int]] = {}
    for product_id, category_id in Product.objects.filter(pk__in=list(product_ids)).values_list(
        "pk", "category_id"
    ):
        path, current, guard = [], category_id, 0
        while current is not None and guard < 20:
            path.append(current)
            current, guard = parents.get(current), guard + 1
        paths[product_id] = path
    return paths


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


def _trending_ids(run: ScoringRun | None) -> set[int]:
    if run is None:
        return set()
    row = ProductRecommendations.objects.filter(
        run=run, widget=Widget.TRENDING, product__isnull=True
    ).first()
    return {int(entry[0]) for entry in row.items} if row else set()


def score_users(
    *,
    model: core.TrainedModel | None,
    user_ids: list[int],
    k: int,
    trending_ids: set[int] | None = None,
    signals: UserSignals | None = None,
    actions: dict | None = None,
) -> dict[int, list]:
    """{user_id: [[product_id, score, facts], ...]} for the 'for you' widget, bought and unavailable items
    left out. Trained users are scored from their own feature row; others from followees and categories."""
    if model is None or not user_ids:
        return {}
    signals = signals or user_signals(user_ids)
    lookups = model_lookups(model)
    item_index, user_index = lookups.item_index, lookups.user_index
    excluded_products = unavailable_product_ids()
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
    blend = np.full(n, model.blend.cold_weight, dtype=np.float32)
    if trained_rows:
        blend[[i for i, _ in trained_rows]] = model.blend.weights_for_counts(
            model.user_train_counts[[row for _, row in trained_rows]]
        )
    trained = {i for i, _ in trained_rows}
    slugs = _category_slugs({c for cs in signals.favourite_categories.values() for c in cs})
    for i, uid in enumerate(user_ids):
        # New shoppers, and trained ones whose follows changed since, are represented by their features now.
        if i in trained and not _follows_changed(
            model, user_index[uid], signals.followees.get(uid, [])
        ):
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
        full = core.score_matrix(
            model, vectors[start:stop], biases[start:stop], blend_weights=blend[start:stop]
        )
        items[start:stop], scores[start:stop] = top_k_from_scores(full, k, exclude=exclude)
    recommended: dict[int, list[int]] = {}
    for i, uid in enumerate(user_ids):
        recommended[uid] = [int(model.item_keys[c]) for c in items[i] if c >= 0]
    all_followees = {f for fs in signals.followees.values() for f in fs}
    all_products = {p for ps in recommended.values() for p in ps}
    if actions is None:
        actions = followee_actions(all_followees, all_products)
    categories = _category_paths(all_products)
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
    actions: dict | None = None,
) -> dict[int, list]:
    """'Popular with people you follow': products the shopper's followees bought or liked, most followees
    first, the shopper's own purchases and unavailable products left out."""
    signals = signals or user_signals(user_ids)
    if actions is None:
        actions = followee_actions({f for fs in signals.followees.values() for f in fs})
    unavailable = unavailable_product_ids()
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


def score_users_chunk(*, run_id: int, user_ids: list[int]) -> int:
    """Write the chunk's lists for the run, replacing any rows a previous attempt left (idempotent)."""
    run = ScoringRun.objects.select_related("model_version").filter(pk=run_id).first()
    if run is None or run.status != ScoringRun.Status.RUNNING:
        return 0
    model = load_model(run.model_version) if run.model_version else None
    k = _list_length()
    # One read of the chunk's signals and of their followees' actions serves both lists.
    signals = user_signals(user_ids)
    actions = followee_actions({f for fs in signals.followees.values() for f in fs})
    for_you = score_users(
        model=model,
        user_ids=user_ids,
        k=k,
        trending_ids=_current_trending_ids(),
        signals=signals,
        actions=actions,
    )
    friends = friends_entries_for_users(user_ids, k=k, signals=signals, actions=actions)
    rows = [
        UserRecommendations(run=run, user_id=uid, widget=Widget.FOR_YOU, items=entries)
        for uid, entries in for_you.items()
    ] + [
        UserRecommendations(run=run, user_id=uid, widget=Widget.FRIENDS, items=entries)
        for uid, entries in friends.items()
        if entries
    ]
    with transaction.atomic():
        UserRecommendations.objects.filter(run=run, user_id__in=user_ids).delete()
        UserRecommendations.objects.bulk_create(rows, batch_size=1000)
    return len(user_ids)


def _current_trending_ids() -> set[int]:
    from recsys.selectors import serving_run

    return _trending_ids(serving_run())


def score_products(*, run_id: int) -> int:
    """Similar items, bought together and trending for the run (idempotent)."""
    run = ScoringRun.objects.select_related("model_version").filter(pk=run_id).first()
    if run is None or run.status != ScoringRun.Status.RUNNING:
        return 0
    model = load_model(run.model_version) if run.model_version else None
    unavailable = unavailable_product_ids()
    k = _list_length()
    rows: list[ProductRecommendations] = []
    if model is not None:
        excluded = np.array(
            [row for key, row in model_lookups(model).item_index.items() if key in unavailable],
            dtype=np.int64,
        )
        neighbours = core.similar_items(model, k=min(k, 12), exclude_items=excluded)
        for row, key in enumerate(model.item_keys.tolist()):
            entries = [
                [int(model.item_keys[item]), round(score, 5), [{"k": "similar_item"}]]
                for item, score in neighbours.for_item(row)
            ]
            if entries:
                rows.append(
                    ProductRecommendations(
                        run=run, product_id=int(key), widget=Widget.SIMILAR, items=entries
                    )
                )
    baskets = purchase_baskets()
    if baskets:
        product_ids = sorted({product for _, product in baskets})
        index = {product: i for i, product in enumerate(product_ids)}
        together = core.bought_together(
            np.array([basket for basket, _ in baskets]),
            np.array([index[product] for _, product in baskets]),
            n_items=len(product_ids),
            k=8,
        )
        for i, product_id in enumerate(product_ids):
            entries = [
                [product_ids[item], float(score), [{"k": "bought_together"}]]
                for item, score in together.for_item(i)
                if product_ids[item] not in unavailable
            ]
            if entries:
                rows.append(
                    ProductRecommendations(
                        run=run, product_id=product_id, widget=Widget.BOUGHT_TOGETHER, items=entries
                    )
                )
    events = recent_events(days=90)
    if events:
        product_ids = sorted({product for product, _, _ in events})
        index = {product: i for i, product in enumerate(product_ids)}
        trend_rows, trend_scores = core.trending(
            np.array([index[product] for product, _, _ in events]),
            np.array([stamp for _, stamp, _ in events], dtype=np.float64),
            weights=np.array([weight for _, _, weight in events], dtype=np.float64),
            n_items=len(product_ids),
            now=time.time(),
            half_life_days=float(getattr(settings, "RECSYS_TRENDING_HALF_LIFE_DAYS", 7.0)),
            k=k,
            exclude_items=np.array(
                [index[p] for p in product_ids if p in unavailable], dtype=np.int64
            ),
        )
        rows.append(
            ProductRecommendations(
                run=run,
                product=None,
                widget=Widget.TRENDING,
                items=[
                    [product_ids[int(item)], round(float(score), 5), [{"k": "trending"}]]
                    for item, score in zip(trend_rows, trend_scores, strict=True)
                ],
            )
        )
    with transaction.atomic():
        ProductRecommendations.objects.filter(run=run).delete()
        ProductRecommendations.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def scoring_run_finish(*, run_id: int) -> int:
    """Mark the run complete and point pages at it, unless a newer run already serves."""
    from recsys import services
    from recsys.selectors import serving_run

    run = ScoringRun.objects.filter(pk=run_id).first()
    if run is None:
        return 0
    current = serving_run()
    if current is not None and current.pk > run.pk:
        ScoringRun.objects.filter(pk=run.pk).update(
            status=ScoringRun.Status.SUPERSEDED, finished_at=timezone.now()
        )
        return 0
    users = UserRecommendations.objects.filter(run=run, widget=Widget.FOR_YOU).count()
    ScoringRun.objects.filter(pk=run.pk).update(
        status=ScoringRun.Status.COMPLETE, finished_at=timezone.now(), users_scored=users
    )
    run.refresh_from_db()
    services.serving_pointer_flip(run=run)
    # Old runs' rows are no longer read; drop all but the previous one (kept for a quick look back).
    stale = list(
        ScoringRun.objects.exclude(pk=run.pk).order_by("-pk").values_list("pk", flat=True)[1:]
    )
    if stale:
        UserRecommendations.objects.filter(run_id__in=stale).delete()
        ProductRecommendations.objects.filter(run_id__in=stale).delete()
    return users


def score_all_now(*, version_id: int | None) -> ScoringRun:
    """Scoring without a broker (demo seed, tests): the same steps in this process, in order."""
    run, chunks = scoring_run_start(version_id=version_id)
    for chunk in chunks:
        score_users_chunk(run_id=run.pk, user_ids=chunk)
    score_products(run_id=run.pk)
    scoring_run_finish(run_id=run.pk)
    run.refresh_from_db()
    return run


def user_entries_on_request(*, user_id: int, version_id: int | None, k: int) -> list:
    """One shopper's 'for you' entries from a stored model, now (new shopper or changed follows)."""
    version = ModelVersion.objects.filter(pk=version_id).first() if version_id else None
    model = load_model(version) if version is not None else None
    if model is None:
        return []
    return score_users(
        model=model, user_ids=[user_id], k=k, trending_ids=_current_trending_ids()
    ).get(user_id, [])
