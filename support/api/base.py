"""What every support API view shares: session authentication that checks CSRF for anonymous visitors too
(they chat through their session; DRF's session authentication only checks it for signed-in users), the access
rule (`conversation_access`), the moderator permission, and the frames the websocket also sends, documented as
serializers.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api.authentication import ApiTokenAuthentication
from shop.models import User
from social.selectors import user_is_moderator
from support import selectors
from support.models import Conversation

__all__ = [
    "SESSION_KEY",
    "AvatarSourcesSerializer",
    "ChatView",
    "ConsoleView",
    "ConversationFrameSerializer",
    "IsModerator",
    "MessageFrameSerializer",
    "MessagePageSerializer",
    "SessionCsrfAuthentication",
    "SessionCsrfScheme",
    "StrictCharField",
    "session_key_of",
    "status_response",
]

SESSION_KEY = "support_conversation_id"


class SessionCsrfAuthentication(SessionAuthentication):
    """Session authentication that enforces CSRF for anonymous visitors with a session as well."""

    def authenticate(self, request: Request) -> Any:
        result = super().authenticate(request)
        if result is None and request._request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            self.enforce_csrf(request)
        return result


class SessionCsrfScheme(SessionScheme):
    """Documents SessionCsrfAuthentication as the usual session cookie in the OpenAPI schema."""

    # drf-spectacular accepts the class or its dotted path; its stubs only name the string.
    target_class = SessionCsrfAuthentication  # type: ignore[assignment]
    name = "sessionCookieAuth"


def session_key_of(request: Request, *, create: bool = False) -> str | None:
    session = request._request.session
    if create and not session.session_key:
        session.save()
    return session.session_key


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF's CharField turns numbers into text (`"body": 5` was stored
    as "5"), where the websocket answers such a frame with an `invalid` error."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class AvatarSourcesSerializer(serializers.Serializer):
    """A person's avatar as URLs (social.selectors.AvatarSources): `src`, and the rendition srcsets once made."""

    src = serializers.CharField()
    srcset = serializers.CharField(allow_blank=True)
    srcset_avif = serializers.CharField(allow_blank=True)


class MessageFrameSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    seq = serializers.IntegerField()
    author = serializers.CharField()
    author_id = serializers.IntegerField(allow_null=True)
    author_avatar = AvatarSourcesSerializer(allow_null=True)
    role = serializers.CharField()
    kind = serializers.CharField()
    body = serializers.CharField()
    payload = serializers.DictField()
    created_at = serializers.DateTimeField()
    client_id = serializers.CharField()


class MessagePageSerializer(serializers.Serializer):
    messages = MessageFrameSerializer(many=True)
    has_more = serializers.BooleanField()


class ConversationFrameSerializer(serializers.Serializer):
    type = serializers.CharField()
    conversation = serializers.IntegerField()
    status = serializers.CharField()
    assigned_to = serializers.CharField(allow_null=True)
    assigned_to_id = serializers.IntegerField(allow_null=True)
    order = serializers.CharField(allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    last_id = serializers.IntegerField()


class ChatView(APIView):
    authentication_classes = [SessionCsrfAuthentication, ApiTokenAuthentication]
    permission_classes = [permissions.AllowAny]

    def conversation(self, request: Request, conversation_id: int) -> Conversation:
        return selectors.conversation_access(
            user=request.user, session_key=session_key_of(request), conversation_id=conversation_id
        )


class IsModerator(permissions.BasePermission):
    message = _("Only moderators can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return user_is_moderator(request.user)


class ConsoleView(ChatView):
    permission_classes = [IsModerator]

    def moderator(self, request: Request) -> User:
        """The moderator making this request (`IsModerator` let only moderators in)."""
        user = request.user
        if not isinstance(user, User):
            raise PermissionDenied(IsModerator.message)
        return user


def status_response(conversation: Conversation) -> Response:
    """The `conversation.status` frame as the answer."""
    return Response(selectors.conversation_frame(conversation))
