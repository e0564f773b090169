from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecsysConfig(AppConfig):
    name = "recsys"
    verbose_name = _("Recsys")

    def ready(self) -> None:
        from shop.hooks import DemoPart, demo_seeding

        def demo_part() -> DemoPart:
            from recsys import demo

            return DemoPart(name="recsys", seed=demo.seed)

        demo_seeding.register(demo_part)
