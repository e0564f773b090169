"""Speech to text for the support chat's voice messages: decoding what browsers record (`audio`), a small
interface (`types.SpeechToText`) and two engines: an OpenAI-compatible `/audio/transcriptions` endpoint and the
local PocketSphinx. `speech_backend()` is the one place that reads the settings; None means voice is off (the
hold-to-talk button is not rendered and uploads are refused).
"""

from __future__ import annotations

from django.conf import settings

from support.speech.audio import ACCEPTED_TYPES, AudioRejected, DecodedAudio, audio_decode
from support.speech.openai_compatible import OpenAICompatibleSpeech
from support.speech.sphinx import PocketSphinxSpeech, pocketsphinx_installed
from support.speech.types import SpeechToText, TranscriptionFailed, TranscriptionUnavailable

__all__ = [
    "ACCEPTED_TYPES",
    "AudioRejected",
    "DecodedAudio",
    "SpeechToText",
    "TranscriptionFailed",
    "TranscriptionUnavailable",
    "audio_decode",
    "speech_backend",
]


def speech_backend() -> SpeechToText | None:
    """The configured engine: SPEECH_TO_TEXT_BACKEND `openai` (needs SPEECH_TO_TEXT_URL), `pocketsphinx`,
    `off`, or `auto` (the URL when set, else PocketSphinx when installed). PocketSphinx uses the language model
    at SPEECH_TO_TEXT_POCKETSPHINX_LM when set (`manage.py speech_language_model` writes the shop's own)."""
    choice = (settings.SPEECH_TO_TEXT_BACKEND or "auto").strip().lower()
    url = settings.SPEECH_TO_TEXT_URL
    if choice == "auto":
        choice = "openai" if url else "pocketsphinx" if pocketsphinx_installed() else "off"
    if choice == "openai" and url.startswith(("http://", "https://")):
        return OpenAICompatibleSpeech(
            url=url,
            model=settings.SPEECH_TO_TEXT_MODEL,
            api_key=settings.SPEECH_TO_TEXT_API_KEY,
            timeout=settings.SPEECH_TO_TEXT_TIMEOUT_SECONDS,
        )
    if choice == "pocketsphinx" and pocketsphinx_installed():
        return PocketSphinxSpeech(lm_path=settings.SPEECH_TO_TEXT_POCKETSPHINX_LM)
    return None
