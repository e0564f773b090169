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


class FakeSpeech:
    """A speech-to-text engine for tests: answers `text`, or raises `error` (the next `fail_times` calls)."""

    name = "fake"

    def __init__(self) -> None:
        self.text = "where is my order"
        self.error: Exception | None = None
        self.fail_times = 0
        self.calls: list = []

    def transcribe(self, audio):
        self.calls.append(audio)
        if self.error is not None and (self.fail_times <= 0 or len(self.calls) <= self.fail_times):
            raise self.error
        return self.text


@pytest.fixture
def fake_speech(monkeypatch) -> FakeSpeech:
    """Voice on, with a fake engine (the engines themselves are tested in tests/support/speech)."""
    import support.selectors.voice
    import support.services.voice

    engine = FakeSpeech()
    monkeypatch.setattr(support.services.voice, "speech_backend", lambda: engine)
    monkeypatch.setattr(support.selectors.voice, "speech_backend", lambda: engine)
    return engine
