"""Template tags of the support chat."""

from __future__ import annotations

from django import template
from django.conf import settings

from support.selectors import voice_enabled

register = template.Library()


@register.simple_tag
def support_voice_enabled() -> bool:
    """Whether the chat shows the hold-to-talk button (a speech-to-text backend is configured)."""
    return voice_enabled()


@register.simple_tag
def support_voice_max_seconds() -> int:
    """The longest recording accepted; the widget stops recording there."""
    return int(settings.SUPPORT_VOICE_MAX_SECONDS)
