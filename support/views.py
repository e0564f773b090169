"""Support pages: the no-JavaScript start form, the moderator console, customer context and the dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from support import selectors, services
from support.api import SESSION_KEY


def _require_moderator(request: HttpRequest) -> None:
    if not selectors.is_moderator(request.user):
        raise PermissionDenied


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """'Get help with this order' without JavaScript: start the chat, come back with the panel open."""
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if not request.session.session_key:
        request.session.save()
    try:
        conversation = services.conversation_start(
            user=request.user,
            session_key=request.session.session_key,
            order_number=request.POST.get("order_number") or None,
        )
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect(next_url)
    request.session[SESSION_KEY] = conversation.id
    return redirect(f"{next_url.split('#')[0]}#support")


@require_GET
def console(request: HttpRequest) -> HttpResponse:
    _require_moderator(request)
    group = Group.objects.filter(name="moderators").first()
    moderators = get_user_model().objects.filter(groups=group).order_by("username") if group else []
    return render(
        request,
        "support/console.html",
        {
            "canned_replies": selectors.canned_reply_list(),
            "moderators": moderators,
            "presence": selectors.presence_for(user=request.user),
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


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_staff or selectors.is_moderator(request.user)):
        raise PermissionDenied
    return render(request, "support/dashboard.html", {"dashboard": selectors.dashboard()})
