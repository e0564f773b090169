"""Checking recordings: the real type from the content, the length while decoding, silence."""

from __future__ import annotations

import pytest

from support.speech import AudioRejected, audio_decode
from tests.factories.voice import sine_wav, sine_webm


def test_webm_opus_from_media_recorder_decodes_to_16k_mono():
    audio = audio_decode(sine_webm(1.0), max_seconds=60)

    assert (audio.mime_type, audio.extension, round(audio.duration_seconds, 1)) == (
        "audio/webm",
        "webm",
        1.0,
    )
    assert len(audio.pcm) == 2 * 16000


def test_wav_decodes_with_its_length():
    audio = audio_decode(sine_wav(2.5), max_seconds=60)

    assert (audio.mime_type, audio.duration_seconds) == ("audio/wav", 2.5)


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"hello, this is text and not audio at all",
        b"",
    ],
)
def test_content_that_is_not_audio_is_refused_whatever_it_is_called(data):
    with pytest.raises(AudioRejected) as error:
        audio_decode(data, max_seconds=60)

    assert error.value.code == "unsupported_type"


def test_audio_magic_with_garbage_after_it_is_undecodable():
    with pytest.raises(AudioRejected) as error:
        audio_decode(b"\x1a\x45\xdf\xa3" + b"\x42" * 500, max_seconds=60)

    assert error.value.code == "undecodable"


def test_recording_over_the_length_limit_is_refused():
    with pytest.raises(AudioRejected) as error:
        audio_decode(sine_wav(3.0), max_seconds=2)

    assert error.value.code == "too_long"


def test_silent_recording_is_refused():
    with pytest.raises(AudioRejected) as error:
        audio_decode(sine_wav(1.0, amplitude=0.0), max_seconds=60)

    assert error.value.code == "silent"


def test_a_click_is_too_short():
    with pytest.raises(AudioRejected) as error:
        audio_decode(sine_wav(0.1), max_seconds=60)

    assert error.value.code == "too_short"
