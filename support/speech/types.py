"""What every speech-to-text backend is: one method from decoded audio to text, and two kinds of failure."""

from __future__ import annotations

from typing import Protocol

from support.speech.audio import DecodedAudio

__all__ = ["SpeechToText", "TranscriptionFailed", "TranscriptionUnavailable"]


class TranscriptionUnavailable(Exception):
    """The backend did not answer in time or is down (timeout, refused connection, 5xx, 429): try again later."""


class TranscriptionFailed(Exception):
    """The backend answered, but with nothing usable (not JSON, no text, no words, far too much text): a retry
    would get the same, so the message is posted with a labelled fallback instead."""


class SpeechToText(Protocol):
    """A speech-to-text engine. `name` is stored with each transcript (which engine heard it)."""

    name: str

    def transcribe(self, audio: DecodedAudio) -> str: ...
