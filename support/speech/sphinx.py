"""Speech to text on this machine with CMU PocketSphinx (the `pocketsphinx` wheel bundles its en-US model).

English only and far less accurate than Whisper, but needs no service. Loading the model takes a moment, so each
process keeps one decoder, used by one thread at a time.
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any

from support.speech.audio import DecodedAudio

__all__ = ["PocketSphinxSpeech", "pocketsphinx_installed"]

_lock = threading.Lock()
_decoder: Any = None


def pocketsphinx_installed() -> bool:
    """Whether the engine can be loaded here (an installed third-party package, not a project module)."""
    return importlib.util.find_spec("pocketsphinx") is not None


class PocketSphinxSpeech:
    name = "pocketsphinx"

    def transcribe(self, audio: DecodedAudio) -> str:
        global _decoder
        from pocketsphinx import Decoder

        with _lock:
            if _decoder is None:
                _decoder = Decoder(samprate=audio.sample_rate, loglevel="FATAL")
            _decoder.start_utt()
            _decoder.process_raw(audio.pcm, full_utt=True)
            _decoder.end_utt()
            hypothesis = _decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else ""
