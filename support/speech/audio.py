"""Checking and decoding a recorded voice message: what it really is, how long, whether anything was said.

The browser's word for the type is not trusted: the first bytes must be one of the accepted containers (WebM and
Ogg from MediaRecorder, MP4 from Safari's, WAV, MP3), and then the whole file must decode with that container's
demuxer (PyAV, which bundles FFmpeg's libraries) to 16 kHz mono 16-bit PCM, the input every speech engine takes.
Decoding stops as soon as the audio runs past the length limit, so a long file costs no more than the limit.
A recording whose loudest sample stays below `SILENCE_PEAK_DBFS` is refused as silent.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import av
import numpy as np

__all__ = [
    "ACCEPTED_TYPES",
    "SAMPLE_RATE",
    "AudioRejected",
    "DecodedAudio",
    "audio_decode",
    "audio_sniff",
]

SAMPLE_RATE = 16000
SILENCE_PEAK_DBFS = -40.0
MIN_SECONDS = 0.3

# Container sniffed from the first bytes -> (the MIME type we store, PyAV's demuxer, file extension).
ACCEPTED_TYPES: dict[str, tuple[str, str]] = {
    "audio/webm": ("matroska", "webm"),
    "audio/ogg": ("ogg", "ogg"),
    "audio/wav": ("wav", "wav"),
    "audio/mpeg": ("mp3", "mp3"),
    "audio/mp4": ("mp4", "m4a"),
}


class AudioRejected(ValueError):
    """The upload is not acceptable audio. `code` is one of `unsupported_type`, `undecodable`, `too_long`,
    `too_short`, `silent`; the service turns it into a message for the shopper."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code


@dataclass(frozen=True)
class DecodedAudio:
    """A voice message as speech engines take it: 16 kHz mono signed 16-bit little-endian PCM."""

    pcm: bytes
    mime_type: str
    extension: str
    duration_seconds: float
    peak_dbfs: float

    @property
    def sample_rate(self) -> int:
        return SAMPLE_RATE


def audio_sniff(head: bytes) -> str | None:
    """The accepted MIME type these first bytes announce, or None (the browser's label is never used)."""
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "audio/webm"
    if head.startswith(b"OggS"):
        return "audio/ogg"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    return None


def audio_decode(data: bytes, *, max_seconds: float) -> DecodedAudio:
    """Decode `data` to 16 kHz mono PCM; raises AudioRejected when it is not audio, too long or silent."""
    mime_type = audio_sniff(data[:16])
    if mime_type is None:
        raise AudioRejected("unsupported_type")
    demuxer, extension = ACCEPTED_TYPES[mime_type]
    max_samples = int(max_seconds * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    try:
        with av.open(io.BytesIO(data), mode="r", format=demuxer) as container:
            if not container.streams.audio:
                raise AudioRejected("undecodable", "no audio stream")
            resampler = av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    samples = out.to_ndarray().reshape(-1)
                    chunks.append(samples)
                    total += samples.size
                if total > max_samples:
                    raise AudioRejected("too_long")
            for out in resampler.resample(None):
                samples = out.to_ndarray().reshape(-1)
                chunks.append(samples)
                total += samples.size
    except AudioRejected:
        raise
    except (av.FFmpegError, ValueError, IndexError, OSError) as exc:
        raise AudioRejected("undecodable", str(exc)) from exc
    if total > max_samples:
        raise AudioRejected("too_long")
    if total < MIN_SECONDS * SAMPLE_RATE:
        raise AudioRejected("too_short")
    pcm = np.concatenate(chunks).astype("<i2")
    peak = int(np.abs(pcm.astype(np.int32)).max())
    peak_dbfs = 20 * math.log10(peak / 32768) if peak else -math.inf
    if peak_dbfs < SILENCE_PEAK_DBFS:
        raise AudioRejected("silent")
    return DecodedAudio(
        pcm=pcm.tobytes(),
        mime_type=mime_type,
        extension=extension,
        duration_seconds=total / SAMPLE_RATE,
        peak_dbfs=peak_dbfs,
    )
