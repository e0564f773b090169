"""The moderators' console page and the customer context beside a conversation."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shop.models import User
from social.selectors import user_is_moderator
from support import selectors

__all__ = ["console", "console_context"]


def _require_moderator(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user_is_moderator(user):
        raise PermissionDenied
    return user


@require_GET
def console(request: HttpRequest) -> HttpResponse:
    moderator = _require_moderator(request)
    return render(
        request,
        "support/console.html",
        {
            "canned_replies": selectors.canned_reply_list(),
            "moderators": selectors.assignable_moderators(),
            "presence": selectors.presence_for(user=moderator),
        },
    )


@require_GET
def console_context(request: HttpRequest, conversation_id: int) -> HttpResponse:
    _require_moderator(request)
    conversation = selectors.conversation_access(
        user=request.user,
        session_key=request.session.session_key,
        conversation_id=conversation_id,
    )
    return render(
        request,
        "support/partials/customer_context.html",
        {"context": selectors.customer_context(conversation=conversation)},
    )
