"""Django admin for support, one module per sub-domain; importing them registers their model admins."""

from support.admin import assistant, conversations, messages, presence, voice

__all__ = ["assistant", "conversations", "messages", "presence", "voice"]
