"""What `social` lets higher apps react to. Each hook is a typed list of callables (`common.hooks.Hook`); the
higher app registers in its `AppConfig.ready()`. Every hook is listed in docs/architecture.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from common.hooks import Hook

if TYPE_CHECKING:
    from django.db.models import Model

    from shop.models import User

__all__ = [
    "account_erasing",
    "account_exporting",
    "explore_product_affinity",
    "follow_graph_changed",
    "reportable_models",
]

# A shopper's follows, privacy or favourite categories changed: recsys re-scores them on their next page.
follow_graph_changed: Hook[[int], None] = Hook("social.follow_graph_changed")

# The privacy page's data export: each receiver returns {section name: JSON-ready data} for this account.
account_exporting: Hook[[User], dict[str, Any]] = Hook("social.account_exporting")

# An account is about to be erased (inside the erasing transaction): remove or anonymise what you keep.
account_erasing: Hook[[User], None] = Hook("social.account_erasing")

# Content kinds the one moderation queue accepts besides social's own (posts, comments, users) and shop
# reviews: a receiver returns the model classes it contributes (support registers its messages).
reportable_models: Hook[[], list[type[Model]]] = Hook("social.reportable_models")

# Explore's ranking asks how much the recommender expects this shopper to like products: each receiver returns
# {product_id: score from 0 to 1} (empty when it has no opinion); recsys registers its "for you" list.
explore_product_affinity: Hook[[User], dict[int, float]] = Hook("social.explore_product_affinity")
