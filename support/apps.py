from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.models import Model

    from shop.models import User


def _export_section(user: User) -> dict[str, Any]:
    """The data export's "support" section: the account's conversations and messages."""
    from support.selectors import export_for_user

    return {"support": export_for_user(user=user)}


def _erase_voice(user: User) -> None:
    """Account erasure: voice recordings go with the conversations, their audio files after commit."""
    from support.services import voice_erase_for_user

    voice_erase_for_user(user=user)


def _reportable_models() -> list[type[Model]]:
    """Support messages join social's one moderation queue."""
    from support.models import Message

    return [Message]


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Support")

    def ready(self) -> None:
        from social.hooks import account_erasing, account_exporting, reportable_models

        account_exporting.register(_export_section)
        account_erasing.register(_erase_voice)
        reportable_models.register(_reportable_models)

        from shop.hooks import DemoPart, demo_seeding

        def demo_part() -> DemoPart:
            from support import demo

            return DemoPart(name="support", seed=demo.seed)

        demo_seeding.register(demo_part)
