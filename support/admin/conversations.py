"""Django admin for conversations. A reply written here goes through `message_post` like every other message."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from support import services
from support.models import Conversation, Message


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
