"""Onboarding: a newcomer picks a few favourite categories and people to follow."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from recsys.forms import OnboardingForm
from recsys.services.onboarding import onboarding_complete
from shop.models import User

__all__ = ["onboarding"]


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    shopper = cast(User, request.user)  # signed in: login_required
    form = OnboardingForm(request.POST if request.method == "POST" else None, user=shopper)
    if request.method == "POST" and form.is_valid():
        onboarding_complete(
            user=shopper,
            category_ids=[category.pk for category in form.cleaned_data["categories"]],
            followee_ids=[person.pk for person in form.cleaned_data["people"]],
        )
        messages.success(request, _("Thanks! Your home page now shows picks for you."))
        return redirect("shop:home")
    return render(request, "recsys/onboarding.html", {"form": form})
