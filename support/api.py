"""Support chat over HTTP: the fallback when websockets are unavailable, the REST API and console actions.

Thin views: parse input, call `conversation_access` and one service, return the same frames the websocket sends.
Anonymous visitors chat through their session, so these views check CSRF for them too (DRF's session
authentication only checks it for signed-in users).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shop.api.authentication import ApiTokenAuthentication
from support import selectors, services
from support.models import Conversation, Message

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

    target_class = SessionCsrfAuthentication
    name = "sessionCookieAuth"


def session_key_of(request: Request, *, create: bool = False) -> str | None:
    session = request._request.session
    if create and not session.session_key:
        session.save()
    return session.session_key


# --- serializers (input and the documented output shapes) ----------------------------------------------------


class StartSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=20, required=False, allow_blank=True)


class MessageSendSerializer(serializers.Serializer):
    client_id = serializers.CharField(max_length=64)
    # The byte limit is the service's; this only bounds what is parsed.
    body = serializers.CharField(max_length=20000, trim_whitespace=False)


class ReadSerializer(serializers.Serializer):
    up_to_id = serializers.IntegerField(min_value=0)


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    moderator_id = serializers.IntegerField()


class NoteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=20000)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ProductCardSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class ReportSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=["spam", "abuse", "inappropriate", "other"])
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PresenceSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["online", "away", "offline"])
    capacity = serializers.IntegerField(min_value=0, max_value=50, required=False)


class MessageFrameSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    seq = serializers.IntegerField()
    author = serializers.CharField()
    author_id = serializers.IntegerField(allow_null=True)
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


class ConsoleItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    customer = serializers.CharField()
    order = serializers.CharField(allow_null=True)
    waiting_seconds = serializers.IntegerField(allow_null=True)
    assigned_to = serializers.CharField(allow_null=True)
    assigned_to_id = serializers.IntegerField(allow_null=True)
    unread = serializers.IntegerField()
    last_body = serializers.CharField()


class QueueSerializer(serializers.Serializer):
    waiting = ConsoleItemSerializer(many=True)
    mine = ConsoleItemSerializer(many=True)
    presence = serializers.CharField()
    capacity = serializers.IntegerField()


# --- base views -----------------------------------------------------------------------------------------------


class _ChatView(APIView):
    authentication_classes = [SessionCsrfAuthentication, ApiTokenAuthentication]
    permission_classes = [permissions.AllowAny]

    def conversation(self, request: Request, conversation_id: int) -> Conversation:
        return selectors.conversation_access(
            user=request.user, session_key=session_key_of(request), conversation_id=conversation_id
        )


class IsModerator(permissions.BasePermission):
    message = _("Only moderators can do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return selectors.is_moderator(request.user)


class _ConsoleView(_ChatView):
    permission_classes = [IsModerator]


def _status(conversation: Conversation) -> Response:
    return Response(selectors.conversation_frame(conversation))


# --- shopper endpoints ------------------------------------------------------------------------------------------


class ConversationStartView(_ChatView):
    @extend_schema(
        request=StartSerializer,
        responses={201: ConversationFrameSerializer},
        summary="Start a conversation (optionally about one of your orders)",
    )
    def post(self, request: Request) -> Response:
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_start(
            user=request.user,
            session_key=session_key_of(request, create=True),
            order_number=data.validated_data.get("order_number") or None,
        )
        request._request.session[SESSION_KEY] = conversation.id
        return Response(selectors.conversation_frame(conversation), status=status.HTTP_201_CREATED)


class ConversationCurrentView(_ChatView):
    @extend_schema(
        responses={200: ConversationFrameSerializer},
        summary="The conversation this browser session has open (404 when none)",
    )
    def get(self, request: Request) -> Response:
        session = request._request.session
        conversation_id = session.get(SESSION_KEY)
        if not conversation_id:
            return Response({"detail": _("No conversation yet.")}, status=status.HTTP_404_NOT_FOUND)
        conversation = Conversation.objects.filter(pk=conversation_id).first()
        # A visitor who logged in since: the session that started the chat proves it is theirs.
        if (
            conversation is not None
            and conversation.user_id is None
            and request.user.is_authenticated
        ):
            services.conversation_adopt(conversation=conversation, user=request.user)
        conversation = self.conversation(request, conversation_id)
        return _status(conversation)


class ConversationDetailView(_ChatView):
    @extend_schema(responses={200: ConversationFrameSerializer}, summary="A conversation's state")
    def get(self, request: Request, conversation_id: int) -> Response:
        return _status(self.conversation(request, conversation_id))


class MessageListView(_ChatView):
    @extend_schema(
        parameters=[OpenApiParameter("after_id", int, description="Only messages after this id")],
        responses={200: MessagePageSerializer},
        summary="Messages after an id, oldest first (the HTTP twin of the `sync` frame)",
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        try:
            after_id = max(0, int(request.query_params.get("after_id", 0)))
        except ValueError:
            return Response(
                {"after_id": [_("A whole number is required.")]}, status=status.HTTP_400_BAD_REQUEST
            )
        messages = selectors.messages_after(
            conversation=conversation,
            after_id=after_id,
            include_notes=selectors.is_moderator(request.user)
            and conversation.user_id != request.user.id,
        )
        return Response(
            {
                "messages": [selectors.message_frame(m) for m in messages],
                "has_more": len(messages) >= selectors.SYNC_PAGE_SIZE,
            }
        )

    @extend_schema(
        request=MessageSendSerializer,
        responses={201: MessageFrameSerializer, 200: MessageFrameSerializer},
        summary="Send a message (201 stored; 200 when this client_id was stored before)",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = MessageSendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.message_post(
            conversation=conversation,
            body=data.validated_data["body"],
            role=selectors.conversation_role_for(conversation=conversation, user=request.user),
            author=request.user,
            session_key=session_key_of(request),
            client_id=data.validated_data["client_id"],
        )
        return Response(
            selectors.message_frame(result.message),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class ReadView(_ChatView):
    @extend_schema(request=ReadSerializer, responses={200: ReadSerializer}, summary="Mark read")
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = ReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mark = services.conversation_mark_read(
            conversation=conversation,
            user=request.user,
            session_key=session_key_of(request),
            up_to_id=data.validated_data["up_to_id"],
        )
        return Response({"up_to_id": mark})


class HandoffView(_ChatView):
    @extend_schema(
        request=None, responses={200: ConversationFrameSerializer}, summary="Talk to a person"
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        return _status(services.conversation_request_human(conversation=conversation))


class CloseView(_ChatView):
    @extend_schema(request=None, responses={200: ConversationFrameSerializer}, summary="Close")
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        return _status(services.conversation_close(conversation=conversation, actor=request.user))


class RatingView(_ChatView):
    @extend_schema(
        request=RatingSerializer,
        responses={200: ConversationFrameSerializer},
        summary="Rate a closed conversation (1-5, once)",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = RatingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _status(
            services.conversation_rate(
                conversation=conversation,
                user=request.user,
                session_key=session_key_of(request),
                rating=data.validated_data["rating"],
                comment=data.validated_data["comment"],
            )
        )


class TranscriptView(_ChatView):
    @extend_schema(responses={(200, "text/plain"): str}, summary="Download the transcript as text")
    def get(self, request: Request, conversation_id: int) -> HttpResponse:
        conversation = self.conversation(request, conversation_id)
        response = HttpResponse(
            selectors.transcript_text(conversation=conversation),
            content_type="text/plain; charset=utf-8",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="socialshop-chat-{conversation.id}.txt"'
        )
        return response


# --- console endpoints (moderators) ---------------------------------------------------------------------------


class QueueView(_ConsoleView):
    @extend_schema(
        responses={200: QueueSerializer}, summary="The waiting queue and my conversations"
    )
    def get(self, request: Request) -> Response:
        presence = selectors.presence_for(user=request.user)
        return Response(
            {
                "waiting": [vars(item) for item in selectors.queue_waiting()],
                "mine": [
                    vars(item) for item in selectors.console_items_for(moderator=request.user)
                ],
                "presence": presence.status,
                "capacity": presence.capacity,
            }
        )


class ClaimView(_ConsoleView):
    @extend_schema(request=None, responses={200: ConversationFrameSerializer}, summary="Claim")
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        return _status(
            services.conversation_claim(conversation=conversation, moderator=request.user)
        )


class AssignView(_ConsoleView):
    @extend_schema(
        request=AssignSerializer,
        responses={200: ConversationFrameSerializer},
        summary="Assign or transfer to a moderator",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        moderator = get_object_or_404(get_user_model(), pk=data.validated_data["moderator_id"])
        return _status(
            services.conversation_assign(
                conversation=conversation, moderator=moderator, actor=request.user
            )
        )


class NoteView(_ConsoleView):
    @extend_schema(
        request=NoteSerializer, responses={201: MessageFrameSerializer}, summary="Internal note"
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.message_post(
            conversation=conversation,
            body=data.validated_data["body"],
            role=Message.Role.MODERATOR,
            author=request.user,
            client_id=data.validated_data["client_id"],
            kind=Message.Kind.NOTE,
        )
        return Response(selectors.message_frame(result.message), status=status.HTTP_201_CREATED)


class ProductCardView(_ConsoleView):
    @extend_schema(
        request=ProductCardSerializer,
        responses={201: MessageFrameSerializer},
        summary="Send a product card",
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(request, conversation_id)
        data = ProductCardSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.product_card_post(
            conversation=conversation,
            moderator=request.user,
            product_id=data.validated_data["product_id"],
            client_id=data.validated_data["client_id"],
        )
        return Response(selectors.message_frame(result.message), status=status.HTTP_201_CREATED)


class ReportView(_ConsoleView):
    @extend_schema(
        request=ReportSerializer,
        responses={201: ReportSerializer},
        summary="Report a chat message to the moderation queue",
    )
    def post(self, request: Request, message_id: int) -> Response:
        message = get_object_or_404(Message, pk=message_id)
        self.conversation(request, message.conversation_id)
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if message.kind == Message.Kind.NOTE or message.role != Message.Role.SHOPPER:
            raise PermissionDenied(_("Only shoppers' messages can be reported."))
        services.message_report(
            message=message,
            reporter=request.user,
            reason=data.validated_data["reason"],
            note=data.validated_data["note"],
        )
        return Response(data.validated_data, status=status.HTTP_201_CREATED)


class PresenceView(_ConsoleView):
    @extend_schema(
        request=PresenceSerializer, responses={200: PresenceSerializer}, summary="Set presence"
    )
    def post(self, request: Request) -> Response:
        data = PresenceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        presence = services.presence_set(
            user=request.user,
            status=data.validated_data["status"],
            capacity=data.validated_data.get("capacity"),
        )
        return Response({"status": presence.status, "capacity": presence.capacity})
