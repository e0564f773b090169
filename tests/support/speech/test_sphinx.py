"""The local engine (PocketSphinx with its bundled en-US model) on a tone: it runs and returns text."""

from __future__ import annotations

from support.speech import audio_decode
from support.speech.sphinx import PocketSphinxSpeech
from tests.factories.voice import sine_wav


def test_pocketsphinx_returns_a_string_for_any_audio():
    text = PocketSphinxSpeech().transcribe(audio_decode(sine_wav(1.0), max_seconds=60))

    assert isinstance(text, str)
