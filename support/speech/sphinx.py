"""Speech to text on this machine with CMU PocketSphinx (the `pocketsphinx` wheel bundles its en-US model).

English only and far less accurate than Whisper, but needs no service. Loading the model takes a moment, so each
process keeps one decoder per language model, used by one thread at a time. `lm_path` swaps the general English
language model for another ARPA/binary model, such as the shop's own (`support.speech.vocabulary`).
"""

from __future__ import annotations

import importlib.util
import threading
from typing import Any

from support.speech.audio import DecodedAudio

__all__ = ["PocketSphinxSpeech", "pocketsphinx_installed"]

_lock = threading.Lock()
_decoders: dict[str, Any] = {}


def pocketsphinx_installed() -> bool:
    """Whether the engine can be loaded here (an installed third-party package, not a project module)."""
    return importlib.util.find_spec("pocketsphinx") is not None


class PocketSphinxSpeech:
    name = "pocketsphinx"

    def __init__(self, *, lm_path: str = "") -> None:
        self.lm_path = lm_path

    def transcribe(self, audio: DecodedAudio) -> str:
        from pocketsphinx import Decoder

        with _lock:
            decoder = _decoders.get(self.lm_path)
            if decoder is None:
                options: dict[str, Any] = {"samprate": audio.sample_rate, "loglevel": "FATAL"}
                if self.lm_path:
                    options["lm"] = self.lm_path
                decoder = _decoders[self.lm_path] = Decoder(**options)
            decoder.start_utt()
            decoder.process_raw(audio.pcm, full_utt=True)
            decoder.end_utt()
            hypothesis = decoder.hyp()
        return hypothesis.hypstr if hypothesis is not None else ""
