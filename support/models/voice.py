"""Voice messages: a shopper's recording, kept in private storage, and its transcription.

The recording is stored (row and file) before anything else happens; a Celery task transcribes it after commit
and posts the transcript as the shopper's chat message (`message`), or a labelled "could not be transcribed"
message when the engine fails. Either way the audio stays for the moderators to play.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.storage import private_storage
from support.models.conversations import Conversation
from support.models.messages import Message

__all__ = ["VoiceMessage"]


def voice_upload_to(instance: VoiceMessage, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"voice/{instance.conversation_id}/{uuid.uuid4().hex}.{extension}"


class VoiceMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("transcribing")
        DONE = "done", _("transcribed")
        FAILED = "failed", _("transcription failed")

    conversation = models.ForeignKey(
        Conversation, related_name="voice_messages", on_delete=models.CASCADE
    )
    # The chat message the transcription posted (null while pending).
    message = models.OneToOneField(
        Message, null=True, blank=True, related_name="voice", on_delete=models.SET_NULL
    )
    author_key = models.CharField(max_length=48)
    # The widget's id for this recording: a resent upload is stored once.
    client_id = models.CharField(max_length=64, blank=True)
    audio = models.FileField(storage=private_storage, upload_to=voice_upload_to, max_length=200)
    mime_type = models.CharField(max_length=32)
    size_bytes = models.PositiveIntegerField()
    duration_ms = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    transcript = models.TextField(blank=True)
    backend = models.CharField(max_length=32, blank=True)
    error = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    transcribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["conversation", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "author_key", "client_id"],
                condition=~models.Q(client_id=""),
                name="support_voice_client_id",
            ),
        ]

    def __str__(self) -> str:
        return f"voice {self.pk} in {self.conversation_id} ({self.status})"
