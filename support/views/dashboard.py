"""The support dashboard page (staff and moderators)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from social.selectors import user_is_moderator
from support import selectors

__all__ = ["dashboard"]


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not (request.user.is_staff or user_is_moderator(request.user)):
        raise PermissionDenied
    return render(request, "support/dashboard.html", {"dashboard": selectors.dashboard()})
