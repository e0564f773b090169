"""The OpenAI-compatible `/audio/transcriptions` backend against a fake server on a local socket (the real
transport: urllib, multipart, timeouts)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support.speech import (
    TranscriptionFailed,
    TranscriptionUnavailable,
    audio_decode,
    speech_backend,
)
from support.speech.openai_compatible import OpenAICompatibleSpeech
from tests.factories.voice import sine_wav


class FakeTranscriptions:
    """What the fake server answers next: (status, body bytes, delay seconds); and what it received."""

    def __init__(self) -> None:
        self.answer: tuple[int, bytes, float] = (200, b'{"text": "where is my order"}', 0.0)
        self.requests: list[dict] = []


@pytest.fixture
def stt_server() -> Iterator[tuple[str, FakeTranscriptions]]:
    state = FakeTranscriptions()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
            status, answer, delay = state.answer
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except OSError:
                pass  # the client gave up (timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", state
    server.shutdown()
    server.server_close()


@pytest.fixture
def audio():
    return audio_decode(sine_wav(1.0), max_seconds=60)


def test_transcript_comes_from_the_text_field(stt_server, audio):
    url, state = stt_server
    engine = OpenAICompatibleSpeech(url=url, model="whisper-1", api_key="k-123", timeout=5)

    assert engine.transcribe(audio) == "where is my order"
    request = state.requests[0]
    assert request["path"] == "/v1/audio/transcriptions"
    assert request["headers"]["Authorization"] == "Bearer k-123"
    assert request["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="model"\r\n\r\nwhisper-1' in request["body"]
    assert b'name="file"; filename="voice.wav"' in request["body"]
    assert b"RIFF" in request["body"]


def test_no_authorization_header_without_a_key(stt_server, audio):
    url, state = stt_server
    OpenAICompatibleSpeech(url=url, model="m", timeout=5).transcribe(audio)

    assert "Authorization" not in state.requests[0]["headers"]


def test_a_server_slower_than_the_timeout_is_unavailable(stt_server, audio):
    url, state = stt_server
    state.answer = (200, b'{"text": "late"}', 1.0)

    with pytest.raises(TranscriptionUnavailable):
        OpenAICompatibleSpeech(url=url, model="m", timeout=0.2).transcribe(audio)


def test_a_refused_connection_is_unavailable(audio):
    with pytest.raises(TranscriptionUnavailable):
        OpenAICompatibleSpeech(url="http://127.0.0.1:9/v1", model="m", timeout=1).transcribe(audio)


@pytest.mark.parametrize("status", [500, 502, 503, 429, 408])
def test_server_errors_and_throttling_are_unavailable(stt_server, audio, status):
    url, state = stt_server
    state.answer = (status, b'{"error": "busy"}', 0.0)

    with pytest.raises(TranscriptionUnavailable):
        OpenAICompatibleSpeech(url=url, model="m", timeout=5).transcribe(audio)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, b'{"error": {"message": "bad model"}}'),
        (401, b'{"error": "no key"}'),
        (200, b"<html>not json</html>"),
        (200, b'{"text": 42}'),
        (200, b'["where", "is"]'),
        (200, b"{}"),
    ],
)
def test_nonsense_answers_fail_without_retry(stt_server, audio, status, body):
    url, state = stt_server
    state.answer = (status, body, 0.0)

    with pytest.raises(TranscriptionFailed):
        OpenAICompatibleSpeech(url=url, model="m", timeout=5).transcribe(audio)


def test_url_setting_selects_this_backend(settings):
    settings.SPEECH_TO_TEXT_BACKEND = "auto"
    settings.SPEECH_TO_TEXT_URL = "https://stt.example.com/v1/"

    engine = speech_backend()

    assert isinstance(engine, OpenAICompatibleSpeech)
    assert engine.url == "https://stt.example.com/v1/audio/transcriptions"


@pytest.mark.parametrize(
    ("backend", "url", "expected"),
    [
        ("off", "https://stt.example.com/v1", None),
        ("openai", "", None),
        ("openai", "ftp://stt.example.com", None),
        ("auto", "", "pocketsphinx"),
        ("pocketsphinx", "https://stt.example.com/v1", "pocketsphinx"),
    ],
)
def test_backend_choice(settings, backend, url, expected):
    settings.SPEECH_TO_TEXT_BACKEND = backend
    settings.SPEECH_TO_TEXT_URL = url

    engine = speech_backend()

    assert (engine.name if engine else None) == expected


def test_answer_json_is_parsed_strictly(stt_server, audio):
    url, state = stt_server
    state.answer = (200, json.dumps({"text": " hello ", "language": "en"}).encode(), 0.0)

    assert OpenAICompatibleSpeech(url=url, model="m", timeout=5).transcribe(audio) == " hello "
