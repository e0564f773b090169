"""Moderation: reports, moderator actions and their audit log."""

__all__: list[str] = []
