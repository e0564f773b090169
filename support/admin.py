"""Django admin for the support chat. Replies written here go through `message_post` like every other message."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from support import (
    admin_assistant,  # noqa: F401
    services,
)
from support.models import CannedReply, Conversation, Message, ModeratorPresence, ReadState


class MessageInline(admin.TabularInline):
    model = Message
    fields = ["seq", "created_at", "role", "kind", "author", "body", "is_hidden"]
    readonly_fields = ["seq", "created_at", "role", "kind", "author", "body"]
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # new messages are written with the reply box, through the chat service


class ConversationAdminForm(forms.ModelForm):
    reply = forms.CharField(
        label=_("Reply as moderator"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the shopper through the chat, like a console reply."),
    )

    class Meta:
        model = Conversation
        fields = ["status", "assigned_to", "rating", "rating_comment"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    form = ConversationAdminForm
    list_display = ["id", "user", "status", "assigned_to", "order", "created_at", "rating"]
    list_filter = ["status", "resolved_by_assistant", "rating"]
    search_fields = ["user__username", "user__email", "order__number", "messages__body"]
    raw_id_fields = ["user", "assigned_to", "order"]
    readonly_fields = [
        "user",
        "session_key",
        "order",
        "last_seq",
        "created_at",
        "waiting_since",
        "first_response_at",
        "closed_at",
        "resolved_by_assistant",
    ]
    inlines = [MessageInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "assigned_to", "order")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        reply = form.cleaned_data.get("reply")
        if reply:
            try:
                services.message_post(
                    conversation=obj, body=reply, role=Message.Role.MODERATOR, author=request.user
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "conversation",
        "seq",
        "role",
        "kind",
        "author",
        "created_at",
        "is_hidden",
    ]
    list_filter = ["role", "kind", "is_hidden"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["conversation", "author"]
    readonly_fields = [
        "conversation",
        "seq",
        "author",
        "author_key",
        "role",
        "kind",
        "body",
        "payload",
        "client_id",
        "created_at",
    ]

    def has_add_permission(self, request) -> bool:
        return (
            False  # messages are written through the chat service (console, API or the reply box)
        )


@admin.register(ReadState)
class ReadStateAdmin(admin.ModelAdmin):
    list_display = ["conversation", "participant_key", "last_read_id", "updated_at"]
    raw_id_fields = ["conversation", "user"]


@admin.register(CannedReply)
class CannedReplyAdmin(admin.ModelAdmin):
    list_display = ["shortcut", "title"]
    search_fields = ["shortcut", "title", "text"]


@admin.register(ModeratorPresence)
class ModeratorPresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "capacity", "last_seen_at", "last_assigned_at"]
    list_editable = ["status", "capacity"]
    raw_id_fields = ["user"]
