"""Test audio made in-process (no binary fixtures): sine-wave WAVs, silence, and WebM/Opus as MediaRecorder
records it, encoded with PyAV."""

from __future__ import annotations

import io
import math
import struct
import wave

import av
import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

__all__ = ["sine_wav", "sine_webm", "upload"]


def _samples(seconds: float, rate: int, amplitude: float) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * 32767 * np.sin(2 * math.pi * 440 * t)).astype("<i2")


def sine_wav(seconds: float = 1.0, *, amplitude: float = 0.5, rate: int = 16000) -> bytes:
    """A 440 Hz tone (amplitude 0 is digital silence) as a mono 16-bit WAV."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(
            struct.pack(f"<{int(seconds * rate)}h", *_samples(seconds, rate, amplitude))
        )
    return buffer.getvalue()


def sine_webm(seconds: float = 1.0, *, amplitude: float = 0.5) -> bytes:
    """The same tone as WebM/Opus at 48 kHz, what Chrome's and Firefox's MediaRecorder upload."""
    rate = 48000
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm") as container:
        stream = container.add_stream("libopus", rate=rate, layout="mono")
        samples = _samples(seconds, rate, amplitude).reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = rate
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return buffer.getvalue()


def upload(
    data: bytes, name: str = "voice.webm", content_type: str = "audio/webm"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
