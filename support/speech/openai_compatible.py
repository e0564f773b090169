"""Speech to text through any OpenAI-compatible `/audio/transcriptions` endpoint (hosted services,
faster-whisper servers). The audio goes as a 16 kHz mono WAV in a multipart `file` field with `model`; the
answer must be JSON with a string `text`. Timeouts, refused connections, 408/429 and 5xx are
`TranscriptionUnavailable` (the task retries); any other answer that is not a transcript is
`TranscriptionFailed`.
"""

from __future__ import annotations

import http.client
import io
import json
import urllib.error
import urllib.request
import uuid
import wave
from typing import Any

from support.speech.audio import DecodedAudio
from support.speech.types import TranscriptionFailed, TranscriptionUnavailable

__all__ = ["OpenAICompatibleSpeech", "transcriptions_url", "wav_bytes"]

MAX_ANSWER_BYTES = 1_000_000
RETRYABLE_STATUS = {408, 429}


def transcriptions_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    if base.endswith("/audio/transcriptions"):
        return base
    return f"{base}/audio/transcriptions"


def wav_bytes(audio: DecodedAudio) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(audio.sample_rate)
        out.writeframes(audio.pcm)
    return buffer.getvalue()


def _multipart(fields: dict[str, str], file_name: str, file_bytes: bytes) -> tuple[bytes, str]:
    boundary = f"socialshop-{uuid.uuid4().hex}"
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
        "Content-Type: audio/wav\r\n\r\n".encode()
        + file_bytes
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class OpenAICompatibleSpeech:
    name = "openai"

    def __init__(self, *, url: str, model: str, api_key: str = "", timeout: float = 30.0) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError("SPEECH_TO_TEXT_URL must be an http(s) URL")
        self.url = transcriptions_url(url)
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    def transcribe(self, audio: DecodedAudio) -> str:
        body, content_type = _multipart(
            {"model": self.model, "response_format": "json"}, "voice.wav", wav_bytes(audio)
        )
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if exc.code in RETRYABLE_STATUS or exc.code >= 500:
                raise TranscriptionUnavailable(f"HTTP {exc.code}") from exc
            raise TranscriptionFailed(f"HTTP {exc.code}") from exc
        except (OSError, http.client.HTTPException) as exc:
            # Timeouts, refused or dropped connections, DNS (URLError is an OSError).
            raise TranscriptionUnavailable(str(exc) or type(exc).__name__) from exc
        if len(raw) > MAX_ANSWER_BYTES:
            raise TranscriptionFailed("answer too large")
        try:
            data: Any = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise TranscriptionFailed("answer is not JSON") from exc
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str):
            raise TranscriptionFailed("answer has no text")
        return text
