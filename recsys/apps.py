from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecsysConfig(AppConfig):
    name = "recsys"
    verbose_name = _("Recsys")

    def ready(self) -> None:
        from recsys.services import product_affinity_for_user, user_signals_changed
        from social.hooks import explore_product_affinity, follow_graph_changed

        # A shopper's follows changed: their next page is scored on request with the new feature row.
        follow_graph_changed.register(user_signals_changed)
        # Explore ranks posts by how the recommender scores their tagged products for the shopper.
        explore_product_affinity.register(product_affinity_for_user)

        from shop.hooks import DemoPart, demo_seeding

        def demo_part() -> DemoPart:
            from recsys import demo

            return DemoPart(name="recsys", seed=demo.seed)

        demo_seeding.register(demo_part)
