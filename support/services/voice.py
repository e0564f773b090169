"""Voice messages in the chat: upload, transcription, and the account's erasure.

An upload is checked (size, then the real type by its first bytes, then a full decode for its length and for
silence: `support.speech.audio`), counted against the author's message rate, and stored (a `VoiceMessage` row
and its file in private storage) before anything else happens. After commit `voice_transcribe` runs the
configured engine (`support.speech.speech_backend`) and posts the transcript through `message_post` as the
shopper's own message with a `voice` payload, so the assistant answers it exactly as typed text. A backend that
times out or is down is retried with backoff (`SPEECH_TO_TEXT_MAX_RETRIES`); when retries run out, the engine
answers nonsense or hears no words, a labelled "could not be transcribed" message is posted instead and the
conversation goes to a person, who can play the audio. The audio is kept in every case.

The Celery task is declared here beside the service it runs and the function that queues it (as
`assistant_reply` is), and re-exported by support.tasks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from celery import shared_task
from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ServiceError
from common.storage import private_storage
from shop.models import User
from support.models import Conversation, Message, VoiceMessage
from support.selectors import Participant, author_key_for, conversation_role_for
from support.services.assignment import conversation_request_human
from support.services.messages import message_post, message_rate_limit
from support.services.store import client_id_validate
from support.speech import (
    AudioRejected,
    DecodedAudio,
    TranscriptionFailed,
    TranscriptionUnavailable,
    audio_decode,
    speech_backend,
)

logger = logging.getLogger(__name__)

__all__ = [
    "VoiceUpload",
    "voice_audio_delete_on_commit",
    "voice_erase_for_user",
    "voice_message_upload",
    "voice_transcribe",
    "voice_transcription_fail",
    "voice_transcription_run",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class VoiceUpload:
    voice: VoiceMessage
    created: bool


def _rejection(error: AudioRejected) -> ServiceError:
    limit = settings.SUPPORT_VOICE_MAX_SECONDS
    messages = {
        "unsupported_type": (
            _("This file is not a voice recording we accept (WebM, Ogg, MP4, WAV or MP3 audio)."),
            415,
        ),
        "undecodable": (_("This recording could not be read; please record it again."), 400),
        "too_long": (
            _("The recording is too long (at most %(seconds)d seconds).") % {"seconds": limit},
            400,
        ),
        "too_short": (_("The recording is too short; hold the button while you speak."), 400),
        "silent": (
            _("We could not hear anything in this recording. Check your microphone and try again."),
            400,
        ),
    }
    message, status = messages.get(error.code, messages["undecodable"])
    return ServiceError(message, code=error.code, status=status)


def voice_message_upload(
    *,
    conversation: Conversation,
    author: Participant,
    session_key: str | None,
    audio: File,
    client_id: Any = "",
) -> VoiceUpload:
    """Check and store a shopper's recording, then queue its transcription on commit; idempotent on
    `client_id`. Raises ServiceError (`voice_off` 404, `too_large` 413, `unsupported_type` 415, `too_long`,
    `too_short`, `silent`, `undecodable` 400, `closed` 409), ValidationError (`rate_limited`) or
    PermissionDenied (only the conversation's shopper sends voice)."""
    if speech_backend() is None:
        raise ServiceError(
            _("Voice messages are not available here; please type your question."),
            code="voice_off",
            status=404,
        )
    if conversation_role_for(conversation=conversation, user=author) != Message.Role.SHOPPER:
        raise PermissionDenied(_("Only the shopper sends voice messages in this chat."))
    if conversation.is_closed:
        raise ServiceError(
            _("This conversation is closed. Start a new one to ask something else."),
            code="closed",
        )
    client_id = client_id_validate(client_id)
    author_key = author_key_for(user=author, session_key=session_key)
    if client_id:
        existing = VoiceMessage.objects.filter(
            conversation=conversation, author_key=author_key, client_id=client_id
        ).first()
        if existing is not None:
            return VoiceUpload(voice=existing, created=False)
    limit = settings.SUPPORT_VOICE_MAX_BYTES
    too_large = ServiceError(
        _("The recording is too large (at most %(size)s).") % {"size": filesizeformat(limit)},
        code="too_large",
        status=413,
    )
    if audio.size is not None and audio.size > limit:
        raise too_large
    data = audio.read(limit + 1)
    if len(data) > limit:
        raise too_large
    try:
        decoded = audio_decode(data, max_seconds=settings.SUPPORT_VOICE_MAX_SECONDS)
    except AudioRejected as error:
        raise _rejection(error) from None
    message_rate_limit(author_key)
    try:
        with transaction.atomic():
            voice = VoiceMessage(
                conversation=conversation,
                author_key=author_key,
                client_id=client_id,
                mime_type=decoded.mime_type,
                size_bytes=len(data),
                duration_ms=round(decoded.duration_seconds * 1000),
            )
            # Written to the store in pre_save, before the row: a failed write leaves no row.
            voice.audio.save(f"voice.{decoded.extension}", ContentFile(data), save=False)
            voice.save()
    except IntegrityError:
        # The same recording uploaded twice at once: the other request stored it.
        existing = VoiceMessage.objects.filter(
            conversation=conversation, author_key=author_key, client_id=client_id
        ).first()
        if existing is None:
            raise
        return VoiceUpload(voice=existing, created=False)
    _transcription_queue(voice_id=voice.pk)
    return VoiceUpload(voice=voice, created=True)


@shared_task(bind=True, name="support.tasks.voice_transcribe", acks_late=True, ignore_result=True)
def voice_transcribe(self: Any, voice_id: int) -> None:
    """Transcribe one voice message and post it; retried with backoff while the backend is unavailable."""
    retries = int(self.request.retries or 0)
    try:
        voice_transcription_run(
            voice_id=voice_id, last_attempt=retries >= settings.SPEECH_TO_TEXT_MAX_RETRIES
        )
    except TranscriptionUnavailable as exc:
        raise self.retry(exc=exc, countdown=min(60, 2 ** (retries + 1))) from exc
    except Exception as exc:
        # Our own failure (database, storage): retried like an outage, then the labelled message.
        logger.exception("transcribing voice message %s failed", voice_id)
        if retries < settings.SPEECH_TO_TEXT_MAX_RETRIES:
            raise self.retry(exc=exc, countdown=min(60, 2 ** (retries + 1))) from exc
        voice_transcription_fail(voice_id=voice_id, error=f"failed: {type(exc).__name__}")


def _transcription_queue(*, voice_id: int) -> None:
    """After commit, queue the transcription; if the broker refuses it, post the labelled fallback now (the
    audio is stored and a person will listen to it) rather than leave the shopper waiting."""

    def enqueue() -> None:
        try:
            voice_transcribe.delay(voice_id)
        except Retry:
            # Eager Celery (no broker: development) cannot wait and retry; the backend was unavailable.
            voice_transcription_fail(voice_id=voice_id, error="backend unavailable (no retry)")
        except Exception:  # noqa: BLE001 - broker down: see the docstring
            logger.exception("could not queue the transcription of voice message %s", voice_id)
            voice_transcription_fail(voice_id=voice_id, error="could not be queued")

    transaction.on_commit(enqueue, robust=True)


def voice_transcription_fail(*, voice_id: int, error: str) -> VoiceMessage | None:
    """Give up on a recording: post the labelled "could not be transcribed" message (once) and hand the chat
    to a person; the audio stays."""
    return _voice_post(voice_id=voice_id, transcript="", error=error)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def voice_transcription_run(*, voice_id: int, last_attempt: bool = True) -> VoiceMessage | None:
    """Run the engine on one stored recording and post the result (idempotent: a voice message that is no
    longer pending is left alone). Raises TranscriptionUnavailable for the task to retry, unless this is the
    last attempt, which posts the labelled fallback instead."""
    voice = VoiceMessage.objects.filter(pk=voice_id).first()
    if voice is None or voice.status != VoiceMessage.Status.PENDING:
        return voice
    VoiceMessage.objects.filter(pk=voice_id).update(attempts=voice.attempts + 1)
    backend = speech_backend()
    if backend is None:
        return _voice_post(voice_id=voice_id, transcript="", error="no speech-to-text backend")
    try:
        with voice.audio.open("rb") as handle:
            data = handle.read()
        decoded: DecodedAudio = audio_decode(data, max_seconds=settings.SUPPORT_VOICE_MAX_SECONDS)
        text = _clean(backend.transcribe(decoded))
    except TranscriptionUnavailable as error:
        if not last_attempt:
            raise
        return _voice_post(
            voice_id=voice_id,
            transcript="",
            error=f"backend unavailable: {error}",
            backend=backend.name,
        )
    except TranscriptionFailed as error:
        return _voice_post(
            voice_id=voice_id, transcript="", error=f"backend: {error}", backend=backend.name
        )
    except AudioRejected as error:
        return _voice_post(voice_id=voice_id, transcript="", error=f"audio: {error.code}")
    except Exception:  # noqa: BLE001 - an engine crash is a labelled failure, never silence.
        logger.exception("speech to text failed for voice message %s", voice_id)
        return _voice_post(
            voice_id=voice_id, transcript="", error="backend crashed", backend=backend.name
        )
    if not text:
        return _voice_post(
            voice_id=voice_id, transcript="", error="no words recognised", backend=backend.name
        )
    if len(text.encode("utf-8")) > settings.SUPPORT_MAX_MESSAGE_BYTES:
        return _voice_post(
            voice_id=voice_id, transcript="", error="transcript too long", backend=backend.name
        )
    return _voice_post(voice_id=voice_id, transcript=text, backend=backend.name)


def _voice_post(
    *, voice_id: int, transcript: str, error: str = "", backend: str = ""
) -> VoiceMessage | None:
    """Post the transcript (or the labelled fallback) as the shopper's message, once."""
    with transaction.atomic():
        voice = (
            # Only the voice row is locked (PostgreSQL refuses FOR UPDATE on the nullable side of the join).
            VoiceMessage.objects.select_for_update(of=("self",))
            .select_related("conversation", "conversation__user")
            .filter(pk=voice_id)
            .first()
        )
        if voice is None or voice.status != VoiceMessage.Status.PENDING:
            return voice
        conversation = voice.conversation
        failed = not transcript
        voice.status = VoiceMessage.Status.FAILED if failed else VoiceMessage.Status.DONE
        voice.transcript = transcript
        voice.error = error[:200]
        voice.backend = backend
        voice.transcribed_at = timezone.now()
        body = transcript or _(
            "Voice message (it could not be transcribed; a person from our team will listen to it)"
        )
        payload = {
            "voice": {
                "id": voice.pk,
                "status": voice.status,
                "duration_seconds": round(voice.duration_ms / 1000, 1),
                "mime_type": voice.mime_type,
                "audio_url": reverse("support-api:voice_audio", kwargs={"voice_id": voice.pk}),
            }
        }
        owner: User | None = conversation.user
        try:
            result = message_post(
                conversation=conversation,
                body=body,
                role=Message.Role.SHOPPER,
                author=owner,
                session_key=conversation.session_key or None,
                client_id=f"voice-{voice.pk}",
                payload=payload,
                rate_limit=False,
            )
        except (ValidationError, PermissionDenied) as exc:
            # The conversation closed (or changed hands) meanwhile: keep the audio and the transcript.
            reason = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
            voice.error = f"not posted: {reason}"[:200]
            voice.save()
            return voice
        voice.message = result.message
        voice.save()
        if failed:
            # Nothing for the assistant to answer: a person listens (the assistant's task then sees "waiting").
            conversation_request_human(conversation=conversation)
    return voice


def voice_erase_for_user(*, user: User) -> None:
    """Erasing an account (social's `account_erasing`, inside its transaction): the rows go; their audio
    files are deleted from private storage once the erasure commits (`voice_audio_delete_on_commit`)."""
    VoiceMessage.objects.filter(conversation__user=user).delete()


def voice_audio_delete_on_commit(*, name: str, using: str | None = None) -> None:
    """A voice message's row was deleted (by any path: a service, the admin, a cascade from its conversation
    or its shopper's account, a queryset delete): delete its audio file from private storage once the
    transaction commits, so a rolled-back delete keeps the file and a committed one never leaves it orphaned.
    Registered by support's AppConfig as the `post_delete` receiver of VoiceMessage."""
    if not name:
        return

    def delete_file() -> None:
        try:
            private_storage().delete(name)
        except Exception:  # noqa: BLE001 - a leftover file is logged, never blocks the delete
            logger.warning("could not delete voice file %s", name, exc_info=True)

    transaction.on_commit(delete_file, using=using, robust=True)
