"""The shopper's no-JavaScript way into the chat: "Get help with this order" starts a conversation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from common.redirects import safe_next_url
from support import services
from support.api.base import SESSION_KEY

__all__ = ["start"]


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start the chat (or continue the open one), come back to the page with the panel open."""
    next_url = safe_next_url(request, "/")
    if not request.session.session_key:
        request.session.save()
    try:
        opened = services.conversation_open(
            user=request.user,
            session_key=request.session.session_key,
            order_number=request.POST.get("order_number") or None,
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(next_url)
    request.session[SESSION_KEY] = opened.conversation.id
    return redirect(f"{next_url.split('#')[0]}#support")
