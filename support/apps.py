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


def _delete_voice_audio(sender: type[Model], instance: Model, using: str, **kwargs: Any) -> None:
    """`post_delete` of VoiceMessage: its audio file is deleted from storage after commit. A signal, not a
    service, because rows also go by cascades (a conversation deleted in the admin, a user deleted from
    shop's admin) and queryset deletes that no support service sees; this is storage housekeeping tied to
    the row's life, not business flow (STYLE.md keeps signals out of business flow)."""
    from support.services import voice_audio_delete_on_commit

    voice_audio_delete_on_commit(name=instance.audio.name or "", using=using)  # type: ignore[attr-defined]


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

        from django.db.models.signals import post_delete

        from support.models import VoiceMessage

        post_delete.connect(
            _delete_voice_audio, sender=VoiceMessage, dispatch_uid="support_voice_audio_delete"
        )

        from shop.hooks import DemoPart, demo_seeding

        def demo_part() -> DemoPart:
            from support import demo

            return DemoPart(name="support", seed=demo.seed)

        demo_seeding.register(demo_part)
