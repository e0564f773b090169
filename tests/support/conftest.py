"""Support chat fixtures. The assistant is another area's function: chat tests that post shopper messages in
bot mode use `fake_assistant` (a fixed answer) so they test the chat, not the assistant's wording."""

from __future__ import annotations

import pytest

from support.models import Conversation
from support.services import conversation_start


@pytest.fixture
def fake_assistant(monkeypatch):
    """Replace `support.assistant.answer`; returns the list of (text, context) it was called with."""
    import support.assistant
    from support.assistant.types import AssistantAnswer

    calls: list = []

    def answer(*, text, context):
        calls.append((text, context))
        if "person" in text.lower():
            return AssistantAnswer(body="Getting you a person.", handoff=True, source="intent")
        return AssistantAnswer(
            body=f"Answer to: {text}",
            payload={"sources": [{"type": "article", "slug": "faq"}]},
            confidence=0.9,
            source="Help: FAQ",
        )

    monkeypatch.setattr(support.assistant, "answer", answer)
    return calls


@pytest.fixture
def conversation(user) -> Conversation:
    return conversation_start(user=user, session_key=None)


@pytest.fixture
def other_moderator(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    moderator = UserFactory(username="mod2", is_staff=True)
    group, _ = Group.objects.get_or_create(name="moderators")
    moderator.groups.add(group)
    return moderator
