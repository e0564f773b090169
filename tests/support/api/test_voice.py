"""Voice over HTTP: the widget's multipart upload (errors as readable messages), and who may play a recording."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from support import services
from support.models import VoiceMessage
from tests.factories.voice import sine_wav, sine_webm, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]


def voice_url(conversation):
    return reverse("support-api:voice_upload", kwargs={"conversation_id": conversation.id})


def audio_url(voice):
    return reverse("support-api:voice_audio", kwargs={"voice_id": voice.pk})


@pytest.fixture
def shopper(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def voice(conversation, user, fake_speech):
    return services.voice_message_upload(
        conversation=conversation,
        author=user,
        session_key=None,
        audio=upload(sine_webm(1.0)),
        client_id="v1",
    ).voice


def test_upload_answers_201_with_the_voice_message(shopper, conversation, fake_speech):
    response = shopper.post(
        voice_url(conversation),
        {"audio": upload(sine_webm(1.0)), "client_id": "v-1"},
        format="multipart",
    )

    voice = VoiceMessage.objects.get()
    assert response.status_code == 201
    assert response.json() == {
        "id": voice.pk,
        "conversation": conversation.id,
        "client_id": "v-1",
        "status": "pending",
        "mime_type": "audio/webm",
        "duration_seconds": 1.0,
        "message": None,
    }


@pytest.mark.parametrize(
    ("data", "status", "detail"),
    [
        (b"%PDF-1.7 not audio" * 20, 415, "This file is not a voice recording we accept"),
        (sine_wav(3.0), 400, "The recording is too long (at most 2 seconds)."),
        (sine_wav(1.0, amplitude=0.0), 400, "We could not hear anything in this recording."),
    ],
)
def test_bad_uploads_get_a_clear_message(
    shopper, conversation, fake_speech, settings, data, status, detail
):
    settings.SUPPORT_VOICE_MAX_SECONDS = 2

    response = shopper.post(
        voice_url(conversation), {"audio": upload(data, "voice.webm")}, format="multipart"
    )

    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_too_big_is_413(shopper, conversation, fake_speech, settings):
    settings.SUPPORT_VOICE_MAX_BYTES = 2048

    response = shopper.post(
        voice_url(conversation), {"audio": upload(sine_webm(1.0))}, format="multipart"
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "The recording is too large (at most 2.0\xa0KB)."}


def test_upload_without_a_backend_is_404_with_a_message(shopper, conversation, settings):
    settings.SPEECH_TO_TEXT_BACKEND = "off"

    response = shopper.post(
        voice_url(conversation), {"audio": upload(sine_webm(1.0))}, format="multipart"
    )

    assert response.status_code == 404
    assert response.json() == {
        "detail": "Voice messages are not available here; please type your question."
    }


def test_another_shoppers_conversation_is_refused(other_user, conversation, fake_speech):
    client = APIClient()
    client.force_login(other_user)

    response = client.post(
        voice_url(conversation), {"audio": upload(sine_webm(1.0))}, format="multipart"
    )

    assert response.status_code == 403


def test_anonymous_visitors_need_the_csrf_token(fake_speech):
    client = APIClient(enforce_csrf_checks=True)
    start = client.post(reverse("support-api:start"), {}, format="json")

    response = client.post(
        reverse(
            "support-api:voice_upload", kwargs={"conversation_id": start.json()["conversation"]}
        ),
        {"audio": upload(sine_webm(1.0))},
        format="multipart",
    )

    assert response.status_code == 403


def test_the_shopper_plays_their_recording(shopper, voice):
    response = shopper.get(audio_url(voice))

    assert response.status_code == 200
    assert (response["Content-Type"], response["Cache-Control"]) == (
        "audio/webm",
        "private, no-store",
    )
    assert response.content == voice.audio.open("rb").read()


def test_the_player_seeks_with_a_range(shopper, voice):
    whole = voice.audio.open("rb").read()

    response = shopper.get(audio_url(voice), headers={"Range": "bytes=100-199"})

    assert (response.status_code, response["Content-Range"], response["Content-Type"]) == (
        206,
        f"bytes 100-199/{len(whole)}",
        "audio/webm",
    )
    assert response.content == whole[100:200]


def test_moderators_play_recordings(moderator, voice):
    client = APIClient()
    client.force_login(moderator)

    assert client.get(audio_url(voice)).status_code == 200


def test_other_shoppers_cannot_play_it(other_user, voice):
    client = APIClient()
    client.force_login(other_user)

    assert client.get(audio_url(voice)).status_code == 403


def test_anonymous_visitors_cannot_play_it(voice):
    assert APIClient().get(audio_url(voice)).status_code == 403


def test_unknown_recording_is_404(shopper, db):
    assert shopper.get("/api/v1/support/voice/999/audio/").status_code == 404
