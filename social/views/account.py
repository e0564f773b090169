"""Account pages: privacy settings, the data export and deleting the account."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from social import selectors, services
from social.forms import DeleteAccountForm, PrivacyForm
from social.views.helpers import SignedInRequest, add_form_errors


@login_required
def privacy(request: SignedInRequest) -> HttpResponse:
    current = services.profile_get_or_create(user=request.user)
    if request.method == "POST":
        form = PrivacyForm(request.POST)
        if form.is_valid():
            services.privacy_update(user=request.user, **form.cleaned_data)
            messages.success(request, _("Your privacy settings are saved."))
            return redirect("social:privacy")
    else:
        form = PrivacyForm(
            initial={name: getattr(current, name) for name in services.PRIVACY_FIELDS}
        )
    return render(
        request, "social/privacy.html", {"form": form, "delete_form": DeleteAccountForm()}
    )


@login_required
def data_export(request: SignedInRequest) -> HttpResponse:
    data = selectors.export_for_user(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str),
        content_type="application/json; charset=utf-8",
    )
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = (
        f'attachment; filename="socialshop-export-{request.user.pk}-{stamp}.json"'
    )
    return response


@login_required
def account_delete(request: SignedInRequest) -> HttpResponse:
    if request.method == "POST":
        form = DeleteAccountForm(request.POST)
        if form.is_valid():
            user = request.user
            try:
                services.account_delete_with_password(
                    user=user, password=form.cleaned_data["password"]
                )
            except ValidationError as error:
                add_form_errors(form, error)
            else:
                logout(request)
                messages.success(request, _("Your account is deleted. Goodbye."))
                return redirect("shop:home")
    else:
        form = DeleteAccountForm()
    return render(request, "social/account_delete.html", {"form": form})
