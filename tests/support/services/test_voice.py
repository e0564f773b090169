"""Voice messages: the upload's checks, transcription posting the shopper's message that the assistant answers,
retries and labelled failures (the audio always kept), and the account's export and erasure."""

from __future__ import annotations

import pytest
from celery.exceptions import Retry
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse

from common.errors import ServiceError
from common.storage import private_storage
from social.selectors import export_for_user
from social.services import account_delete
from support import services
from support.models import Conversation, Message, VoiceMessage
from support.services.voice import voice_transcribe
from support.speech import TranscriptionFailed, TranscriptionUnavailable
from tests.factories.voice import sine_wav, sine_webm, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_assistant")]


def send(conversation, user, data=None, client_id="v1"):
    return services.voice_message_upload(
        conversation=conversation,
        author=user,
        session_key=None,
        audio=upload(sine_webm(1.0) if data is None else data),
        client_id=client_id,
    )


def test_upload_stores_the_recording_privately_and_queues_transcription(
    conversation, user, fake_speech, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        result = send(conversation, user)

    voice = VoiceMessage.objects.get()
    assert (result.created, voice.status, voice.mime_type, voice.duration_ms) == (
        True,
        "pending",
        "audio/webm",
        1000,
    )
    assert voice.audio.name.startswith(f"voice/{conversation.pk}/")
    assert voice.audio.name.endswith(".webm")
    assert private_storage().exists(voice.audio.name)
    assert len(callbacks) == 1


def test_the_same_client_id_is_stored_once(conversation, user, fake_speech):
    first = send(conversation, user)
    again = send(conversation, user)

    assert (again.created, again.voice.pk, VoiceMessage.objects.count()) == (
        False,
        first.voice.pk,
        1,
    )


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (b"GIF89a not audio at all" * 10, "unsupported_type", 415),
        (sine_wav(3.0), "too_long", 400),
        (sine_wav(1.0, amplitude=0.0), "silent", 400),
        (b"OggS" + b"\x00" * 300, "undecodable", 400),
    ],
)
def test_bad_recordings_are_refused_with_a_reason_and_nothing_stored(
    conversation, user, fake_speech, settings, data, code, status
):
    settings.SUPPORT_VOICE_MAX_SECONDS = 2

    with pytest.raises(ServiceError) as error:
        send(conversation, user, data)

    assert (error.value.code, error.value.status_code) == (code, status)
    assert not VoiceMessage.objects.exists()


def test_a_recording_over_the_size_limit_is_413(conversation, user, fake_speech, settings):
    settings.SUPPORT_VOICE_MAX_BYTES = 1000

    with pytest.raises(ServiceError) as error:
        send(conversation, user)

    assert (error.value.code, error.value.status_code) == ("too_large", 413)
    assert "1000" in error.value.message


def test_without_a_backend_voice_is_refused(conversation, user, settings):
    settings.SPEECH_TO_TEXT_BACKEND = "off"

    with pytest.raises(ServiceError) as error:
        send(conversation, user)

    assert (error.value.code, error.value.status_code) == ("voice_off", 404)


def test_moderators_do_not_send_voice(conversation, moderator, fake_speech):
    with pytest.raises(PermissionDenied):
        send(conversation, moderator)


def test_transcript_is_posted_as_the_shoppers_message_and_the_assistant_answers_it(
    conversation, user, fake_speech, fake_assistant, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        voice = send(conversation, user).voice

    voice.refresh_from_db()
    shopper, answer = Message.objects.filter(conversation=conversation).order_by("seq")[1:]
    assert (voice.status, voice.transcript, voice.backend, voice.message_id) == (
        "done",
        "where is my order",
        "fake",
        shopper.id,
    )
    assert (shopper.role, shopper.body, shopper.client_id, shopper.author_id) == (
        "shopper",
        "where is my order",
        f"voice-{voice.pk}",
        user.id,
    )
    assert shopper.payload["voice"] == {
        "id": voice.pk,
        "status": "done",
        "duration_seconds": 1.0,
        "mime_type": "audio/webm",
        "audio_url": f"/api/v1/support/voice/{voice.pk}/audio/",
    }
    assert (answer.role, answer.body) == ("assistant", "Answer to: where is my order")
    assert [text for text, _context in fake_assistant] == ["where is my order"]


def test_a_backend_timeout_is_retried_before_the_last_attempt(conversation, user, fake_speech):
    voice = send(conversation, user).voice
    fake_speech.error = TranscriptionUnavailable("timed out")

    with pytest.raises(TranscriptionUnavailable):
        services.voice_transcription_run(voice_id=voice.pk, last_attempt=False)

    voice.refresh_from_db()
    assert (voice.status, voice.attempts, voice.message_id) == ("pending", 1, None)


def test_the_task_retries_a_timeout_with_backoff(conversation, user, fake_speech):
    voice = send(conversation, user).voice
    fake_speech.error = TranscriptionUnavailable("timed out")

    with pytest.raises(Retry) as retry:
        voice_transcribe.apply(args=[voice.pk], retries=1, throw=True)

    voice.refresh_from_db()
    assert (retry.value.when, voice.status) == (4, "pending")


def test_the_task_posts_the_labelled_failure_when_retries_run_out(
    conversation, user, fake_speech, settings
):
    settings.SPEECH_TO_TEXT_MAX_RETRIES = 2
    voice = send(conversation, user).voice
    fake_speech.error = TranscriptionUnavailable("timed out")

    voice_transcribe.apply(args=[voice.pk], retries=2, throw=True)

    voice.refresh_from_db()
    assert (voice.status, voice.error) == ("failed", "backend unavailable: timed out")


def test_a_timeout_without_a_worker_ends_in_a_labelled_message_and_a_person(
    conversation, user, fake_speech, django_capture_on_commit_callbacks
):
    fake_speech.error = TranscriptionUnavailable("timed out")
    with django_capture_on_commit_callbacks(execute=True):
        voice = send(conversation, user).voice

    voice.refresh_from_db()
    conversation.refresh_from_db()
    message = voice.message
    assert voice.status == "failed"
    assert message.body.startswith("Voice message (it could not be transcribed")
    assert (message.role, message.payload["voice"]["status"]) == ("shopper", "failed")
    assert conversation.status == Conversation.Status.WAITING
    assert private_storage().exists(voice.audio.name)
    assert not Message.objects.filter(conversation=conversation, role="assistant", seq__gt=2)


@pytest.mark.parametrize(
    ("text", "error"),
    [("   ", None), (None, TranscriptionFailed("answer is not JSON")), ("x" * 5000, None)],
)
def test_nonsense_or_no_words_is_a_labelled_failure_at_once(
    conversation, user, fake_speech, text, error
):
    voice = send(conversation, user).voice
    fake_speech.text = text
    fake_speech.error = error

    services.voice_transcription_run(voice_id=voice.pk, last_attempt=False)

    voice.refresh_from_db()
    assert (voice.status, voice.message.payload["voice"]["status"]) == ("failed", "failed")


def test_transcription_runs_once(conversation, user, fake_speech):
    voice = send(conversation, user).voice
    services.voice_transcription_run(voice_id=voice.pk)
    services.voice_transcription_run(voice_id=voice.pk)
    voice_transcribe.apply(args=[voice.pk])

    assert len(fake_speech.calls) == 1
    assert Message.objects.filter(client_id=f"voice-{voice.pk}").count() == 1


def test_a_conversation_closed_before_transcription_keeps_the_voice(
    conversation, user, fake_speech
):
    voice = send(conversation, user).voice
    services.conversation_close(conversation=conversation, actor=user)

    services.voice_transcription_run(voice_id=voice.pk)

    voice.refresh_from_db()
    assert (voice.status, voice.transcript, voice.message_id) == ("done", "where is my order", None)
    assert voice.error.startswith("not posted")


def test_export_lists_recordings_with_a_link_to_the_audio(conversation, user, fake_speech):
    voice = send(conversation, user).voice
    services.voice_transcription_run(voice_id=voice.pk)

    exported = export_for_user(user=user)["support"]["conversations"][0]["voice_messages"]

    assert exported == [
        {
            "id": voice.pk,
            "message": VoiceMessage.objects.get().message_id,
            "created_at": voice.created_at.isoformat(),
            "mime_type": "audio/webm",
            "duration_seconds": 1.0,
            "status": "done",
            "transcript": "where is my order",
            "audio_file": voice.audio.name,
            "audio_url": f"http://localhost:8000/api/v1/support/voice/{voice.pk}/audio/",
        }
    ]


def test_erasing_the_account_deletes_the_recordings_after_commit(
    conversation, user, fake_speech, django_capture_on_commit_callbacks
):
    name = send(conversation, user).voice.audio.name

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user)

    assert not VoiceMessage.objects.exists()
    assert not private_storage().exists(name)


def test_an_unexpected_error_in_the_task_is_retried_then_labelled(
    conversation, user, fake_speech, settings, monkeypatch
):
    import support.services.voice

    settings.SPEECH_TO_TEXT_MAX_RETRIES = 1
    voice = send(conversation, user).voice

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(support.services.voice, "voice_transcription_run", broken)
    with pytest.raises(Retry):
        voice_transcribe.apply(args=[voice.pk], retries=0, throw=True)
    voice_transcribe.apply(args=[voice.pk], retries=1, throw=True)

    voice.refresh_from_db()
    assert (voice.status, voice.error) == ("failed", "failed: RuntimeError")
    assert voice.message.payload["voice"]["status"] == "failed"


def test_deleting_a_conversation_in_the_admin_deletes_its_audio_after_commit(
    conversation, user, fake_speech, admin_client, django_capture_on_commit_callbacks
):
    name = send(conversation, user).voice.audio.name
    url = reverse("admin:support_conversation_delete", args=[conversation.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(url, {"post": "yes"})
        assert private_storage().exists(name)  # nothing deleted before commit
    for callback in callbacks:
        callback()

    assert response.status_code == 302
    assert not VoiceMessage.objects.exists()
    assert not private_storage().exists(name)


def test_a_queryset_delete_of_conversations_deletes_their_audio(
    conversation, user, fake_speech, django_capture_on_commit_callbacks
):
    name = send(conversation, user).voice.audio.name

    with django_capture_on_commit_callbacks(execute=True):
        Conversation.objects.filter(pk=conversation.pk).delete()

    assert not private_storage().exists(name)


def test_a_rolled_back_delete_keeps_the_audio(
    conversation, user, fake_speech, django_capture_on_commit_callbacks
):
    voice = send(conversation, user).voice

    def delete_then_fail() -> None:
        with transaction.atomic():
            conversation.delete()
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        delete_then_fail()

    assert callbacks == []
    assert VoiceMessage.objects.filter(pk=voice.pk).exists()
    assert private_storage().exists(voice.audio.name)
