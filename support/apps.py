from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from shop.hooks import DemoPart, demo_seeding

        def demo_part() -> DemoPart:
            from support import demo

            return DemoPart(name="support", seed=demo.seed)

        demo_seeding.register(demo_part)
