"""Notification pages: the list, marking one read (then following its link), marking all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from social import selectors, services
from social.views.helpers import SignedInRequest


@login_required
def notifications(request: SignedInRequest) -> HttpResponse:
    items = list(selectors.notification_list(user=request.user)[:100])
    return render(request, "social/notifications.html", {"notifications": items})


@login_required
@require_POST
def notification_read(request: SignedInRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)
    notification = selectors.notification_list(user=request.user).filter(pk=pk).first()
    target = notification.url if notification and notification.url.startswith("/") else ""
    if target.startswith("//"):
        target = ""
    return redirect(target or reverse("social:notifications"))


@login_required
@require_POST
def notifications_read_all(request: SignedInRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    return redirect("social:notifications")
