"""The recommender as a small library on plain arrays: no Django here (a test enforces it).

Typical use::

    dataset = build_dataset(log, users=user_metas, items=item_metas, follows=edges, params=params)
    model = train(dataset, params)
    model.save(path)
    items, scores = top_k(model, user_rows, k=10, exclude=bought_matrix)

`recsys.data` (Django side) loads the log and metadata from the database through the apps' selectors.
"""

from recsys.core.dataset import build_dataset, identity_only, interaction_weights, user_feature_row
from recsys.core.evaluation import evaluate, evaluate_popularity, evaluate_scores
from recsys.core.model import TrainedModel
from recsys.core.protocol import ProtocolResult, run_cold_protocol, run_protocol
from recsys.core.reasons import explain
from recsys.core.representations import user_representation_from_features
from recsys.core.scoring import (
    bought_together,
    score_matrix,
    served_scores,
    similar_items,
    top_k,
    trending,
)
from recsys.core.selection import CandidateFigures, GroupChoice, SelectionReport, ServedFamilies
from recsys.core.splits import cold_user_split, holdout_split
from recsys.core.training import refit, train
from recsys.core.types import (
    SIGNAL_KINDS,
    Dataset,
    EvaluationReport,
    InteractionLog,
    ItemMeta,
    Metrics,
    Neighbours,
    PopularityBlend,
    Reason,
    TrainingParams,
    UserMeta,
)

__all__ = [
    "SIGNAL_KINDS",
    "CandidateFigures",
    "Dataset",
    "EvaluationReport",
    "GroupChoice",
    "InteractionLog",
    "ItemMeta",
    "Metrics",
    "Neighbours",
    "PopularityBlend",
    "ProtocolResult",
    "Reason",
    "SelectionReport",
    "ServedFamilies",
    "TrainedModel",
    "TrainingParams",
    "UserMeta",
    "bought_together",
    "build_dataset",
    "cold_user_split",
    "evaluate",
    "evaluate_popularity",
    "evaluate_scores",
    "explain",
    "holdout_split",
    "identity_only",
    "interaction_weights",
    "refit",
    "run_cold_protocol",
    "run_protocol",
    "score_matrix",
    "served_scores",
    "similar_items",
    "top_k",
    "train",
    "trending",
    "user_feature_row",
    "user_representation_from_features",
]
